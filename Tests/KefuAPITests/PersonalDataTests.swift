import Foundation
import KefuCore
import KefuTestSupport
import XCTest

/// A customer's personal data (PIPL / GDPR) through the real API: the export holds everything
/// about them; erasure leaves nothing that identifies them anywhere the API shows (archived
/// tickets included), records who, when and why, keeps the reports' numbers, and is for admins
/// of the customer's own tenant only.
final class PersonalDataTests: TicketTestCase {
    static let name = "Zhang Wei"
    static let phone = "+86 139 1234 5678"
    static let email = "zhang.wei@example.cn"
    static let externalID = "crm-zw-7"
    static let subject = "Refund for Zhang Wei"
    static let description = "I am Zhang Wei, call me on +86 139 1234 5678 about order 8812."
    /// Every text that identifies the customer; none may be found after erasure.
    static let needles = [name, phone, email, externalID, subject, "order 8812"]

    /// A customer with contacts and two tickets: one resolved and archived (a reply naming them,
    /// an internal note with their phone, a neutral note), one open.
    private func customerWithHistory() async throws -> (customer: String, archived: String, open: String) {
        let created = try await withAPI { [key] api in
            try await api.post(
                "/v1/customers",
                key: key,
                json([
                    "name": Self.name, "external_id": Self.externalID,
                    "contacts": [
                        ["kind": "phone", "value": Self.phone, "consent": true], ["kind": "email", "value": Self.email, "consent": true],
                    ],
                ])
            )
        }
        XCTAssertEqual(created.status, .created, created.raw)
        let customer = try require(created["id"]?.string)
        var tickets: [String] = []
        for channel in ["email", "chat"] {
            let reply = try await intake([
                "customer_id": customer, "channel": channel, "category": "fault", "priority": "P3",
                "subject": Self.subject, "description": Self.description, "contact": Self.email,
            ])
            XCTAssertEqual(reply.status, .created, reply.raw)
            tickets.append(try require(reply["id"]?.string))
        }
        let value1 = try await act(tickets[0], "assign")
        XCTAssertEqual(value1.status, .ok)
        let value2 = try await act(tickets[0], "respond", ["body": "Hello \(Self.name), we are on it."])
        XCTAssertEqual(value2.status, .ok)
        let value3 = try await act(tickets[0], "notes", ["body": "Called \(Self.phone) twice."])
        XCTAssertEqual(value3.status, .ok)
        let value4 = try await act(tickets[0], "notes", ["body": "Checked the payment logs."])
        XCTAssertEqual(value4.status, .ok)
        let resolved = try await act(tickets[0], "resolve", ["solution_summary": "Refunded \(Self.name)."])
        XCTAssertEqual(resolved.status, .ok, resolved.raw)
        // Archived as the worker's archive timer would (the test fixture of TenantDeletionTests).
        try await ownerPool.execute(
            """
            UPDATE tickets SET status = 'archived', archived_at = now() WHERE tenant_id = \(tenantID) AND id = \(try require(UUID(uuidString: tickets[0])))
            """
        )
        let value5 = try await get("/v1/tickets/\(tickets[0])")
        XCTAssertEqual(value5["status"]?.string, "archived")
        // A transfer's reason and hand-over note are copied into the event log too.
        let colleague = try await addAgent("Colleague Qian", tier: "mid")
        let assigned = try await act(tickets[1], "assign")
        XCTAssertEqual(assigned.status, .ok, assigned.raw)
        let transferred = try await act(
            tickets[1],
            "transfer",
            ["to_agent_id": colleague.id.uuidString, "reason": "\(Self.name) wants Mandarin", "handover_note": "Call \(Self.phone)"]
        )
        XCTAssertEqual(transferred.status, .ok, transferred.raw)
        // So is an edited subject (before and after).
        let open = tickets[1]
        let edited = try await withAPI { [key] api in
            try await api.patch("/v1/tickets/\(open)", key: key, json(["subject": "\(Self.subject), urgent"]))
        }
        XCTAssertEqual(edited.status, .ok, edited.raw)
        return (customer, tickets[0], tickets[1])
    }

