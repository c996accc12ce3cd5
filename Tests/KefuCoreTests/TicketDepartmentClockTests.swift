import Foundation
import XCTest

@testable import KefuCore

/// The department hand-off and missing-information clocks of the pure lifecycle, at exact
/// instants on the fixture's always-open calendar (default settings).
final class TicketDepartmentClockTests: XCTestCase {
    typealias F = LifecycleFixture

    func testEscalationNotifiesTheMembersAndStartsTheAcknowledgementAndBlockerClocks() throws {
        let billing = DepartmentRef(id: F.billing.id, name: "Billing", members: [F.carol.id])
        let change = try F.apply(.escalate(to: billing, note: "Refund?", replyMinutes: nil), to: F.ticket(.inProgress))
        XCTAssertEqual(change.ticket.departmentNotifyDueAt, F.minutes(15))
        XCTAssertEqual(change.ticket.departmentDueAt, F.minutes(120))
        XCTAssertEqual(change.ticket.blockerReportDueAt, F.minutes(180), "60 min after the reply deadline")
        XCTAssertEqual(change.notifications.map(\.recipients), [[F.carol.id]])
        XCTAssertEqual(change.notifications.first?.kind, "department_escalation")
        XCTAssertEqual(change.timer("sla:department_notify"), TimerState(kind: "sla:department_notify", due: F.minutes(15), running: true))
        XCTAssertEqual(change.timer("sla:blocker_report"), TimerState(kind: "sla:blocker_report", due: F.minutes(180), running: true))
    }

    func testALateAcknowledgementBlockerAndHandBackAreBreachesAndTheHandBackStartsTheContactClock() throws {
        var ticket = F.ticket(.escalated)
        ticket.departmentNotifyDueAt = F.minutes(-20)
        ticket.blockerReportDueAt = F.minutes(-10)
        let blocked = try F.apply(.departmentBlocker(reason: "Bank", supervisors: [F.carol.id]), to: ticket)
        XCTAssertEqual(blocked.breaches.map(\.clock), ["department_notify", "blocker_report"])
        XCTAssertEqual(blocked.notifications.map(\.kind), ["department_blocked"])
        XCTAssertEqual(blocked.timer("sla:blocker_report")?.running, false)

        ticket.solutionReadyAt = F.minutes(-90)
        ticket.solutionHandbackDueAt = F.minutes(-30)
        ticket.departmentAckedAt = F.minutes(-50)
        let back = try F.apply(.departmentReply(body: "Refunded"), to: ticket)
        XCTAssertEqual(back.ticket.status, .inProgress)
        XCTAssertEqual(back.breaches.map(\.clock), ["solution_handback"])
        XCTAssertEqual(back.ticket.customerContactDueAt, F.minutes(30))
        XCTAssertEqual(back.notifications.map(\.kind), ["department_reply"])
        XCTAssertEqual(back.timer("sla:customer_contact")?.running, true)

        var handedBack = back.ticket
        handedBack.customerContactDueAt = F.minutes(-1)
        let contacted = try F.apply(.respond(body: "Your refund is on its way"), to: handedBack)
        XCTAssertEqual(contacted.breaches.map(\.clock), ["customer_contact"])
        XCTAssertEqual(contacted.ticket.customerContactedAt, F.now)
        XCTAssertEqual(contacted.timer("sla:customer_contact")?.running, false)
    }

    func testMissingInformationIsDueFromTheFirstResponseAndMetByTheRequest() throws {
        let ticket = F.ticket(.inProgress)  // first response 40 min ago
        let flagged = try F.apply(.respond(body: "Which model?", missingInfo: true), to: ticket)
        XCTAssertEqual(flagged.ticket.infoRequestDueAt, F.minutes(-25), "15 min after the first response: already late")
        XCTAssertEqual(flagged.eventKinds, ["responded", "info_missing"])
        let asked = try F.apply(.requestInfo(body: "Send the model"), to: flagged.ticket)
        XCTAssertEqual(asked.breaches, [SLABreachDraft(clock: "info_request", dueAt: F.minutes(-25), metAt: F.now)])
        XCTAssertEqual(asked.ticket.infoRequestedAt, F.now)
        var later = asked.ticket
        later.status = .inProgress
        later.slaPausedAt = nil
        let secondRound = try F.apply(.respond(body: "And the serial?", missingInfo: true), to: later)
        XCTAssertEqual(secondRound.ticket.infoRequestDueAt, F.minutes(15), "a second round counts from its response")
    }

    func testPlanStepsFollowTheirOrder() throws {
        var plan = F.plan(.proposed)
        XCTAssertThrowsError(try plan.apply(.confirm(note: nil), by: F.alice.id, at: F.now)) {
            XCTAssertEqual($0 as? KefuError, .conflict("the plan awaits a supervisor's approval"))
        }
        try plan.apply(.approve, by: F.carol.id, at: F.now)
        XCTAssertThrowsError(try plan.apply(.execute, by: F.alice.id, at: F.now)) {
            XCTAssertEqual($0 as? KefuError, .conflict("the customer has not confirmed the plan"))
        }
        try plan.apply(.confirm(note: "By phone"), by: F.alice.id, at: F.now)
        try plan.apply(.execute, by: F.alice.id, at: F.now)
        XCTAssertEqual(plan.status, .executed)
        var simple = F.plan(.proposed)
        simple.requiresApproval = false
        XCTAssertThrowsError(try simple.apply(.approve, by: F.carol.id, at: F.now))
        try simple.apply(.confirm(note: nil), by: F.alice.id, at: F.now)
        XCTAssertEqual(simple.status, .confirmed)
    }
}
