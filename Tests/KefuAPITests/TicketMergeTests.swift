import Foundation
import KefuCore
import KefuPostgres
import KefuTestSupport
import XCTest

/// Merging a duplicate into another ticket of the same customer through
/// `POST /v1/tickets/{id}/merge` (Tuesday 10:00 Shanghai).
final class TicketMergeTests: TicketTestCase {
    private var agentKey: String!
    private var customerID: String!

    override func setUp() async throws {
        try await super.setUp()
        agentKey = try await keyFor(try await addAgent("Agent An", tier: "mid"))
        let customer = try await withAPI { [key] api in try await api.post("/v1/customers", key: key, json(["name": "Li Na"])) }
        customerID = try require(customer["id"]?.string, customer.raw)
    }

    private func ticket(_ description: String, customer: String? = nil, priority: String = "P2") async throws -> String {
        let created = try await intake([
            "customer_id": customer ?? customerID!, "channel": "email", "category": "fault", "priority": priority,
            "description": description,
        ])
        XCTAssertEqual(created.status, .created, created.raw)
        return try require(created["id"]?.string)
    }

    private func merge(_ duplicate: String, into target: String, as caller: String? = nil) async throws -> APIClient.Reply {
        try await act(duplicate, "merge", ["into": target], as: caller ?? agentKey)
    }

    private func count(_ query: PostgresQuery) async throws -> Int { try await ownerPool.queryScalar(Int.self, query) ?? -1 }

    func testADuplicateIsClosedIntoTheCustomersOtherTicketWithAPointer() async throws {
        let target = try await ticket("Invoices fail to export")
        let duplicate = try await ticket("Export of invoices is broken again")
        clock.set(minutes(5))
        let merged = try await merge(duplicate, into: target)
        XCTAssertEqual(merged.status, .ok, merged.raw)
        XCTAssertEqual(merged["status"]?.string, "closed")
        XCTAssertEqual(merged["close_reason"]?.string, "merged")
        XCTAssertEqual(merged["merged_into"]?.string, target)
        XCTAssertEqual(date(merged["closed_at"]), minutes(5))
        let stored = try await get("/v1/tickets/\(duplicate)")
        XCTAssertEqual(stored.body, merged.body, "the answer is the stored ticket")

        // Its timers are disarmed; the target's keep running.
        let duplicateID = UUID(uuidString: duplicate)!
        let targetID = UUID(uuidString: target)!
        let pending = try await count("SELECT count(*) FROM ticket_timers WHERE ticket_id = \(duplicateID) AND done_at IS NULL")
        XCTAssertEqual(pending, 0)
        let targetPending = try await count("SELECT count(*) FROM ticket_timers WHERE ticket_id = \(targetID) AND done_at IS NULL")
        XCTAssertGreaterThan(targetPending, 0)
        clock.set(minutes(3 * 24 * 60))
        _ = try await worker.timers.sweep()
        let breaches = try await count("SELECT count(*) FROM ticket_sla_breaches WHERE ticket_id = \(duplicateID)")
        XCTAssertEqual(breaches, 0, "a merged duplicate breaches nothing")

        // An event on both tickets.
        let duplicateEvents = try await eventKinds(duplicate)
        XCTAssertEqual(duplicateEvents.last, "merged")
        let targetEvents = try await eventKinds(target)
        XCTAssertTrue(targetEvents.contains("merged_from"), "\(targetEvents)")
        let mergedEvent = try await ownerPool.queryFirst(
            "SELECT after->>'merged_into' AS into, before->>'status' AS before FROM ticket_events WHERE ticket_id = \(duplicateID) AND kind = 'merged'"
        )
        XCTAssertEqual(try mergedEvent?.decode(String.self, "into").lowercased(), target.lowercased())
        XCTAssertEqual(try mergedEvent?.decode(String.self, "before"), "assigned")
        let fromEvent = try await ownerPool.queryScalar(
            String.self,
            "SELECT after->>'ticket_id' FROM ticket_events WHERE ticket_id = \(targetID) AND kind = 'merged_from'"
        )
        XCTAssertEqual(fromEvent?.lowercased(), duplicate.lowercased())

        // The target's conversation shows the duplicate's messages, each with its own ticket id.
        let messages = try await get("/v1/tickets/\(target)/messages")["items"]?.array ?? []
        let bodies = messages.compactMap { $0["body"]?.string }
        XCTAssertTrue(bodies.contains("Invoices fail to export"))
        XCTAssertTrue(bodies.contains("Export of invoices is broken again"), "\(bodies)")
        let fromDuplicate = messages.filter { $0["ticket_id"]?.string == duplicate }
        XCTAssertFalse(fromDuplicate.isEmpty)
        let targetReference = try require(try await get("/v1/tickets/\(target)")["reference"]?.string)
        let notice = try await get("/v1/tickets/\(duplicate)/messages")["items"]?.array?.last
        XCTAssertEqual(notice?["visibility"]?.string, "public")
        XCTAssertEqual(notice?["body"]?.string, "您的问题已合并至工单\(targetReference)，我们将在该工单中继续为您处理。", "zh-CN by default")
        // The duplicate's own record is unchanged otherwise: nothing moved.
        let stillThere = try await count("SELECT count(*) FROM ticket_messages WHERE ticket_id = \(duplicateID)")
        XCTAssertGreaterThanOrEqual(stillThere, 2)
    }

