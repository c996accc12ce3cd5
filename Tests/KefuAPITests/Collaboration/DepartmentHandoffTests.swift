import Foundation
import KefuCore
import KefuPostgres
import KefuTestSupport
import XCTest

/// A department round trip at exact instants (Tuesday from 10:00 Shanghai, business hours
/// 09:00–18:00, default settings): escalate (the members are notified, acknowledgement due in
/// 15 min), acknowledge, blocker (due 60 min after the reply deadline), solution ready (hand-back
/// due in 60 min), hand-back (the owner contacts the customer within 30 min), and the missing-
/// information request (15 min after the first response). Each deadline missed once is breached
/// by the worker at its exact instant; the happy path meets them all.
final class DepartmentHandoffTests: TicketTestCase {
    func testEachDeadlineMissedOnceIsBreachedByTheWorkerAtItsExactInstant() async throws {
        let cast = try await collaborationCast()
        let ticket = cast.ticket
        let supervisor = cast.supervisor.id

        // 10:05 a first response saying information is missing: ask by 10:20.
        clock.set(minutes(5))
        let responded = try await act(ticket, "respond", ["body": "Which order?", "missing_info": true], as: cast.ownerKey)
        XCTAssertEqual(date(responded["info_request_due_at"]), minutes(20), responded.raw)
        try await assertBreachedExactly("info_request", due: minutes(20), ticket, supervisor: supervisor)
        clock.set(minutes(25))
        let asked = try await act(ticket, "request-info", ["body": "Please send the order number"], as: cast.ownerKey)
        XCTAssertEqual(date(asked["info_requested_at"]), minutes(25))
        _ = try await act(ticket, "customer-reply", ["body": "Order 42"])

        // 10:30 escalation: acknowledge by 10:45, reply by 12:30, blocker report by 13:30.
        clock.set(minutes(30))
        let escalated = try await act(ticket, "escalate", ["department_id": cast.departmentID, "note": "Refund stuck"], as: cast.ownerKey)
        XCTAssertEqual(escalated["status"]?.string, "escalated", escalated.raw)
        XCTAssertEqual(date(escalated["department_notify_due_at"]), minutes(45))
        XCTAssertEqual(date(escalated["blocker_report_due_at"]), minutes(210))
        let told = try await notifications("department_escalation", to: cast.member.id, ticket, containing: "escalated to Billing")
        XCTAssertEqual(told, 1, "the department's member is notified at once")
        let outsiderTold = try await notifications("department_escalation", to: cast.outsider.id, ticket)
        XCTAssertEqual(outsiderTold, 0)
        try await assertBreachedExactly("department_notify", due: minutes(45), ticket, supervisor: supervisor)
        clock.set(minutes(50))
        let acked = try await act(ticket, "department-ack", as: cast.memberKey)
        XCTAssertEqual(date(acked["department_acked_at"]), minutes(50), acked.raw)

        // No hand-back by 12:30: blocked; the blocker report is due 13:30.
        try await assertBreachedExactly("blocker_report", due: minutes(210), ticket, supervisor: supervisor)
        clock.set(minutes(220))
        let blocked = try await act(ticket, "department-blocker", ["reason": "The bank has not answered"], as: cast.memberKey)
        XCTAssertEqual(blocked.status, .ok, blocked.raw)
        let blockerAlert = try await notifications("department_blocked", to: supervisor, ticket, containing: "The bank has not answered")
        XCTAssertEqual(blockerAlert, 1)

        // 14:00 the solution is ready: hand back by 15:00.
        clock.set(minutes(240))
        let ready = try await act(ticket, "department-solved", ["body": "Refund re-sent"], as: cast.memberKey)
        XCTAssertEqual(date(ready["solution_handback_due_at"]), minutes(300), ready.raw)
        try await assertBreachedExactly("solution_handback", due: minutes(300), ticket, supervisor: supervisor)
        clock.set(minutes(310))
        let handedBack = try await act(ticket, "department-reply", ["body": "Refund re-sent, arrives tomorrow"], as: cast.memberKey)
        XCTAssertEqual(handedBack["status"]?.string, "in_progress", handedBack.raw)
        XCTAssertEqual(date(handedBack["customer_contact_due_at"]), minutes(340))

        // The owner must contact the customer by 15:40.
        try await assertBreachedExactly("customer_contact", due: minutes(340), ticket, supervisor: supervisor)
        clock.set(minutes(345))
        let contacted = try await act(ticket, "respond", ["body": "Your refund arrives tomorrow"], as: cast.ownerKey)
        XCTAssertEqual(date(contacted["customer_contacted_at"]), minutes(345))

        // One breach per deadline: the late actions found the worker's and added none.
        let breaches = try await get("/v1/tickets/\(ticket)/breaches")
        let clocks = (breaches["items"]?.array ?? []).compactMap { $0["clock"]?.string }
        for clock in ["info_request", "department_notify", "blocker_report", "solution_handback", "customer_contact"] {
            XCTAssertEqual(clocks.filter { $0 == clock }.count, 1, clock)
        }
        // Besides the supervisor: the department hears of its own missed deadlines, the owner of theirs.
        for clock in ["department notify", "blocker report", "solution handback"] {
            let reminded = try await notifications("department_reminder", to: cast.member.id, ticket, containing: clock)
            XCTAssertEqual(reminded, 1, clock)
        }
        let outsiderReminded = try await notifications("department_reminder", to: cast.outsider.id, ticket)
        XCTAssertEqual(outsiderReminded, 0)
        for text in ["missing information", "hand-back"] {
            let reminded = try await notifications("owner_reminder", to: cast.owner.id, ticket, containing: text)
            XCTAssertEqual(reminded, 1, text)
        }
        let kinds = try await eventKinds(ticket)
        for kind in [
            "info_missing", "department_notified", "department_acknowledged", "department_blocked", "department_solution_ready", "department_replied",
        ] {
            XCTAssertTrue(kinds.contains(kind), kind)
        }
    }

