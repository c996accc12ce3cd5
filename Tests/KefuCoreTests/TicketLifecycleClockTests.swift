import Foundation
import XCTest

@testable import KefuCore

/// The SLA effects of ticket actions, at exact instants on an always-open calendar (and one
/// business-hours calendar for the pause arithmetic).
final class TicketLifecycleClockTests: XCTestCase {
    typealias F = LifecycleFixture

    func testLateFirstResponseBreachesTheChannelAndFirstResponseClocks() throws {
        var ticket = F.ticket(.assigned)
        ticket.channelResponseDueAt = F.minutes(-30)
        ticket.firstResponseDueAt = F.minutes(-5)
        let change = try F.apply(.respond(body: "Hello"), to: ticket)
        XCTAssertEqual(change.eventKinds, ["sla_breached", "sla_breached", "first_response", "responded"])
        XCTAssertEqual(
            change.breaches,
            [
                SLABreachDraft(clock: "channel_response", dueAt: F.minutes(-30), metAt: F.now),
                SLABreachDraft(clock: "first_response", dueAt: F.minutes(-5), metAt: F.now),
            ]
        )
        XCTAssertEqual(change.breaches.map(\.lateSeconds), [1800, 300])
        XCTAssertEqual(change.events[2].after?["on_time"], .bool(false))
        XCTAssertTrue(change.ticket.breached)
        XCTAssertEqual(change.ticket.firstResponseAt, F.now)
        XCTAssertEqual(change.ticket.lastPublicUpdateAt, F.now)
        XCTAssertEqual(change.ticket.progressDueAt, F.minutes(120))
        XCTAssertEqual(change.timer("sla:first_response")?.running, false)
        XCTAssertEqual(change.timer("sla:channel_response")?.running, false)
        XCTAssertEqual(change.timer("sla:progress"), TimerState(kind: "sla:progress", due: F.minutes(120), running: true))
    }

    func testOnTimeFirstResponseRecordsNoBreach() throws {
        let change = try F.apply(.respond(body: "Hello"), to: F.ticket(.assigned))
        XCTAssertTrue(change.breaches.isEmpty)
        XCTAssertFalse(change.ticket.breached)
        XCTAssertEqual(change.events[0].after?["on_time"], .bool(true))
    }

    func testLateProgressUpdateBreachesTheProgressClock() throws {
        var ticket = F.ticket(.inProgress)
        ticket.progressDueAt = F.minutes(-1)
        let change = try F.apply(.respond(body: "Still on it"), to: ticket)
        XCTAssertEqual(change.breaches.map(\.clock), ["progress"])
        XCTAssertEqual(change.ticket.firstResponseAt, ticket.firstResponseAt)
        XCTAssertEqual(change.ticket.progressDueAt, F.minutes(120))
    }

    func testRequestInfoPausesTheClocks() throws {
        let change = try F.apply(.requestInfo(body: "Which model?"), to: F.ticket(.inProgress))
        XCTAssertEqual(change.ticket.slaPausedAt, F.now)
        XCTAssertEqual(change.events[0].after?["paused_at"], .date(F.now))
        for clock in ["sla:first_response", "sla:plan", "sla:progress"] {
            XCTAssertEqual(change.timer(clock)?.running, false, clock)
        }
    }

    func testCustomerReplyResumesAndShiftsOpenClocksByThePause() throws {
        var ticket = F.ticket(.waitingOnCustomer)
        ticket.slaPausedAt = F.minutes(-10)
        ticket.progressDueAt = F.minutes(-5)
        ticket.planDueAt = F.minutes(20)
        let change = try F.apply(.customerReply(body: "An LX-200"), to: ticket, by: .customer)
        // Five minutes were left on the progress clock when it paused, thirty on the plan clock.
        XCTAssertEqual(change.ticket.progressDueAt, F.minutes(5))
        XCTAssertEqual(change.ticket.planDueAt, F.minutes(30))
        // Responded already: the response clocks stay where they were.
        XCTAssertEqual(change.ticket.firstResponseDueAt, ticket.firstResponseDueAt)
        XCTAssertNil(change.ticket.slaPausedAt)
        XCTAssertEqual(change.events[0].after?["paused_seconds"], .number(600))
        XCTAssertEqual(change.timer("sla:progress"), TimerState(kind: "sla:progress", due: F.minutes(5), running: true))
        XCTAssertEqual(change.messages.map(\.author), [.customer])
    }

    func testResumeOnABusinessCalendarKeepsTheBusinessTimeLeft() throws {
        let calendar = BusinessCalendar.standard(timezone: "Asia/Shanghai")
        let context = TicketContext(now: F.now, settings: F.settings, calendar: calendar)
        var ticket = F.ticket(.waitingOnCustomer)
        ticket.slaPausedAt = F.minutes(-600)
        ticket.progressDueAt = F.minutes(-300)
        let change = try TicketLifecycle.apply(.customerReply(body: "Back"), to: ticket, by: .customer, context: context)
        let expected = SLAPlanner.resumed(F.minutes(-300), pausedAt: F.minutes(-600), resumedAt: F.now, calendar: calendar)
        XCTAssertEqual(change.ticket.progressDueAt, expected)
        XCTAssertEqual(change.events[0].after?["paused_seconds"], .number(calendar.businessSeconds(from: F.minutes(-600), to: F.now)))
    }

    func testPlanMeetsThePlanClockOnce() throws {
        var ticket = F.ticket(.inProgress)
        ticket.planDueAt = F.minutes(-15)
        let late = try F.apply(.plan(body: "Workaround"), to: ticket)
        XCTAssertEqual(late.breaches, [SLABreachDraft(clock: "plan", dueAt: F.minutes(-15), metAt: F.now)])
        XCTAssertEqual(late.ticket.planAt, F.now)
        XCTAssertEqual(late.timer("sla:plan")?.running, false)
        let again = try F.apply(.plan(body: "Another"), to: late.ticket)
        XCTAssertTrue(again.breaches.isEmpty)
        XCTAssertEqual(again.ticket.planAt, F.now)
    }

