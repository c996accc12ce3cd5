import Foundation
import KefuCore
import KefuPostgres
import KefuTestSupport
import XCTest

/// Authority over tickets: ownership-changing actions are for the owner or a supervisor/admin;
/// the customer's words come from an integration key (or an admin); an integration key does
/// nothing else.
final class TicketAuthorityTests: TicketTestCase {
    private var owner: Agent!
    private var ownerKey: String!
    private var colleague: Agent!
    private var colleagueKey: String!

    override func setUp() async throws {
        try await super.setUp()
        owner = try await addAgent("Owner Ou", tier: "mid")
        ownerKey = try await keyFor(owner)
        colleague = try await addAgent("Colleague Ke", tier: "mid", duty: "away")
        colleagueKey = try await keyFor(colleague)
    }

    /// A ticket routed to `owner` (the only on-duty agent), answered once.
    private func ownedTicket() async throws -> String {
        let created = try await intake([
            "customer": ["name": "Li Na"], "channel": "phone", "category": "fault", "priority": "P3",
            "description": "The app crashes.",
        ])
        XCTAssertEqual(created["owner_id"]?.string, owner.id.uuidString, created.raw)
        let id = try require(created["id"]?.string)
        let answered = try await act(id, "respond", ["body": "Looking into it"], as: ownerKey)
        XCTAssertEqual(answered.status, .ok, answered.raw)
        return id
    }

    private func eventCount(_ ticket: String) async throws -> Int {
        try await ownerPool.queryScalar(Int.self, "SELECT count(*) FROM ticket_events WHERE ticket_id = \(UUID(uuidString: ticket)!)") ?? -1
    }

    private func integrationKey() async throws -> String {
        try await keyFor(try await addAgent("Gateway WeChat", role: "integration"))
    }

    func testAnotherAgentMayNotChangeOwnershipOrCloseSomeoneElsesTicket() async throws {
        let department = try await services.departments.create(tenantID, NewDepartment(name: "Technical"))
        let id = try await ownedTicket()
        let before = try await eventCount(id)
        let attempts: [(String, [String: Any])] = [
            ("transfer", ["to_agent_id": colleague.id.uuidString, "reason": "mine now", "handover_note": "x"]),
            ("redispatch", ["to_agent_id": colleague.id.uuidString, "reason": "mine now"]),
            ("escalate", ["department_id": department.id.uuidString, "note": "x"]),
            ("resolve", ["solution_summary": "closed by a stranger"]),
            ("respond", ["body": "I answer for the owner"]),
            ("request-info", ["body": "Which phone?"]),
            ("plan", ["body": "A plan"]),
            ("customer-reply", ["body": "I pretend to be the customer"]),
        ]
        for (action, body) in attempts {
            let reply = try await act(id, action, body, as: colleagueKey)
            XCTAssertEqual(reply.status, .forbidden, "\(action): \(reply.raw)")
            XCTAssertEqual(reply.errorCode, "forbidden", action)
        }
        let stored = try await ownerPool.queryFirst("SELECT owner_id, status, department_id FROM tickets")
        XCTAssertEqual(try stored?.decode(UUID.self, "owner_id"), owner.id)
        XCTAssertEqual(try stored?.decode(String.self, "status"), "in_progress")
        XCTAssertNil(try stored?.decode(UUID?.self, "department_id"))
        let after = try await eventCount(id)
        XCTAssertEqual(after, before, "a refused action records nothing")

        // Notes stay open to colleagues; the owner does the rest.
        let note = try await act(id, "notes", ["body": "Seen this before: cache issue"], as: colleagueKey)
        XCTAssertEqual(note.status, .ok, note.raw)
        let resolved = try await act(id, "resolve", ["solution_summary": "Cache cleared"], as: ownerKey)
        XCTAssertEqual(resolved.status, .ok, resolved.raw)
        let reopen = try await act(id, "reopen", ["reason": "not me"], as: colleagueKey)
        XCTAssertEqual(reopen.status, .forbidden, reopen.raw)
        let close = try await act(id, "close", as: colleagueKey)
        XCTAssertEqual(close.status, .forbidden, close.raw)
        let closed = try await act(id, "close", as: ownerKey)
        XCTAssertEqual(closed["status"]?.string, "closed", closed.raw)
    }

    func testTheOwnerTransfersAndThenTheNewOwnerHasAuthority() async throws {
        let id = try await ownedTicket()
        let transferred = try await act(
            id,
            "transfer",
            [
                "to_agent_id": colleague.id.uuidString, "reason": "shift ends",
                "handover_note": "customer on iOS",
            ],
            as: ownerKey
        )
        XCTAssertEqual(transferred.status, .ok, transferred.raw)
        let formerOwner = try await act(id, "resolve", ["solution_summary": "x"], as: ownerKey)
        XCTAssertEqual(formerOwner.status, .forbidden, "the first owner stays on record, not in charge")
        let newOwner = try await act(id, "resolve", ["solution_summary": "Fixed"], as: colleagueKey)
        XCTAssertEqual(newOwner.status, .ok, newOwner.raw)
    }