    private func erase(
        _ customer: String,
        reason: String = "Customer request under PIPL art. 47",
        key caller: String? = nil
    )
        async throws -> APIClient.Reply
    {
        let body = json(["reason": reason])
        return try await withAPI { [key] api in try await api.post("/v1/customers/\(customer)/erase", key: caller ?? key, body) }
    }

    func testTheExportHoldsTheCustomerTheirTicketsAndTheirRecords() async throws {
        let history = try await customerWithHistory()
        let supervisor = try await keyFor(try await addAgent("Sun Supervisor", role: "supervisor"))
        let export = try await withAPI { api in try await api.get("/v1/customers/\(history.customer)/export", key: supervisor) }
        XCTAssertEqual(export.status, .ok, export.raw)
        XCTAssertEqual(export["customer"]?["name"]?.string, Self.name)
        XCTAssertEqual(export["customer"]?["contacts"]?.array?.count, 2)
        XCTAssertNil(export["erasure"], "never erased")
        XCTAssertEqual(Set(export["tickets"]?.array?.compactMap { $0["id"]?.string } ?? []), [history.archived, history.open])
        let bodies = export["messages"]?.array?.compactMap { $0["body"]?.string } ?? []
        XCTAssertTrue(bodies.contains(Self.description))
        XCTAssertTrue(bodies.contains("Called \(Self.phone) twice."), "internal notes are exported too")
        let kinds = Set(export["events"]?.array?.compactMap { $0["kind"]?.string } ?? [])
        XCTAssertTrue(kinds.contains("created"), "\(kinds)")
        XCTAssertEqual(export["assignments"]?.array?.count, 3, "the archived ticket's assignment, the open one's and its transfer")
        XCTAssertEqual(export["surveys"]?.array?.count, 1, "the survey of the resolved ticket")
        XCTAssertNotNil(export["followups"]?.array)
        XCTAssertTrue(export.raw.contains("\"first_seen_at\""), "snake_case, the API's JSON convention")
    }