    func testResolveChecksTheResolutionClockAndStopsTheClocks() throws {
        var ticket = F.ticket(.waitingOnCustomer)
        ticket.resolutionDueAt = F.minutes(-1)
        let change = try F.apply(.resolve(summary: "Fixed", options: ["Or reboot"], compensation: nil), to: ticket)
        XCTAssertEqual(change.breaches, [SLABreachDraft(clock: "resolution", dueAt: F.minutes(-1), metAt: F.now)])
        XCTAssertEqual(change.eventKinds, ["sla_breached", "resolved"])
        XCTAssertEqual(change.ticket.solutionSummary, "Fixed")
        XCTAssertEqual(change.ticket.solutionOptions, ["Or reboot"])
        XCTAssertEqual(change.ticket.resolvedAt, F.now)
        XCTAssertEqual(change.ticket.planAt, F.now)
        XCTAssertNil(change.ticket.progressDueAt)
        XCTAssertNil(change.ticket.slaPausedAt)
        XCTAssertEqual(change.messages.first, TicketMessageDraft(author: .agent(F.alice.id), visibility: .public, body: "Fixed"))
        XCTAssertEqual(change.messages.count, 2, "and the survey invitation (TicketLifecycleNoticeTests)")
        XCTAssertFalse(change.timers.filter { $0.kind != TimerKind.archive }.contains(where: \.running))
        XCTAssertEqual(change.timer(TimerKind.archive), TimerState(kind: TimerKind.archive, due: F.minutes(24 * 60), running: true))
    }

    func testResolveWithoutAFirstResponseMeetsIt() throws {
        let change = try F.apply(.resolve(summary: "Fixed", options: [], compensation: nil), to: F.ticket(.assigned))
        XCTAssertEqual(change.ticket.firstResponseAt, F.now)
        XCTAssertEqual(change.ticket.lastPublicUpdateAt, F.now)
        XCTAssertNil(change.ticket.progressDueAt)
    }

    func testReopenCountsAndRestartsTheProgressClock() throws {
        let change = try F.apply(.reopen(reason: "Still broken"), to: F.ticket(.resolved))
        XCTAssertEqual(change.ticket.reopenCount, 1)
        XCTAssertNil(change.ticket.resolvedAt)
        XCTAssertEqual(change.ticket.progressDueAt, F.minutes(120))
        XCTAssertEqual(change.messages.map(\.body), ["Reopened: Still broken"])
        XCTAssertEqual(change.timer(TimerKind.archive)?.running, false)
        XCTAssertEqual(change.timer("sla:progress")?.running, true)
        XCTAssertTrue(change.notifications.isEmpty)
    }

    func testALowRatingReopensAResolvedOrClosedTicketAndAlertsTheSupervisors() throws {
        let supervisor = UUID()
        let closed = try F.apply(.close, to: F.ticket(.resolved))
        for ticket in [F.ticket(.resolved), closed.ticket] {
            let change = try F.apply(.secondHandling(LowRating(overall: 1, supervisors: [supervisor])), to: ticket, by: .customer)
            XCTAssertEqual(change.ticket.status, .inProgress)
            XCTAssertNil(change.ticket.closedAt)
            XCTAssertNil(change.ticket.resolvedAt)
            XCTAssertEqual(change.ticket.reopenCount, 1)
            XCTAssertEqual(change.messages.map(\.author), [.customer])
            XCTAssertEqual(change.messages.map(\.body), ["Reopened: customer rated the handling 1/5: second handling"])
            XCTAssertEqual(change.timer(TimerKind.archive)?.running, false)
            XCTAssertEqual(
                change.notifications,
                [TicketNotificationDraft(recipients: [supervisor], kind: "low_rating", message: "Ticket T-000042 was rated 1/5 and reopened")]
            )
        }
    }

    func testEscalateSetsTheDepartmentDueAndTellsTheCustomer() throws {
        let change = try F.apply(.escalate(to: F.billing, note: "Refund?", replyMinutes: 90), to: F.ticket(.inProgress))
        XCTAssertEqual(change.ticket.departmentId, F.billing.id)
        XCTAssertEqual(change.ticket.departmentDueAt, F.minutes(90))
        XCTAssertEqual(change.timer("sla:department"), TimerState(kind: "sla:department", due: F.minutes(90), running: true))
        XCTAssertEqual(change.messages.map(\.body).first, "Escalated to Billing: Refund?")
        XCTAssertEqual(change.messages[1].body, "您的问题已提交给Billing团队处理。预计将于1月15日 09:30前答复您。")
        XCTAssertEqual(change.events.last?.after?["due_at"], .date(F.minutes(90)))
        let byDefault = try F.apply(.escalate(to: F.billing, note: "n", replyMinutes: nil), to: F.ticket(.inProgress))
        XCTAssertEqual(byDefault.ticket.departmentDueAt, F.minutes(Double(F.settings.sla.departmentReplyMinutes)))
    }

    func testCloseAndArchiveStampTheirInstants() throws {
        let closed = try F.apply(.close, to: F.ticket(.resolved))
        XCTAssertEqual(closed.ticket.closedAt, F.now)
        XCTAssertEqual(closed.timer(TimerKind.archive)?.running, true)
        let archived = try F.apply(.archive, to: closed.ticket, by: .system)
        XCTAssertEqual(archived.ticket.archivedAt, F.now)
        XCTAssertEqual(archived.timer(TimerKind.archive)?.running, false)
    }
}
