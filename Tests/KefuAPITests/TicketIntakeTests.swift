import Foundation
import KefuCore
import KefuPostgres
import KefuTestSupport
import XCTest

final class TicketIntakeTests: TicketTestCase {
    func testRoutingPicksTheRightAgent() async throws {
        try await addRule(["name": "refunds", "keywords": ["退款", "refund"], "skill": "refund", "position": 10])
        try await addRule(["name": "new customers asking how", "new_customer": true, "category": "inquiry", "max_tier": "junior", "position": 20])
        let junior = try await addAgent("Junior Ji", tier: "junior")
        let refund = try await addAgent("Refund Ruan", tier: "mid", skills: ["refund"])
        let senior = try await addAgent("Senior Shi", tier: "senior")

        let refundTicket = try await intake([
            "customer": ["name": "A"], "channel": "chat", "category": "inquiry",
            "description": "我要退款，订单还没发货",
        ])
        XCTAssertEqual(refundTicket["owner_id"]?.string, refund.id.uuidString, refundTicket.raw)
        XCTAssertEqual(refundTicket["skill"]?.string, "refund")

        let newbie = try await intake([
            "customer": ["name": "B"], "channel": "in_app", "category": "inquiry",
            "description": "How do I use the product comparison feature?",
        ])
        XCTAssertEqual(newbie["owner_id"]?.string, junior.id.uuidString, newbie.raw)

        let returning = try await intake([
            "customer": ["name": "C", "first_seen_at": "2023-01-01T00:00:00Z"], "channel": "in_app",
            "category": "inquiry", "description": "How do I export invoices?",
        ])
        XCTAssertNotEqual(returning["owner_id"]?.string, nil)

        let vip = try await intake([
            "customer": ["name": "D", "segment": "vip"], "channel": "phone", "category": "fault",
            "description": "My dashboard is slow",
        ])
        XCTAssertTrue([refund.id.uuidString, senior.id.uuidString].contains(vip["owner_id"]?.string ?? ""), "VIP → mid or senior: \(vip.raw)")
    }

    func testLeastLoadedAgentTakesTheNextTicketAndNobodyOnDutyLeavesItNew() async throws {
        let busy = try await addAgent("Busy Bai", tier: "mid")
        let first = try await intake(["customer": ["name": "A"], "channel": "chat", "category": "fault", "description": "x"])
        XCTAssertEqual(first["owner_id"]?.string, busy.id.uuidString)
        let free = try await addAgent("Free Fu", tier: "mid")
        let second = try await intake(["customer": ["name": "B"], "channel": "chat", "category": "fault", "description": "y"])
        XCTAssertEqual(second["owner_id"]?.string, free.id.uuidString, "the least-loaded on-duty agent")
        _ = try await services.agents.update(tenantID, id: busy.id, AgentUpdate(dutyStatus: "away"))
        _ = try await services.agents.update(tenantID, id: free.id, AgentUpdate(dutyStatus: "reserve"))
        let unassigned = try await intake(["customer": ["name": "C"], "channel": "chat", "category": "fault", "description": "z"])
        XCTAssertEqual(unassigned["status"]?.string, "new")
        XCTAssertNil(unassigned["owner_id"]?.string)
    }

    func testOneHundredConcurrentIntakesGetOneHundredDistinctNumbers() async throws {
        let customer = try await services.customers.create(tenantID, NewCustomer(name: "Load Tester"))
        let intake = services.intake
        let tenant = tenantID
        let numbers = try await withThrowingTaskGroup(of: Int.self) { group in
            for n in 0..<100 {
                group.addTask {
                    try await intake.intake(
                        tenant,
                        NewTicket(customerId: customer.id, channel: "api", description: "ticket \(n)", category: "inquiry")
                    )
                    .ticket.number
                }
            }
            var all: [Int] = []
            for try await number in group { all.append(number) }
            return all
        }
        XCTAssertEqual(numbers.sorted(), Array(1...100))
        let stored = try await ownerPool.queryScalar(Int.self, "SELECT count(DISTINCT number) FROM tickets")
        XCTAssertEqual(stored, 100)
    }