    func testErasureLeavesNothingThatIdentifiesTheCustomerAndKeepsTheReports() async throws {
        let history = try await customerWithHistory()
        let other = try await intake(["customer": ["name": "Li Na"], "channel": "phone", "category": "inquiry", "description": "Li Na asks"])
        XCTAssertEqual(other.status, .created, other.raw)
        let weekly = "/v1/reports/weekly?week_start=2025-11-24"
        let reportBefore = try await get(weekly)
        XCTAssertEqual(reportBefore.status, .ok, reportBefore.raw)
        XCTAssertEqual(reportBefore["total_tickets"]?.number, 3)

        let erased = try await erase(history.customer)
        XCTAssertEqual(erased.status, .ok, erased.raw)
        XCTAssertEqual(erased["already_erased"]?.bool, false)
        XCTAssertEqual(erased["tickets"]?.number, 2)
        XCTAssertEqual(erased["erased_by"]?.string, tenant.admin.id.uuidString)

        let reportAfter = try await get(weekly)
        XCTAssertEqual(reportAfter.body, reportBefore.body, "numbers, timings, priorities and tags stay")

        let customer = try await get("/v1/customers/\(history.customer)")
        XCTAssertEqual(customer["name"]?.string, "[erased]")
        XCTAssertEqual(customer["contacts"]?.array?.count, 0)
        XCTAssertNil(customer["external_id"])
        XCTAssertNotNil(customer["erased_at"])
        let search = try await get("/v1/customers?q=Zhang")
        XCTAssertEqual(search["items"]?.array?.count, 0)
        let everyone = try await get("/v1/customers?limit=100")
        XCTAssertFalse(everyone.raw.contains(history.customer), "erased customers are left out of lists")
        XCTAssertTrue(everyone.raw.contains("Li Na"), "other customers stay")

        for query in ["Zhang", "8812", "Refund"] {
            let found = try await get("/v1/tickets?q=\(query)")
            XCTAssertEqual(found.status, .ok, found.raw)
            XCTAssertEqual(found["items"]?.array?.count, 0, "search finds nothing of the erased customer for \(query)")
        }
        var shown: [APIClient.Reply] = [customer, everyone, try await get("/v1/tickets?limit=100")]
        for ticket in [history.archived, history.open] {
            for path in ["", "/messages", "/events", "/assignments"] { shown.append(try await get("/v1/tickets/\(ticket)\(path)")) }
        }
        let export = try await get("/v1/customers/\(history.customer)/export")
        shown.append(export)
        for reply in shown {
            XCTAssertEqual(reply.status, .ok, reply.raw)
            for needle in Self.needles {
                XCTAssertFalse(reply.raw.lowercased().contains(needle.lowercased()), "\(needle) is still in \(reply.raw)")
            }
        }
        let value6 = try await get("/v1/tickets/\(history.archived)")
        XCTAssertEqual(value6["status"]?.string, "archived", "archived, and erased all the same")
        let notes = try await get("/v1/tickets/\(history.archived)/messages").raw
        XCTAssertTrue(notes.contains("Checked the payment logs."), "an internal note that does not name the customer stays")
        XCTAssertEqual(export["erasure"]?["reason"]?.string, "Customer request under PIPL art. 47")
        let value7 = try await get("/v1/tickets/\(other.body["id"]?.string ?? "")")
        XCTAssertEqual(value7["description"]?.string, "Li Na asks")

        for ticket in [history.archived, history.open] {
            let events = try await get("/v1/tickets/\(ticket)/events")["items"]?.array ?? []
            let erasedEvent = try require(events.first { $0["kind"]?.string == "erased" })
            XCTAssertEqual(erasedEvent["actor_id"]?.string, tenant.admin.id.uuidString)
            XCTAssertEqual(erasedEvent["after"]?["reason"]?.string, "Customer request under PIPL art. 47")
        }

        let again = try await erase(history.customer, reason: "again")
        XCTAssertEqual(again.status, .ok, again.raw)
        XCTAssertEqual(again["already_erased"]?.bool, true, "idempotent: the first erasure's record")
        XCTAssertEqual(again["reason"]?.string, "Customer request under PIPL art. 47")
        let events = try await get("/v1/tickets/\(history.open)/events")["items"]?.array ?? []
        XCTAssertEqual(events.filter { $0["kind"]?.string == "erased" }.count, 1, "erasing twice records once")
    }

    func testErasureReachesProblemReportsAndNotificationsAboutTheirTickets() async throws {
        let history = try await customerWithHistory()
        let tag = try await withAPI { [key] api in try await api.post("/v1/tags", key: key, json(["name": "refund delay"])) }
        let tagID = try require(UUID(uuidString: tag["id"]?.string ?? ""), tag.raw)
        // A report as the worker files it, then completed by a supervisor who typed the customer in.
        try await ownerPool.execute(
            """
            INSERT INTO problem_reports (tenant_id, tag_id, week_start, ticket_count, occurrences, due_at, created_at, updated_at)
            VALUES (\(tenantID), \(tagID), '2025-11-24', 5, 5, now() + interval '1 day', now(), now())
            """
        )
        let report = try require(try await ownerPool.queryScalar(UUID.self, "SELECT id FROM problem_reports WHERE tenant_id = \(tenantID)"))
        let fields = json([
            "problem": "Refunds stall, e.g. \(Self.name) (\(Self.phone))", "suggested_fix": "Call \(Self.email) back first",
            "ticket_ids": [history.open],
        ])
        let filled = try await withAPI { [key] api in try await api.patch("/v1/problem-reports/\(report)", key: key, fields) }
        XCTAssertEqual(filled.status, .ok, filled.raw)
        // Notifications about their ticket: one names them, one does not.
        let openID = try require(UUID(uuidString: history.open))
        try await ownerPool.execute(
            """
            INSERT INTO notifications (tenant_id, recipient_id, kind, ticket_id, message, created_at)
            VALUES (\(tenantID), \(tenant.admin.id), 'sla_breach', \(openID), 'Call ' || \(Self.name) || ' back today', now()),
                   (\(tenantID), \(tenant.admin.id), 'sla_breach', \(openID), 'A neutral reminder', now())
            """
        )

        let erased = try await erase(history.customer)
        XCTAssertEqual(erased.status, .ok, erased.raw)
        let after = try await get("/v1/problem-reports/\(report)")
        let notifications = try await get("/v1/notifications?all=true&limit=100")
        for reply in [after, notifications] {
            XCTAssertEqual(reply.status, .ok, reply.raw)
            for needle in Self.needles + [Self.email] {
                XCTAssertFalse(reply.raw.lowercased().contains(needle.lowercased()), "\(needle) is still in \(reply.raw)")
            }
        }
        XCTAssertEqual(after["problem"]?.string, "[erased]")
        XCTAssertEqual(after["suggested_fix"]?.string, "[erased]")
        XCTAssertEqual(after["occurrences"]?.number, 5, "the numbers stay")
        XCTAssertEqual(after["ticket_ids"]?.array?.compactMap(\.string), [history.open])
        XCTAssertTrue(notifications.raw.contains("A neutral reminder"), "a message that does not name the customer stays")
    }

