import Foundation
import KefuCore
import KefuPostgres
import KefuTestSupport
import XCTest

/// `PATCH /v1/tickets/{id}`: priority (clocks recomputed from intake), category, tags, subject and
/// expected time; each change an event with before → after; archived tickets refuse.
final class TicketEditTests: TicketTestCase {
    private var agentKey: String!

    override func setUp() async throws {
        try await super.setUp()
        agentKey = try await keyFor(try await addAgent("Agent An", tier: "mid"))
    }

    /// A P3 inquiry by API at Tuesday 10:00, owned by Agent An.
    private func ticket(_ extra: [String: Any] = [:]) async throws -> String {
        var body: [String: Any] = [
            "customer": ["name": "Li Na"], "channel": "api", "category": "inquiry", "subject": "Invoice",
            "description": "Where is my invoice?",
        ]
        body.merge(extra) { $1 }
        let created = try await intake(body)
        XCTAssertEqual(created.status, .created, created.raw)
        return try require(created["id"]?.string)
    }

    private func patch(_ id: String, _ body: [String: Any], as caller: String? = nil) async throws -> APIClient.Reply {
        let text = json(body)
        let key = caller ?? self.key
        return try await withAPI { api in try await api.patch("/v1/tickets/\(id)", key: key, text) }
    }

    private func patch(_ id: String, raw body: String) async throws -> APIClient.Reply {
        try await withAPI { [key] api in try await api.patch("/v1/tickets/\(id)", key: key, body) }
    }

    private func events(_ id: String, _ kind: String) async throws -> [JSONValue] {
        let reply = try await get("/v1/tickets/\(id)/events")
        return (reply["items"]?.array ?? []).filter { $0["kind"]?.string == kind }
    }

    /// A three-level tag path; returns (root, leaf) ids.
    private func tagPath(_ names: [String]) async throws -> (root: String, leaf: String) {
        var parent: String?
        var ids: [String] = []
        for name in names {
            var body: [String: Any] = ["name": name]
            if let parent { body["parent_id"] = parent }
            let text = json(body)
            let created = try await withAPI { [key] api in try await api.post("/v1/tags", key: key, text) }
            parent = try require(created["id"]?.string, created.raw)
            ids.append(parent!)
        }
        return (ids[0], ids[2])
    }