    func testARetriedRequestWithTheSameIdempotencyKeyNeverDuplicates() async throws {
        let body: [String: Any] = [
            "customer": ["name": "Retry Ren", "external_id": "crm-42"], "channel": "web_form", "category": "inquiry",
            "description": "Where is my invoice?",
        ]
        let first = try await intake(body, idempotencyKey: "form-submit-7f3a")
        let again = try await intake(body, idempotencyKey: "form-submit-7f3a")
        XCTAssertEqual(first.status, .created)
        XCTAssertEqual(again.status, .ok)
        XCTAssertEqual(first["id"]?.string, again["id"]?.string)
        let counts = try await ownerPool.queryFirst("SELECT (SELECT count(*) FROM tickets) AS tickets, (SELECT count(*) FROM customers) AS customers")
        XCTAssertEqual(try counts?.decode(Int.self, "tickets"), 1)
        XCTAssertEqual(try counts?.decode(Int.self, "customers"), 1)
    }

    func testHostileAndMalformedInputGets4xxAndWritesNothing() async throws {
        let cases: [([String: Any], String)] = [
            (["customer": ["name": "X"], "channel": "fax", "category": "inquiry", "description": "d"], "channel"),
            (["customer": ["name": "X"], "channel": "chat", "category": "praise", "description": "d"], "category"),
            (["customer": ["name": "X"], "channel": "chat", "category": "inquiry", "description": "d", "priority": "P9"], "priority"),
            (["customer": ["name": "X"], "channel": "chat", "category": "inquiry", "description": "   "], "description"),
            (["channel": "chat", "category": "inquiry", "description": "d"], "customer_id"),
            (["customer_id": UUID().uuidString, "channel": "chat", "category": "inquiry", "description": "d"], "customer_id"),
            (
                [
                    "customer": ["name": "X", "contacts": [["kind": "email", "value": "x@y.cn", "consent": false]]], "channel": "chat",
                    "category": "inquiry", "description": "d",
                ], "customer.contacts[0].consent"
            ),
            (
                [
                    "customer": ["name": "Robert'); DROP TABLE tickets;--"], "channel": "chat", "category": "inquiry",
                    "description": "d", "tag_ids": [UUID().uuidString],
                ], "tag_ids"
            ),
            (["customer": ["name": "X"], "channel": "chat", "category": "inquiry", "description": 42], "description"),
            (["customer": ["name": "X"], "channel": "chat", "category": "inquiry", "description": "d", "occurred_at": "yesterday"], "occurred_at"),
        ]
        for (body, field) in cases {
            let reply = try await intake(body)
            XCTAssertEqual(reply.status, .unprocessableContent, "\(field): \(reply.raw)")
            XCTAssertEqual(reply.errorField, field, reply.raw)
        }
        let malformed = try await withAPI { [key] api in try await api.post("/v1/tickets", key: key, "{\"channel\": ") }
        XCTAssertEqual(malformed.status, .badRequest)
        let counts = try await ownerPool.queryScalar(
            Int.self,
            """
            SELECT (SELECT count(*) FROM tickets) + (SELECT count(*) FROM customers) + (SELECT count(*) FROM ticket_events)
                 + (SELECT coalesce(sum(last_number), 0) FROM ticket_counters)
            """
        )
        XCTAssertEqual(counts, 0, "nothing half-written")
    }

    func testTaggedTicketsCarryLeafTagsOnly() async throws {
        let root = try await services.tags.create(tenantID, NewTag(name: "product usage"))
        let middle = try await services.tags.create(tenantID, NewTag(name: "feature operation", parentId: root.id))
        let leaf = try await services.tags.create(tenantID, NewTag(name: "payment error", parentId: middle.id))
        let notLeaf = try await intake([
            "customer": ["name": "X"], "channel": "chat", "category": "fault", "description": "d",
            "tag_ids": [middle.id.uuidString],
        ])
        XCTAssertEqual(notLeaf.errorField, "tag_ids")
        let tagged = try await intake([
            "customer": ["name": "X"], "channel": "chat", "category": "fault", "description": "d",
            "tag_ids": [leaf.id.uuidString],
        ])
        XCTAssertEqual(tagged["tag_ids"]?.array?.compactMap(\.string), [leaf.id.uuidString])
    }