    func testTheHappyRoundTripMeetsEveryDeadline() async throws {
        let cast = try await collaborationCast(priority: "P2")
        let ticket = cast.ticket
        clock.set(minutes(5))
        _ = try await act(ticket, "respond", ["body": "Which order?", "missing_info": true], as: cast.ownerKey)
        clock.set(minutes(10))
        _ = try await act(ticket, "request-info", ["body": "Please send the order number"], as: cast.ownerKey)
        clock.set(minutes(12))
        _ = try await act(ticket, "customer-reply", ["body": "Order 42"])
        clock.set(minutes(15))
        _ = try await act(ticket, "escalate", ["department_id": cast.departmentID, "note": "Refund stuck"], as: cast.ownerKey)
        clock.set(minutes(20))
        _ = try await act(ticket, "department-ack", as: cast.memberKey)
        clock.set(minutes(60))
        _ = try await act(ticket, "department-solved", ["body": "Refund re-sent"], as: cast.memberKey)
        clock.set(minutes(90))
        let back = try await act(ticket, "department-reply", ["body": "Arrives tomorrow"], as: cast.memberKey)
        XCTAssertEqual(back["status"]?.string, "in_progress", back.raw)
        let ownerTold = try await ownerPool.queryScalar(Int.self, "SELECT count(*)::int FROM notifications WHERE kind = 'department_reply'")
        XCTAssertEqual(ownerTold, 1, "the owner hears of the hand-back")
        clock.set(minutes(100))
        _ = try await act(ticket, "respond", ["body": "Your refund arrives tomorrow"], as: cast.ownerKey)
        for instant in [minutes(20), minutes(45), minutes(121), minutes(200), minutes(215)] {
            try await sweep(at: instant)
        }
        let breaches = try await ownerPool.queryScalar(Int.self, "SELECT count(*)::int FROM ticket_sla_breaches")
        XCTAssertEqual(breaches, 0)
        let pending = try await ownerPool.queryScalar(
            Int.self,
            """
            SELECT count(*)::int FROM ticket_timers WHERE done_at IS NULL
              AND kind IN ('sla:info_request', 'sla:department_notify', 'sla:blocker_report', 'sla:solution_handback', 'sla:customer_contact')
            """
        )
        XCTAssertEqual(pending, 0, "every met deadline disarmed its timer")
    }