    func testEachFieldChangesWithAnEventBeforeAndAfter() async throws {
        let id = try await ticket()
        let payment = try await tagPath(["product usage", "feature operation", "payment error"])
        let invoice = try await tagPath(["billing", "documents", "missing invoice"])
        clock.set(minutes(5))

        let category = try await patch(id, ["category": "fault"], as: agentKey)
        XCTAssertEqual(category.status, .ok, category.raw)
        XCTAssertEqual(category["category"]?.string, "fault")
        XCTAssertEqual(date(category["updated_at"]), minutes(5))
        let categoryEvent = try await events(id, "category_changed")
        XCTAssertEqual(categoryEvent.first?["before"]?["category"]?.string, "inquiry")
        XCTAssertEqual(categoryEvent.first?["after"]?["category"]?.string, "fault")

        let tagged = try await patch(id, ["tag_ids": [payment.leaf, invoice.leaf, payment.leaf]], as: agentKey)
        XCTAssertEqual(Set(tagged["tag_ids"]?.array?.compactMap(\.string) ?? []), [payment.leaf, invoice.leaf], tagged.raw)
        let retagged = try await patch(id, ["tag_ids": [invoice.leaf]], as: agentKey)
        XCTAssertEqual(retagged["tag_ids"]?.array?.compactMap(\.string), [invoice.leaf])
        let stored = try await ownerPool.query("SELECT tag_id FROM ticket_tags WHERE ticket_id = \(try require(UUID(uuidString: id)))")
        XCTAssertEqual(try stored.map { try $0.decode(UUID.self, at: 0).uuidString.lowercased() }, [invoice.leaf.lowercased()])
        let tagEvents = try await events(id, "tags_changed")
        XCTAssertEqual(tagEvents.count, 2)
        XCTAssertEqual(tagEvents.last?["after"]?["tag_ids"]?.array?.compactMap(\.string), [invoice.leaf.lowercased()])
        let root = try await patch(id, ["tag_ids": [invoice.root]], as: agentKey)
        XCTAssertEqual(root.status, .unprocessableContent, "only leaf tags, as at intake")
        XCTAssertEqual(root.errorField, "tag_ids")

        let subject = try await patch(id, ["subject": "Missing invoice for order 42"], as: agentKey)
        XCTAssertEqual(subject["subject"]?.string, "Missing invoice for order 42")
        let cleared = try await patch(id, raw: #"{"subject": null}"#)
        XCTAssertNil(cleared["subject"], cleared.raw)
        let subjectEvents = try await events(id, "subject_changed")
        XCTAssertEqual(subjectEvents.map { $0["before"]?["subject"]?.string }, ["Invoice", "Missing invoice for order 42"])
        XCTAssertEqual(subjectEvents.last?["after"]?["subject"], .null)

        let expected = try await patch(id, ["expected_resolution_at": "2025-11-26T18:00:00+08:00"], as: agentKey)
        XCTAssertEqual(date(expected["expected_resolution_at"]), minutes(32 * 60))
        XCTAssertEqual(date(expected["resolution_due_at"]), minutes(32 * 60))
        XCTAssertEqual(expected["expected_resolution_defaulted"]?.bool, false)
        let defaulted = try await patch(id, raw: #"{"expected_resolution_at": null}"#)
        XCTAssertEqual(date(defaulted["expected_resolution_at"]), minutes(7 * 24 * 60), "P3's target from intake again")
        XCTAssertEqual(defaulted["expected_resolution_defaulted"]?.bool, true)
        let expectedEvents = try await events(id, "expected_resolution_changed")
        XCTAssertEqual(expectedEvents.count, 2)
        XCTAssertEqual(date(expectedEvents.first?["after"]?["expected_resolution_at"]), minutes(32 * 60))
        XCTAssertEqual(expectedEvents.first?["after"]?["expected_resolution_defaulted"]?.bool, false)
        let timer = try await ownerPool.queryScalar(Date.self, "SELECT due_at FROM ticket_timers WHERE kind = 'sla:resolution' AND done_at IS NULL")
        XCTAssertEqual(timer, minutes(7 * 24 * 60), "the resolution timer follows the expected time")

        let same = try await patch(id, ["category": "fault"], as: agentKey)
        XCTAssertEqual(same.status, .ok)
        let categoryEvents = try await events(id, "category_changed")
        XCTAssertEqual(categoryEvents.count, 1, "a field given with its current value is no change")
    }

    func testACategoryChangeMovesTheChannelsFirstReplyTargetUntilAReplyMeetsIt() async throws {
        let id = try await ticket(["channel": "web_form"])
        let intake = try await get("/v1/tickets/\(id)")
        XCTAssertEqual(date(intake["channel_response_due_at"]), minutes(24 * 60), "a form's first reply: one working day")

        // Recognised as a complaint at 10:02: the first feedback is due 5 minutes after intake.
        clock.set(minutes(2))
        let complaint = try await patch(id, ["category": "complaint"], as: agentKey)
        XCTAssertEqual(complaint.status, .ok, complaint.raw)
        XCTAssertEqual(date(complaint["channel_response_due_at"]), minutes(5))
        let timer = try await ownerPool.queryScalar(
            Date.self,
            "SELECT due_at FROM ticket_timers WHERE kind = 'sla:channel_response' AND done_at IS NULL"
        )
        XCTAssertEqual(timer, minutes(5), "the timer follows the target")
        let moved = try await events(id, "channel_response_moved")
        XCTAssertEqual(date(moved.first?["before"]?["channel_response_due_at"]), minutes(24 * 60))
        XCTAssertEqual(date(moved.first?["after"]?["channel_response_due_at"]), minutes(5))

        // Missed at 10:05 the worker records the breach; a reply then leaves the target alone.
        try await sweep(at: minutes(5))
        let breaches = try await get("/v1/tickets/\(id)/breaches")
        XCTAssertEqual((breaches["items"]?.array ?? []).compactMap { $0["clock"]?.string }, ["channel_response"], breaches.raw)
        clock.set(minutes(6))
        _ = try await act(id, "respond", ["body": "Sorry for the trouble"], as: agentKey)
        let back = try await patch(id, ["category": "inquiry"], as: agentKey)
        XCTAssertEqual(date(back["channel_response_due_at"]), minutes(5), "met (late) clocks keep their due instant")
        let movedAgain = try await events(id, "channel_response_moved")
        XCTAssertEqual(movedAgain.count, 1)
    }

    func testAPriorityChangeRecomputesTheClocksFromIntakeAndKeepsMetOnes() async throws {
        let supervisor = try await addAgent("Sup Su", tier: "senior", role: "supervisor", duty: "away")
        let answered = try await ticket()
        clock.set(minutes(5))
        _ = try await act(answered, "respond", ["body": "Checking"], as: agentKey)
        clock.set(minutes(30))
        let raised = try await patch(answered, ["priority": "P1"], as: agentKey)
        XCTAssertEqual(raised.status, .ok, raised.raw)
        XCTAssertEqual(raised["priority"]?.string, "P1")
        XCTAssertEqual(date(raised["first_response_due_at"]), minutes(120), "met at 10:05: kept")
        XCTAssertEqual(date(raised["plan_due_at"]), minutes(120), "P1's 2 h plan, counted from intake")
        XCTAssertEqual(date(raised["expected_resolution_at"]), minutes(24 * 60), "defaulted: P1's 24 h from intake")
        XCTAssertEqual(date(raised["progress_due_at"]), minutes(125), "2 h after the last public update")
        let changed = try require(try await events(answered, "priority_changed").first)
        XCTAssertEqual(changed["before"]?["priority"]?.string, "P3")
        XCTAssertEqual(changed["after"]?["priority"]?.string, "P1")
        XCTAssertEqual(changed["before"]?["plan_due_at"], .null)
        XCTAssertEqual(date(changed["after"]?["plan_due_at"]), minutes(120))
        let planTimer = try await ownerPool.queryScalar(Date.self, "SELECT due_at FROM ticket_timers WHERE kind = 'sla:plan' AND done_at IS NULL")
        XCTAssertEqual(planTimer, minutes(120))
        let alerts = try await ownerPool.queryScalar(
            Int.self,
            "SELECT count(*) FROM notifications WHERE kind = 'priority_escalation' AND recipient_id = \(supervisor.id)"
        )
        XCTAssertEqual(alerts, 1, "a P1 goes to the supervisor at once")

        // Unanswered and raised after P1's 10 minutes: overdue from intake, so the worker records the breach.
        let unanswered = try await ticket()
        clock.set(minutes(40))
        let late = try await patch(unanswered, ["priority": "p1"])
        XCTAssertEqual(date(late["first_response_due_at"]), minutes(40), "P1's 10 min from its intake at 10:30")
        clock.set(minutes(40) + 1)
        _ = try await worker.timers.sweep()
        let breach = try await ownerPool.queryFirst(
            "SELECT due_at, met_at FROM ticket_sla_breaches WHERE clock = 'first_response' AND ticket_id = \(try require(UUID(uuidString: unanswered)))"
        )
        XCTAssertEqual(try breach?.decode(Date.self, "due_at"), minutes(40))

        // Lowered again: the business-hours policy of P3, from intake.
        let lowered = try await patch(unanswered, ["priority": "P3"])
        XCTAssertEqual(date(lowered["first_response_due_at"]), minutes(30 + 120))
        XCTAssertNil(lowered["plan_due_at"], "P3 has no plan target")
    }

    func testBadInputIs422NamingTheFieldAndChangesNothing() async throws {
        let id = try await ticket()
        let cases: [(String, String)] = [
            ("{}", "body"),
            (#"{"priority": "P7"}"#, "priority"),
            (#"{"category": "rant"}"#, "category"),
            (#"{"category": null}"#, "category"),
            (#"{"subject": "  "}"#, "subject"),
            (#"{"subject": "\#(String(repeating: "x", count: 301))"}"#, "subject"),
            (#"{"expected_resolution_at": "tomorrow"}"#, "expected_resolution_at"),
            (#"{"tag_ids": ["not-a-uuid"]}"#, "tag_ids[0]"),
            (#"{"status": "closed"}"#, "status"),
        ]
        for (body, field) in cases {
            let reply = try await patch(id, raw: body)
            XCTAssertEqual(reply.status, .unprocessableContent, "\(body): \(reply.raw)")
            XCTAssertEqual(reply.errorField, field, body)
        }
        let tickets = try await ownerPool.queryScalar(Int.self, "SELECT count(*) FROM ticket_events WHERE kind LIKE '%_changed'")
        XCTAssertEqual(tickets, 0)
    }

    func testOwnersSupervisorsAndAdminsEditOthersAreRefused() async throws {
        let id = try await ticket()
        let colleague = try await keyFor(try await addAgent("Agent Bo", tier: "mid", duty: "away"))
        let qa = try await keyFor(try await addAgent("QA Qi", role: "qa", duty: "away"))
        let supervisor = try await keyFor(try await addAgent("Sup Su", role: "supervisor", duty: "away"))
        let notOwner = try await patch(id, ["subject": "x"], as: colleague)
        XCTAssertEqual(notOwner.status, .forbidden, notOwner.raw)
        let inspector = try await patch(id, ["subject": "x"], as: qa)
        XCTAssertEqual(inspector.status, .forbidden, inspector.raw)
        for caller in [agentKey!, supervisor, key] {
            let reply = try await patch(id, ["subject": "by \(caller.prefix(6))"], as: caller)
            XCTAssertEqual(reply.status, .ok, reply.raw)
        }
    }

    func testArchivedTicketsRefuseAndOtherTenantsSeeNothing() async throws {
        let id = try await ticket()
        _ = try await act(id, "respond", ["body": "Here it is"], as: agentKey)
        _ = try await act(id, "resolve", ["solution_summary": "Sent the invoice"], as: agentKey)
        _ = try await act(id, "close", as: agentKey)
        let closed = try await patch(id, ["category": "suggestion"], as: agentKey)
        XCTAssertEqual(closed.status, .ok, "a closed ticket can still be corrected: \(closed.raw)")
        try await ownerPool.execute("UPDATE tickets SET status = 'archived', archived_at = now() WHERE id = \(try require(UUID(uuidString: id)))")
        let archived = try await patch(id, ["category": "fault"], as: agentKey)
        XCTAssertEqual(archived.status, .conflict, archived.raw)
        XCTAssertEqual(archived.errorCode, "conflict")

        let other = try await makeTenant("other")
        let open = try await ticket()
        let foreign = try await withAPI { api in try await api.patch("/v1/tickets/\(open)", key: other.apiKey, json(["subject": "mine now"])) }
        XCTAssertEqual(foreign.status, .notFound, foreign.raw)
        let unchanged = try await get("/v1/tickets/\(open)")
        XCTAssertEqual(unchanged["subject"]?.string, "Invoice")
    }
}
