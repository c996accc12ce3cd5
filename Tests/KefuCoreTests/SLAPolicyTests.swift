import Foundation
import XCTest

@testable import KefuCore

/// SLA policies without a database: the defaults, validation, the segment override, and what a
/// priority change does to a ticket's clocks.
final class SLAPolicyTests: XCTestCase {
    typealias F = LifecycleFixture

    func testTheDefaultsCountP1AroundTheClockAndTheRestOnBusinessHours() {
        let defaults = SLAPolicies.defaults
        XCTAssertEqual(defaults.policies.map(\.priority), [.p1, .p2, .p3, .p4])
        XCTAssertEqual(defaults.policies.map(\.calendar), [.allDay, .businessHours, .businessHours, .businessHours])
        XCTAssertEqual(defaults.policies.map(\.firstResponseMinutes), [10, 30, 120, 1_440])
        XCTAssertEqual(defaults.policies.map(\.planMinutes), [120, 240, 0, 0])
        XCTAssertEqual(defaults.policies.map(\.progressMinutes), [120, 120, 120, 120])
        XCTAssertEqual(defaults.policies.map(\.resolutionMinutes), [1_440, 1_080, 2_700, 5_400])
        XCTAssertNoThrow(try SLAPolicies(validating: defaults.policies))
    }

    func testASegmentOverrideAppliesToItsSegmentOnly() throws {
        let vip = SLAPolicy(
            priority: .p3,
            segment: .vip,
            calendar: .allDay,
            firstResponseMinutes: 15,
            planMinutes: 0,
            progressMinutes: 60,
            resolutionMinutes: 0
        )
        let policies = try SLAPolicies(validating: SLAPolicies.defaults.policies + [vip])
        XCTAssertEqual(policies.policy(for: .p3, segment: .vip), vip)
        XCTAssertEqual(policies.policy(for: .p3, segment: .enterprise), SLAPolicies.defaultPolicy(for: .p3))
        XCTAssertEqual(policies.policy(for: .p3, segment: nil), SLAPolicies.defaultPolicy(for: .p3))
        XCTAssertEqual(policies.policy(for: .p2, segment: .vip), SLAPolicies.defaultPolicy(for: .p2))
        // Stored sets fall back to the defaults for a priority without a general policy.
        XCTAssertEqual(SLAPolicies(stored: [vip]).policy(for: .p1, segment: .vip), SLAPolicies.defaultPolicy(for: .p1))
    }

    func testInvalidSetsNameTheField() {
        var tooFast = SLAPolicies.defaults.policies
        tooFast[1].firstResponseMinutes = 0
        var tooSlow = SLAPolicies.defaults.policies
        tooSlow[3].resolutionMinutes = 525_601
        var noProgress = SLAPolicies.defaults.policies
        noProgress[0].progressMinutes = 10_081
        let cases: [([SLAPolicy], String)] = [
            (tooFast, "policies[1].first_response_minutes"),
            (tooSlow, "policies[3].resolution_minutes"),
            (noProgress, "policies[0].progress_minutes"),
            (Array(SLAPolicies.defaults.policies.dropLast()), "policies"),
            (SLAPolicies.defaults.policies + [SLAPolicies.defaultPolicy(for: .p2)], "policies[4]"),
        ]
        for (policies, field) in cases {
            XCTAssertThrowsError(try SLAPolicies(validating: policies), field) { error in
                guard case KefuError.invalidField(let named, _) = error else { return XCTFail("\(error)") }
                XCTAssertEqual(named, field)
            }
        }
    }

    func testRaisingThePriorityRecomputesOpenClocksFromIntakeAndKeepsMetOnes() throws {
        var ticket = F.ticket(.inProgress)  // created an hour ago, answered 40 minutes ago
        ticket.expectedResolutionAt = F.minutes(-60 + 2_700)
        ticket.resolutionDueAt = ticket.expectedResolutionAt
        ticket.expectedResolutionDefaulted = true
        let change = try F.apply(.edit(TicketEdit(priority: .p1)), to: ticket)
        XCTAssertEqual(change.ticket.priority, .p1)
        XCTAssertEqual(change.ticket.firstResponseDueAt, ticket.firstResponseDueAt, "met: kept")
        XCTAssertEqual(change.ticket.planDueAt, F.minutes(-60 + 120), "P1's 2 h plan from intake")
        XCTAssertEqual(change.ticket.resolutionDueAt, F.minutes(-60 + 1_440), "the defaulted expected time follows the policy")
        XCTAssertEqual(change.ticket.expectedResolutionAt, F.minutes(-60 + 1_440))
        XCTAssertEqual(change.ticket.progressDueAt, F.minutes(-40 + 120), "from the last public update")
        XCTAssertEqual(change.events[0].before?["plan_due_at"], .date(F.minutes(180)))
        XCTAssertEqual(change.events[0].after?["plan_due_at"], .date(F.minutes(60)))
        XCTAssertEqual(change.timer("sla:plan"), TimerState(kind: "sla:plan", due: F.minutes(60), running: true))
        XCTAssertEqual(change.notifications.map(\.kind), ["priority_escalation"])
    }

    func testACustomersExpectedTimeSurvivesAPriorityChangeAndClearingItDefaultsAgain() throws {
        var ticket = F.ticket(.assigned)
        ticket.expectedResolutionAt = F.minutes(30)
        ticket.resolutionDueAt = F.minutes(30)
        let raised = try F.apply(.edit(TicketEdit(priority: .p2)), to: ticket)
        XCTAssertEqual(raised.ticket.resolutionDueAt, F.minutes(30))
        XCTAssertEqual(raised.ticket.firstResponseDueAt, F.minutes(-60 + 30), "unanswered: P2's 30 min from intake")
        let cleared = try F.apply(.edit(TicketEdit(expectedResolutionAt: .clear)), to: raised.ticket)
        XCTAssertEqual(cleared.ticket.expectedResolutionAt, F.minutes(-60 + 1_080))
        XCTAssertTrue(cleared.ticket.expectedResolutionDefaulted)
        XCTAssertEqual(cleared.eventKinds, ["expected_resolution_changed"])
        XCTAssertEqual(cleared.events[0].before?["expected_resolution_defaulted"], .bool(false))
    }

    func testAnEditThatChangesNothingRecordsNothing() throws {
        let ticket = F.ticket(.inProgress)
        let change = try F.apply(.edit(TicketEdit(priority: .p3, category: .fault, subject: .set("Printer"))), to: ticket)
        XCTAssertTrue(change.events.isEmpty)
        XCTAssertEqual(change.ticket, ticket)
    }
}
