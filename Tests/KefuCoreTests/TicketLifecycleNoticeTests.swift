import Foundation
import XCTest

@testable import KefuCore

/// The customer texts an action records besides its own message, decided without a database:
/// the progress notice, the survey invitation and the plan confirmation request.
final class TicketLifecycleNoticeTests: XCTestCase {
    private let now = LifecycleFixture.now

    private func time(_ instant: Date?) throws -> String {
        LocalTimeText.format(try XCTUnwrap(instant), timezone: "UTC", locale: .zhCN)
    }

    func testAProgressNoticeMeetsAndReArmsTheProgressClockAndNamesTheNewDueTime() throws {
        let ticket = LifecycleFixture.ticket(.inProgress)
        let change = try LifecycleFixture.apply(.progress(note: "The spare part is on its way"), to: ticket)
        let policy = LifecycleFixture.context.policy(of: ticket)
        XCTAssertEqual(change.ticket.progressDueAt, now.addingTimeInterval(TimeInterval(policy.progressMinutes) * 60))
        XCTAssertEqual(change.ticket.lastPublicUpdateAt, now)
        XCTAssertEqual(change.messages.map(\.visibility), [.public])
        XCTAssertEqual(change.messages.map(\.author), [.agent(LifecycleFixture.alice.id)])
        XCTAssertEqual(
            change.messages.first?.body,
            "您的问题（工单T-000042）正在处理中。\n最新进展：The spare part is on its way\n我们将不晚于\(try time(change.ticket.progressDueAt))向您更新处理进展。"
        )
    }

    func testALateProgressNoticeRecordsTheBreachAndOneWhileWaitingNamesNoTime() throws {
        var late = LifecycleFixture.ticket(.inProgress)
        late.progressDueAt = LifecycleFixture.minutes(-5)
        let change = try LifecycleFixture.apply(.progress(note: nil), to: late)
        XCTAssertEqual(change.breaches, [SLABreachDraft(clock: "progress", dueAt: LifecycleFixture.minutes(-5), metAt: now)])
        XCTAssertEqual(change.eventKinds, ["sla_breached", "progress_notified"])
        XCTAssertTrue(change.messages[0].body.hasPrefix("您的问题（工单T-000042）正在处理中。\n我们将不晚于"), change.messages[0].body)

        let waiting = try LifecycleFixture.apply(.progress(note: nil), to: LifecycleFixture.ticket(.waitingOnCustomer))
        XCTAssertEqual(waiting.messages.map(\.body), ["您的问题（工单T-000042）正在处理中。"], "paused clocks: no time to promise")
        XCTAssertEqual(waiting.ticket.status, .waitingOnCustomer)
    }

    func testAResolutionInvitesTheCustomerToTheSurveyUntilItCloses() throws {
        let change = try LifecycleFixture.apply(try LifecycleFixture.action(.resolve), to: LifecycleFixture.ticket(.inProgress))
        let closes = now.addingTimeInterval(TimeInterval(LifecycleFixture.settings.survey.expiryHours) * 3600)
        XCTAssertEqual(change.messages.map(\.author), [.agent(LifecycleFixture.alice.id), .system])
        XCTAssertEqual(
            change.messages.last?.body,
            "您的问题（工单T-000042）已处理完毕。诚邀您对本次服务进行评价，评价通道将于\(try time(closes))关闭。感谢您的反馈！"
        )
        XCTAssertEqual(change.messages.last?.visibility, .public)
    }

    func testAPlanGoesToTheCustomerForConfirmationWhenItIsReadyAndNotWhenRejected() throws {
        let ticket = LifecycleFixture.ticket(.inProgress)
        let proposal = PlanProposal(
            executor: LifecycleFixture.alice.id,
            completeBy: LifecycleFixture.minutes(90),
            compensation: Compensation(kind: "代金券", amount: 50, currency: "CNY", note: nil),
            complex: false
        )
        let proposed = try LifecycleFixture.apply(.plan(body: "更换打印机", proposal: proposal), to: ticket)
        XCTAssertEqual(proposed.messages.count, 2)
        XCTAssertEqual(
            proposed.messages.last?.body,
            "关于工单T-000042，我们为您制定的处理方案如下：更换打印机\n预计完成时间：\(try time(LifecycleFixture.minutes(90)))\n补偿：代金券 50 CNY\n请回复确认该方案，确认后我们将立即执行。"
        )
        XCTAssertEqual(proposed.messages.last?.author, .system)

        var complex = proposal
        complex.complex = true
        let awaiting = try LifecycleFixture.apply(.plan(body: "更换打印机", proposal: complex), to: ticket)
        XCTAssertEqual(awaiting.messages.count, 1, "awaiting approval: not yet for the customer")

        let approved = try LifecycleFixture.apply(try LifecycleFixture.action(.approvePlan), to: ticket)
        XCTAssertEqual(approved.messages.map(\.body), ["关于工单T-000042，我们为您制定的处理方案如下：Swap the printer\n请回复确认该方案，确认后我们将立即执行。"])
        let rejected = try LifecycleFixture.apply(try LifecycleFixture.action(.rejectPlan), to: ticket)
        XCTAssertEqual(rejected.messages, [])
        let confirmed = try LifecycleFixture.apply(try LifecycleFixture.action(.confirmPlan), to: ticket)
        XCTAssertEqual(confirmed.messages, [])
    }

    func testCompensationsAreWrittenInTheLanguagesOwnWords() {
        let voucher = Compensation(kind: "voucher", amount: 12.5, currency: "CNY", note: "next order")
        XCTAssertEqual(CompensationText.format(voucher, locale: .en), "voucher 12.50 CNY (next order)")
        XCTAssertEqual(CompensationText.format(voucher, locale: .zhCN), "voucher 12.50 CNY（next order）")
        XCTAssertEqual(CompensationText.format(Compensation(kind: "免运费", amount: nil, currency: nil, note: nil), locale: .zhCN), "免运费")
        XCTAssertEqual(CompensationText.number(1_000_000_000), "1000000000")
    }
}