    /// Intake answers from the values it wrote instead of reading the ticket back: the answer must
    /// be the stored ticket, byte for byte, and its timers those of its running clocks.
    func testTheAnswerIsTheStoredTicketByteForByte() async throws {
        // P2: business hours, so that on a Saturday the automatic reply is written too (a P1 counts 24x7).
        try await addRule(["name": "refunds", "keywords": ["refund"], "skill": "refund", "priority": "P2", "position": 10])
        _ = try await addAgent("Refund Ruan", tier: "mid", skills: ["refund"])
        let root = try await services.tags.create(tenantID, NewTag(name: "billing"))
        let middle = try await services.tags.create(tenantID, NewTag(name: "payments", parentId: root.id))
        var leaves: [String] = []
        for name in ["card", "refund", "invoice"] {
            leaves.append(try await services.tags.create(tenantID, NewTag(name: name, parentId: middle.id)).id.uuidString)
        }
        let customer = try await services.customers.create(tenantID, NewCustomer(name: "Existing \"Customer\"", segment: "vip"))
        // Instants with microseconds, and a Saturday so that the automatic reply is written too.
        clock.set(Date(timeIntervalSince1970: 1_764_385_200.123_456_7))
        let answers = [
            try await intake([
                "customer_id": customer.id.uuidString, "channel": "email", "category": "fault",
                "subject": "Refund \"failed\" / 退款", "description": "refund please\nline two", "contact": "a@b.cn",
                "attachments": ["files/one.png"], "occurred_at": "2025-11-28T01:02:03.456789Z",
                "expected_resolution_at": "2025-12-01T10:00:00Z", "tag_ids": leaves,
            ]),
            try await intake([
                "customer": ["name": "Inline", "external_id": "crm-1"], "channel": "chat", "category": "inquiry",
                "description": "how do I export?",
            ]),
            try await intake([
                "customer": ["name": "Inline again"], "channel": "phone", "category": "complaint",
                "description": "nobody answers",
            ]),
        ]
        for answer in answers {
            XCTAssertEqual(answer.status, .created, answer.raw)
            let id = try require(answer["id"]?.string)
            let stored = try await get("/v1/tickets/\(id)")
            XCTAssertEqual(answer.raw, stored.raw)
            let timers = try await ownerPool.query(
                """
                SELECT kind FROM ticket_timers WHERE ticket_id = \(try require(UUID(uuidString: id))) AND done_at IS NULL ORDER BY kind
                """
            ).map { try $0.decode(String.self, at: 0) }
            let running = ["channel_response", "first_response", "plan", "resolution"]
                .filter { answer["\($0)_due_at"]?.string != nil }.map { "sla:" + $0 }
            XCTAssertEqual(timers, running.sorted(), answer.raw)
        }
        XCTAssertEqual(answers[0]["priority"]?.string, "P2")
        XCTAssertEqual(answers[0]["tag_ids"]?.array?.count, 3)
        XCTAssertNotNil(answers[0]["auto_reply"]?.string)
        XCTAssertNotNil(answers[0]["owner_id"]?.string)
        // Its events are written in one statement, in order.
        let events = try await get("/v1/tickets/\(try require(answers[0]["id"]?.string))/events")
        let items = events["items"]?.array ?? []
        XCTAssertEqual(
            items.compactMap { $0["kind"]?.string },
            ["created", "acknowledged", "auto_reply", "assigned", "escalated_to_supervisor"]
        )
        let seqs = items.compactMap { $0["seq"]?.number }
        XCTAssertEqual(seqs, seqs.sorted())
        XCTAssertEqual(items.last?["after"]?["priority"]?.string, "P2")
    }
}