    func testDepartmentWorkIsForTheDepartmentsMembersSupervisorsAndAdmins() async throws {
        let cast = try await collaborationCast()
        let ticket = cast.ticket
        let early = try await act(ticket, "department-ack", as: cast.memberKey)
        XCTAssertEqual(early.status, .forbidden, "not escalated to their department yet: \(early.raw)")
        let notEscalated = try await act(ticket, "department-ack")
        XCTAssertEqual(notEscalated.status, .conflict, notEscalated.raw)
        _ = try await act(ticket, "escalate", ["department_id": cast.departmentID, "note": "Refund stuck"], as: cast.ownerKey)
        for (caller, name) in [(cast.ownerKey, "the owner"), (cast.outsiderKey, "another department")] {
            let refused = try await act(ticket, "department-ack", as: caller)
            XCTAssertEqual(refused.status, .forbidden, "\(name): \(refused.raw)")
            XCTAssertEqual(refused.errorCode, "forbidden")
        }
        let acked = try await act(ticket, "department-ack", as: cast.memberKey)
        XCTAssertEqual(acked.status, .ok, acked.raw)
        let twice = try await act(ticket, "department-ack", as: cast.memberKey)
        XCTAssertEqual(twice.status, .conflict, twice.raw)
        let empty = try await act(ticket, "department-blocker", ["reason": ""], as: cast.supervisorKey)
        XCTAssertEqual(empty.errorField, "reason", empty.raw)
        let bySupervisor = try await act(ticket, "department-blocker", ["reason": "Waiting for the bank"], as: cast.supervisorKey)
        XCTAssertEqual(bySupervisor.status, .ok, bySupervisor.raw)
        let byAdmin = try await act(ticket, "department-reply", ["body": "Done"])
        XCTAssertEqual(byAdmin["status"]?.string, "in_progress", byAdmin.raw)
        let after = try await act(ticket, "department-reply", ["body": "Again"], as: cast.memberKey)
        XCTAssertEqual(after.status, .conflict, "the ticket is back with its owner: \(after.raw)")

        let other = try await makeTenant("other")
        for path in ["department-ack", "department-blocker", "department-solved", "department-reply"] {
            let foreign = try await withAPI { api in
                try await api.post("/v1/tickets/\(ticket)/\(path)", key: other.apiKey, #"{"body": "x", "reason": "x"}"#)
            }
            XCTAssertTrue([.notFound, .unprocessableContent].contains(foreign.status), "\(path): \(foreign.raw)")
            XCTAssertNotEqual(foreign.status, .ok)
        }
        let foreignAck = try await withAPI { api in try await api.post("/v1/tickets/\(ticket)/department-ack", key: other.apiKey, "{}") }
        XCTAssertEqual(foreignAck.status, .notFound, foreignAck.raw)
    }

    /// The clock's timer fires not a second early, and at its due instant records one breach and
    /// alerts the supervisor.
    private func assertBreachedExactly(_ clock: String, due: Date, _ ticket: String, supervisor: UUID, line: UInt = #line) async throws {
        try await sweep(at: due.addingTimeInterval(-1))
        let early = try await breach(clock, ticket)
        XCTAssertNil(early, "\(clock) is not breached before \(due)", line: line)
        try await sweep(at: due)
        let found = try await breach(clock, ticket)
        XCTAssertEqual(found?.due, due, clock, line: line)
        XCTAssertEqual(found?.detected, due, clock, line: line)
        XCTAssertNil(found?.met, clock, line: line)
        let alerted = try await notifications("sla_breach", to: supervisor, ticket, containing: clock.replacingOccurrences(of: "_", with: " "))
        XCTAssertEqual(alerted, 1, "\(clock): the supervisor is alerted", line: line)
    }
}