    func testAnErasedCustomerIsNotWrittenAgainNorGivenNewTickets() async throws {
        let history = try await customerWithHistory()
        let erased = try await erase(history.customer)
        XCTAssertEqual(erased.status, .ok, erased.raw)

        let renamed = try await withAPI { [key] api in
            try await api.patch("/v1/customers/\(history.customer)", key: key, json(["name": Self.name]))
        }
        XCTAssertEqual(renamed.status, .conflict, renamed.raw)
        let intake = try await intake([
            "customer_id": history.customer, "channel": "email", "category": "fault", "description": "New problem",
        ])
        XCTAssertEqual(intake.status, .unprocessableContent, intake.raw)
        XCTAssertEqual(intake["error"]?["field"]?.string, "customer_id")

        let customer = try await get("/v1/customers/\(history.customer)")
        XCTAssertEqual(customer["name"]?.string, "[erased]", "nothing was written")
        let tickets = try await ownerPool.queryScalar(Int.self, "SELECT count(*) FROM tickets WHERE tenant_id = \(tenantID)")
        XCTAssertEqual(tickets, 2, "no ticket was opened for the erased customer")
    }

    func testErasureIsForAdminsAndNeedsAReason() async throws {
        let history = try await customerWithHistory()
        for role in ["agent", "supervisor", "qa"] {
            let caller = try await keyFor(try await addAgent("Caller \(role)", role: role))
            let refused = try await erase(history.customer, key: caller)
            XCTAssertEqual(refused.status, .forbidden, "\(role): \(refused.raw)")
            XCTAssertEqual(refused.errorCode, "forbidden")
            let export = try await withAPI { api in try await api.get("/v1/customers/\(history.customer)/export", key: caller) }
            XCTAssertEqual(export.status, role == "supervisor" ? .ok : .forbidden, "\(role) export")
        }
        for body in ["{}", json(["reason": "   "]), json(["reason": String(repeating: "x", count: 501)])] {
            let reply = try await withAPI { [key] api in try await api.post("/v1/customers/\(history.customer)/erase", key: key, body) }
            XCTAssertEqual(reply.status, .unprocessableContent, reply.raw)
            XCTAssertEqual(reply.errorField, "reason", reply.raw)
        }
        let value8 = try await get("/v1/customers/\(history.customer)")
        XCTAssertEqual(value8["name"]?.string, Self.name, "nothing was erased")
    }

    func testAnotherTenantsCustomerIsNotFound() async throws {
        let history = try await customerWithHistory()
        let other = try await makeTenant("other")
        let export = try await withAPI { api in try await api.get("/v1/customers/\(history.customer)/export", key: other.apiKey) }
        XCTAssertEqual(export.status, .notFound, export.raw)
        let erased = try await erase(history.customer, key: other.apiKey)
        XCTAssertEqual(erased.status, .notFound, erased.raw)
        let value9 = try await get("/v1/customers/\(history.customer)")
        XCTAssertEqual(value9["name"]?.string, Self.name, "untouched")
    }
}
