import Foundation
import KefuCore
import KefuPostgres
import KefuTestSupport
import XCTest

final class TicketLifecycleTests: TicketTestCase {
    private func newTicket(priority: String = "P2", channel: String = "phone") async throws -> String {
        let created = try await intake([
            "customer": ["name": "Li Na"], "channel": channel, "category": "fault", "priority": priority,
            "description": "The app crashes when I open my orders.",
        ])
        XCTAssertEqual(created.status, .created, created.raw)
        return try require(created["id"]?.string)
    }

    func testEachTransitionIsCheckedAndInvalidOnesAre409() async throws {
        let agent = try await addAgent("Zhou Min", tier: "mid")
        let agentKey = try await keyFor(agent)
        let id = try await newTicket()
        let expectations: [(String, [String: Any], Int, String?)] = [
            ("reopen", ["reason": "x"], 409, nil),
            ("close", [:], 409, nil),
            ("customer-reply", ["body": "hello?"], 200, "assigned"),
            ("respond", ["body": "Looking into it"], 200, "in_progress"),
            ("request-info", ["body": "Which phone model?"], 200, "waiting_on_customer"),
            ("request-info", ["body": "again"], 409, nil),
            ("customer-reply", ["body": "iPhone 15"], 200, "in_progress"),
            ("escalate", ["department_id": UUID().uuidString, "note": "x"], 422, nil),
            ("resolve", ["solution_summary": "Fixed in 2.3.1"], 200, "resolved"),
            ("respond", ["body": "more"], 409, nil),
            ("reopen", ["reason": "still crashes"], 200, "in_progress"),
            ("resolve", ["solution_summary": "Cache cleared"], 200, "resolved"),
            ("close", [:], 200, "closed"),
            ("reopen", ["reason": "x"], 409, nil),
        ]
        for (action, body, status, expected) in expectations {
            // The customer writes through an integration key or an admin, never through an agent.
            let reply = try await act(id, action, body, as: action == "customer-reply" ? nil : agentKey)
            XCTAssertEqual(Int(reply.status.code), status, "\(action): \(reply.raw)")
            if let expected { XCTAssertEqual(reply["status"]?.string, expected, action) }
            if status == 409 { XCTAssertEqual(reply.errorCode, "conflict") }
        }
        let stored = try await ownerPool.queryFirst("SELECT status, reopen_count FROM tickets")
        XCTAssertEqual(try stored?.decode(String.self, "status"), "closed")
        XCTAssertEqual(try stored?.decode(Int.self, "reopen_count"), 1)
    }

    func testWaitingOnTheCustomerPausesTheClocksAndResumesThemExactly() async throws {
        let agent = try await addAgent("Zhou Min", tier: "mid")
        let agentKey = try await keyFor(agent)
        let id = try await newTicket(priority: "P2")  // plan due 14:00 (4 h)
        clock.set(minutes(10))
        _ = try await act(id, "respond", ["body": "On it"], as: agentKey)
        clock.set(minutes(20))
        let waiting = try await act(id, "request-info", ["body": "Which version?"], as: agentKey)
        XCTAssertEqual(date(waiting["sla_paused_at"]), minutes(20))
        XCTAssertEqual(date(waiting["progress_due_at"]), minutes(140))
        clock.set(minutes(80))  // 60 minutes of business time waiting
        let resumed = try await act(id, "customer-reply", ["body": "Version 2.3.0"])
        XCTAssertNil(resumed["sla_paused_at"]?.string)
        XCTAssertEqual(date(resumed["plan_due_at"]), minutes(240 + 60))
        XCTAssertEqual(date(resumed["progress_due_at"]), minutes(140 + 60))
        let events = try await get("/v1/tickets/\(id)/events")
        let resume = events["items"]?.array?.first { $0["kind"]?.string == "sla_resumed" }
        XCTAssertEqual(resume?["after"]?["paused_seconds"]?.number, 3600)
        XCTAssertEqual(date(resume?["before"]?["plan_due_at"]), minutes(240))
    }

    func testAPauseOverNightCountsOnlyBusinessTime() async throws {
        let agent = try await addAgent("Zhou Min", tier: "mid")
        let agentKey = try await keyFor(agent)
        clock.set(minutes(7 * 60))  // 17:00 Tuesday
        let id = try await newTicket(priority: "P2")  // plan due Wednesday 12:00 (1 h today + 3 h tomorrow)
        let created = try await get("/v1/tickets/\(id)")
        XCTAssertEqual(date(created["plan_due_at"]), minutes(26 * 60))
        clock.set(minutes(7 * 60 + 30))  // 17:30
        _ = try await act(id, "request-info", ["body": "Screenshot please"], as: agentKey)
        clock.set(minutes(24 * 60 - 30))  // Wednesday 09:30: 30 + 30 business minutes paused
        let resumed = try await act(id, "customer-reply", ["body": "Attached"])
        XCTAssertEqual(date(resumed["plan_due_at"]), minutes(26 * 60 + 60))
    }

