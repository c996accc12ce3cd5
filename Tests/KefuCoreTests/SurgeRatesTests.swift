import Foundation
import KefuCore
import XCTest

final class SurgeRatesTests: XCTestCase {
    let settings = SurgeSettings()
    let now = Date(timeIntervalSince1970: 1_764_036_000 + 30 * 60)  // Tuesday 02:30 UTC

    func testFourWeeksOfHistoryGiveTheSameHourOfWeekBaseline() {
        let history = IntakeHistory(
            live: 30,
            sameHourLastWeeks: [40, 40, 48, 32],
            trailingWeek: 5000,
            firstMinute: now.addingTimeInterval(-60 * 86_400)
        )
        let rate = SurgeRates.rate(channel: "chat", history, now: now, settings: settings)
        XCTAssertEqual(rate.baseline, "same_hour_of_week")
        XCTAssertEqual(rate.normal, 10, accuracy: 0.0001)  // 40 per hour → 10 per 15 minutes
        XCTAssertEqual(rate.ratio, 3, accuracy: 0.0001)
        XCTAssertTrue(SurgeRates.isSurge(rate, settings: settings))
    }

    func testOnlyWeeksTheTenantExistedCount() {
        // Two weeks old: weeks 3 and 4 did not exist and must not drag the mean down.
        let history = IntakeHistory(
            live: 30,
            sameHourLastWeeks: [40, 40, 0, 0],
            trailingWeek: 100,
            firstMinute: now.addingTimeInterval(-15 * 86_400)
        )
        let rate = SurgeRates.rate(channel: "all", history, now: now, settings: settings)
        XCTAssertEqual(rate.normal, 10, accuracy: 0.0001)
    }

    func testANewTenantFallsBackToTheTrailingWeekThenTheFloor() {
        let threeDays = IntakeHistory(
            live: 12,
            sameHourLastWeeks: [0, 0, 0, 0],
            trailingWeek: 3 * 24 * 60,
            firstMinute: now.addingTimeInterval(-3 * 86_400)
        )
        let trailing = SurgeRates.rate(channel: "all", threeDays, now: now, settings: settings)
        XCTAssertEqual(trailing.baseline, "trailing_7_days")
        XCTAssertEqual(trailing.normal, 15 * Double(3 * 24 * 60) / Double(3 * 24 * 60 - 15), accuracy: 0.001)

        let brandNew = IntakeHistory(live: 5, sameHourLastWeeks: [0, 0, 0, 0], trailingWeek: 0, firstMinute: now.addingTimeInterval(-600))
        let floor = SurgeRates.rate(channel: "all", brandNew, now: now, settings: settings)
        XCTAssertEqual(floor.baseline, "floor")
        XCTAssertEqual(floor.normal, 1, accuracy: 0.0001)  // 4 per hour → 1 per window
    }

    func testTheMinimumVolumeKeepsSmallTenantsFromFlapping() {
        let small = IntakeHistory(live: 19, sameHourLastWeeks: [1, 1, 1, 1], trailingWeek: 20, firstMinute: now.addingTimeInterval(-60 * 86_400))
        let rate = SurgeRates.rate(channel: "all", small, now: now, settings: settings)
        XCTAssertGreaterThan(rate.ratio, 3)
        XCTAssertFalse(SurgeRates.isSurge(rate, settings: settings))
    }

    func testHysteresisBand() {
        func rate(_ live: Int) -> SurgeRate {
            SurgeRates.rate(
                channel: "all",
                IntakeHistory(
                    live: live,
                    sameHourLastWeeks: [40, 40, 40, 40],
                    trailingWeek: 0,
                    firstMinute: now.addingTimeInterval(-60 * 86_400)
                ),
                now: now,
                settings: settings
            )
        }
        XCTAssertFalse(SurgeRates.isSurge(rate(29), settings: settings), "2.9× does not trigger")
        XCTAssertTrue(SurgeRates.isSurge(rate(30), settings: settings), "3× does")
        XCTAssertFalse(SurgeRates.isCalm(rate(16), settings: settings), "1.6× is not calm")
        XCTAssertFalse(SurgeRates.isCalm(rate(15), settings: settings), "1.5× is not below the exit ratio")
        XCTAssertTrue(SurgeRates.isCalm(rate(14), settings: settings))
    }
}