    func testTheMergeNoticeIsTheTenantsTemplateInItsLanguage() async throws {
        let patched = try await withAPI { [key] api in try await api.patch("/v1/settings", key: key, json(["settings": ["locale": "en"]])) }
        XCTAssertEqual(patched.status, .ok, patched.raw)
        let target = try await ticket("Invoices fail to export")
        let duplicate = try await ticket("Export of invoices is broken again")
        let merged = try await merge(duplicate, into: target)
        XCTAssertEqual(merged.status, .ok, merged.raw)
        let targetReference = try require(try await get("/v1/tickets/\(target)")["reference"]?.string)
        let duplicateReference = try require(try await get("/v1/tickets/\(duplicate)")["reference"]?.string)
        var notice = try await get("/v1/tickets/\(duplicate)/messages")["items"]?.array?.last
        XCTAssertEqual(notice?["body"]?.string, "Your request has been merged into \(targetReference); we will continue to help you there.")

        // The tenant's own English text, with both references.
        let third = try await ticket("Exports fail a third time")
        let put = try await withAPI { [key] api in
            try await api.send(.put, "/v1/templates/merge_notice/en", key: key, body: json(["body": "{{ticket_reference}} -> {{target_reference}}"]))
        }
        XCTAssertEqual(put.status, .ok, put.raw)
        let mergedThird = try await merge(third, into: target)
        XCTAssertEqual(mergedThird.status, .ok, mergedThird.raw)
        let thirdReference = try require(try await get("/v1/tickets/\(third)")["reference"]?.string)
        notice = try await get("/v1/tickets/\(third)/messages")["items"]?.array?.last
        XCTAssertEqual(notice?["body"]?.string, "\(thirdReference) -> \(targetReference)")
        XCTAssertNotEqual(thirdReference, duplicateReference)
    }