    func testTransferKeepsFirstOwnerConversationAndTellsTheCustomer() async throws {
        let first = try await addAgent("First Fang", tier: "mid")
        let firstKey = try await keyFor(first)
        let second = try await addAgent("Second Song", tier: "senior", duty: "off_rotation")
        let id = try await newTicket()
        _ = try await act(id, "respond", ["body": "Hello, I am on it"], as: firstKey)
        let missingNote = try await act(id, "transfer", ["to_agent_id": second.id.uuidString, "reason": "needs senior"], as: firstKey)
        XCTAssertEqual(missingNote.errorField, "handover_note")
        clock.set(minutes(15))
        let transferred = try await act(
            id,
            "transfer",
            [
                "to_agent_id": second.id.uuidString, "reason": "needs a senior for a refund above limit",
                "handover_note": "Customer verified; refund of 800 CNY pending approval.",
            ],
            as: firstKey
        )
        XCTAssertEqual(transferred.status, .ok, transferred.raw)
        XCTAssertEqual(transferred["owner_id"]?.string, second.id.uuidString)
        XCTAssertEqual(transferred["first_owner_id"]?.string, first.id.uuidString, "first-contact ownership stays on record")

        let messages = try await get("/v1/tickets/\(id)/messages")
        let bodies = (messages["items"]?.array ?? []).compactMap { $0["body"]?.string }
        XCTAssertTrue(bodies.contains("Hello, I am on it"), "the conversation stays with the ticket")
        XCTAssertTrue(bodies.contains("您的问题已转交给同事Second Song，将继续为您处理。"), "\(bodies)")

        let history = try await get("/v1/tickets/\(id)/assignments")
        let entries = history["items"]?.array ?? []
        XCTAssertEqual(entries.compactMap { $0["kind"]?.string }, ["initial", "transfer"])
        XCTAssertEqual(entries.last?["reason"]?.string, "needs a senior for a refund above limit")
        XCTAssertEqual(entries.last?["from_agent_id"]?.string, first.id.uuidString)
        XCTAssertEqual(entries.last?["by_agent_id"]?.string, first.id.uuidString)
        XCTAssertEqual(date(entries.last?["created_at"]), minutes(15))
    }

    func testRedispatchRecordsHowLongAfterAssignmentItHappened() async throws {
        try await addAgent("Wrong Wu", tier: "junior")
        let right = try await addAgent("Right Ren", tier: "mid", skills: ["refund"], duty: "off_rotation")
        let id = try await newTicket()
        clock.set(minutes(8.0 / 60))  // 8 seconds later
        let redispatched = try await act(id, "redispatch", ["to_agent_id": right.id.uuidString, "reason": "refund question, not technical"])
        XCTAssertEqual(redispatched["owner_id"]?.string, right.id.uuidString, redispatched.raw)
        let history = try await get("/v1/tickets/\(id)/assignments")
        XCTAssertEqual(history["items"]?.array?.last?["seconds_since_previous"]?.number ?? -1, 8, accuracy: 0.001)
    }

    func testEscalationToADepartmentSetsItsDeadlineAndTellsTheCustomer() async throws {
        let agent = try await addAgent("Zhou Min", tier: "mid")
        let agentKey = try await keyFor(agent)
        let department = try await services.departments.create(tenantID, NewDepartment(name: "Warehouse"))
        let id = try await newTicket()
        let escalated = try await act(id, "escalate", ["department_id": department.id.uuidString, "note": "Parcel lost in transit?"], as: agentKey)
        XCTAssertEqual(escalated["status"]?.string, "escalated", escalated.raw)
        XCTAssertEqual(escalated["department_id"]?.string, department.id.uuidString)
        XCTAssertEqual(date(escalated["department_due_at"]), minutes(120))
        let messages = try await get("/v1/tickets/\(id)/messages")
        let notice = messages["items"]?.array?.last { $0["visibility"]?.string == "public" }
        XCTAssertEqual(notice?["body"]?.string, "您的问题已提交给Warehouse团队处理。预计将于11月25日 12:00前答复您。")
    }

    func testTheAuditTrailIsAppendOnlyForTheApplication() async throws {
        try await addAgent("Zhou Min")
        let id = try await newTicket()
        let app = try await PostgresConnection.connect(database.appConfiguration)
        do {
            try await app.transaction(setup: ["SELECT set_config('app.tenant_id', \(tenantID.uuidString), true)"]) { tx in
                try await tx.execute("UPDATE ticket_events SET kind = 'forged' WHERE ticket_id = \(try require(UUID(uuidString: id)))")
            }
            XCTFail("events must not be editable")
        } catch let error as PostgresError {
            XCTAssertTrue(error.isInsufficientPrivilege)
        }
        await app.close()
    }

    func testQAInspectorsReadButDoNotAct() async throws {
        try await addAgent("Zhou Min")
        let qa = try await addAgent("Quality Qian", role: "qa")
        let id = try await newTicket()
        let reply = try await act(id, "notes", ["body": "x"], as: try await keyFor(qa))
        XCTAssertEqual(reply.status, .forbidden)
    }
}