    func testSupervisorsAndAdminsActOnAnyTicketQAInspectorsDoNot() async throws {
        let supervisor = try await addAgent("Sup Su", tier: "senior", role: "supervisor", duty: "away")
        let supervisorKey = try await keyFor(supervisor)
        let qaKey = try await keyFor(try await addAgent("QA Qi", role: "qa", duty: "away"))
        let id = try await ownedTicket()
        let byQA = try await act(id, "redispatch", ["to_agent_id": colleague.id.uuidString, "reason": "x"], as: qaKey)
        XCTAssertEqual(byQA.status, .forbidden, byQA.raw)
        let bySupervisor = try await act(id, "redispatch", ["to_agent_id": colleague.id.uuidString, "reason": "mis-routed"], as: supervisorKey)
        XCTAssertEqual(bySupervisor.status, .ok, bySupervisor.raw)
        XCTAssertEqual(bySupervisor["owner_id"]?.string, colleague.id.uuidString)
        let byAdmin = try await act(id, "resolve", ["solution_summary": "Resolved by the admin"])
        XCTAssertEqual(byAdmin.status, .ok, byAdmin.raw)
    }

    func testAgentsTakeNewTicketsButOnlyLeadsAssignThemToOthers() async throws {
        try await services.agents.update(tenantID, id: owner.id, AgentUpdate(dutyStatus: "away"))
        let created = try await intake(["customer": ["name": "Wang"], "channel": "email", "category": "inquiry", "description": "Hi"])
        XCTAssertEqual(created["status"]?.string, "new", created.raw)
        let id = try require(created["id"]?.string)
        let toOther = try await act(id, "assign", ["agent_id": owner.id.uuidString], as: colleagueKey)
        XCTAssertEqual(toOther.status, .forbidden, toOther.raw)
        let taken = try await act(id, "assign", [:], as: colleagueKey)
        XCTAssertEqual(taken["owner_id"]?.string, colleague.id.uuidString, taken.raw)
    }

    func testAnIntegrationKeyTakesTicketsInAndWritesAsTheCustomerOnly() async throws {
        let gateway = try await integrationKey()
        let created = try await withAPI { api in
            try await api.post(
                "/v1/tickets",
                key: gateway,
                json([
                    "customer": ["name": "Zhao"], "channel": "chat", "category": "fault",
                    "description": "Payment fails",
                ])
            )
        }
        XCTAssertEqual(created.status, .created, created.raw)
        let id = try require(created["id"]?.string)
        let answered = try await act(id, "respond", ["body": "We are on it"], as: ownerKey)
        XCTAssertEqual(answered.status, .ok, answered.raw)
        _ = try await act(id, "notes", ["body": "internal: VIP?"], as: ownerKey)
        let reply = try await act(id, "customer-reply", ["body": "Thanks, waiting"], as: gateway)
        XCTAssertEqual(reply.status, .ok, reply.raw)
        let authors = try await ownerPool.query("SELECT author_kind FROM ticket_messages WHERE body = 'Thanks, waiting'")
        XCTAssertEqual(try authors.map { try $0.decode(String.self, "author_kind") }, ["customer"])

        let read = try await withAPI { api in try await api.get("/v1/tickets/\(id)", key: gateway) }
        XCTAssertEqual(read.status, .ok, read.raw)
        let messages = try await withAPI { api in try await api.get("/v1/tickets/\(id)/messages", key: gateway) }
        XCTAssertEqual(messages.status, .ok, messages.raw)
        let visibilities = Set(messages["items"]?.array?.compactMap { $0["visibility"]?.string } ?? [])
        XCTAssertEqual(visibilities, ["public"], "a gateway never sees internal notes")

        for (method, path) in [
            ("GET", "/v1/tickets"), ("GET", "/v1/settings"), ("GET", "/v1/agents"), ("GET", "/v1/customers"),
            ("GET", "/v1/reports/weekly"), ("GET", "/v1/me"), ("GET", "/v1/tickets/\(id)/events"),
            ("POST", "/v1/tickets/\(id)/respond"), ("POST", "/v1/tickets/\(id)/resolve"),
        ] {
            let refused = try await withAPI { api in
                try await api.send(.init(method)!, path, key: gateway, body: method == "POST" ? json(["body": "x", "solution_summary": "x"]) : nil)
            }
            XCTAssertEqual(refused.status, .forbidden, "\(method) \(path): \(refused.raw)")
        }
        let owners = try await ownerPool.queryScalar(String.self, "SELECT status FROM tickets WHERE id = \(UUID(uuidString: id)!)")
        XCTAssertEqual(owners, "in_progress", "the refused resolve changed nothing")
    }

    func testAnIntegrationKeyCannotOwnTickets() async throws {
        let gateway = try await addAgent("Gateway Mail", role: "integration")
        let id = try await ownedTicket()
        let reply = try await act(id, "transfer", ["to_agent_id": gateway.id.uuidString, "reason": "x", "handover_note": "y"], as: ownerKey)
        XCTAssertEqual(reply.status, .unprocessableContent, reply.raw)
        XCTAssertEqual(reply.errorField, "to_agent_id")
    }
}