    func testMergesThatCannotBeAreRefusedAndChangeNothing() async throws {
        let target = try await ticket("Invoices fail to export")
        let duplicate = try await ticket("Export of invoices is broken again")
        let second = try await ticket("Another question of the same customer")
        let stranger = try await intake([
            "customer": ["name": "Wang Wu"], "channel": "email", "category": "fault", "description": "Not the same customer",
        ])
        let strangers = try require(stranger["id"]?.string)
        let pair = [UUID(uuidString: duplicate)!, UUID(uuidString: target)!]
        let before = try await count("SELECT count(*) FROM ticket_events WHERE ticket_id = ANY (\(pair))")

        let itself = try await merge(duplicate, into: duplicate)
        XCTAssertEqual(itself.status, .unprocessableContent, itself.raw)
        XCTAssertEqual(itself.errorField, "into")
        let unknown = try await merge(duplicate, into: UUID().uuidString)
        XCTAssertEqual(unknown.errorField, "into", unknown.raw)
        let ansecond = try await merge(duplicate, into: strangers)
        XCTAssertEqual(ansecond.status, .unprocessableContent, ansecond.raw)
        XCTAssertEqual(ansecond.errorField, "into")
        let missing = try await act(duplicate, "merge", [:], as: agentKey)
        XCTAssertEqual(missing.errorField, "into", missing.raw)
        let notAnID = try await act(duplicate, "merge", ["into": "T-000001"], as: agentKey)
        XCTAssertEqual(notAnID.errorField, "into", notAnID.raw)
        let noTicket = try await merge(UUID().uuidString, into: target)
        XCTAssertEqual(noTicket.status, .notFound, noTicket.raw)

        // A target that is not open: resolved, closed, archived.
        _ = try await act(second, "resolve", ["solution_summary": "Fixed"])
        let resolved = try await merge(duplicate, into: second)
        XCTAssertEqual(resolved.status, .conflict, resolved.raw)
        _ = try await act(second, "close")
        let closed = try await merge(duplicate, into: second)
        XCTAssertEqual(closed.status, .conflict, closed.raw)
        try await ownerPool.execute("UPDATE tickets SET status = 'archived', archived_at = now() WHERE id = \(UUID(uuidString: second)!)")
        let archived = try await merge(duplicate, into: second)
        XCTAssertEqual(archived.status, .conflict, archived.raw)
        // A duplicate that is not open.
        let fromArchived = try await merge(second, into: target, as: key)
        XCTAssertEqual(fromArchived.status, .conflict, fromArchived.raw)
        let after = try await count("SELECT count(*) FROM ticket_events WHERE ticket_id = ANY (\(pair))")
        XCTAssertEqual(before, after, "nothing recorded on either ticket")
        let untouched = try await get("/v1/tickets/\(duplicate)")
        XCTAssertEqual(untouched["status"]?.string, "assigned")
        XCTAssertNil(untouched["merged_into"])

        // Merged once, the duplicate is closed: merging again, or into it, is a conflict.
        let once = try await merge(duplicate, into: target)
        XCTAssertEqual(once.status, .ok, once.raw)
        let twice = try await merge(duplicate, into: target)
        XCTAssertEqual(twice.status, .conflict, twice.raw)
        let third = try await ticket("Third time")
        let intoMerged = try await merge(third, into: duplicate)
        XCTAssertEqual(intoMerged.status, .conflict, intoMerged.raw)
    }

    func testOnlyTheOwnerASupervisorOrAnAdminMerges() async throws {
        let target = try await ticket("Invoices fail to export")
        let duplicate = try await ticket("Export of invoices is broken again")
        let otherKey = try await keyFor(try await addAgent("Agent Bo", duty: "away"))
        let refused = try await merge(duplicate, into: target, as: otherKey)
        XCTAssertEqual(refused.status, .forbidden, refused.raw)
        let qaKey = try await keyFor(try await addAgent("Qa Qi", role: "qa", duty: "away"))
        let byQA = try await merge(duplicate, into: target, as: qaKey)
        XCTAssertEqual(byQA.status, .forbidden, byQA.raw)
        let byAdmin = try await merge(duplicate, into: target, as: key)
        XCTAssertEqual(byAdmin.status, .ok, byAdmin.raw)
    }

    func testAnotherTenantsKeyAndTicketsAreUnknown() async throws {
        let target = try await ticket("Invoices fail to export")
        let duplicate = try await ticket("Export of invoices is broken again")
        let other = try await makeTenant("globex")
        let foreign = try await withAPI { api in try await api.post("/v1/tickets/\(duplicate)/merge", key: other.apiKey, json(["into": target])) }
        XCTAssertEqual(foreign.status, .notFound, foreign.raw)
        let theirs = try await withAPI { api in
            try await api.post(
                "/v1/tickets",
                key: other.apiKey,
                json(["customer": ["name": "Li Na"], "channel": "email", "category": "fault", "description": "Theirs"])
            )
        }
        let theirID = try require(theirs["id"]?.string)
        let intoForeign = try await merge(duplicate, into: theirID, as: key)
        XCTAssertEqual(intoForeign.errorField, "into", "another tenant's ticket is no ticket: \(intoForeign.raw)")
        XCTAssertEqual(intoForeign["error"]?["message"]?.string, "into: no such ticket")
    }
}
