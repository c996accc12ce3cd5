import Foundation
import KefuCore
import KefuTestSupport
import XCTest

/// Business-time arithmetic at exact instants. Expected local times are built with Foundation's
/// `Calendar` (independent of the code under test); around DST changes they are written in UTC.
final class BusinessCalendarTests: XCTestCase {
    private let shanghai = "Asia/Shanghai"
    private let newYork = "America/New_York"
    private let berlin = "Europe/Berlin"

    // 2026-03-02 is a Monday; 2026-03-06 a Friday. US clocks spring forward on 2026-03-08 and
    // fall back on 2026-11-01; EU clocks on 2026-03-29 and 2026-10-25.

    // MARK: - Opening hours

    func testStandardCalendarIsOpenWeekdaysNineToSix() throws {
        let calendar = BusinessCalendar.standard(timezone: shanghai)
        XCTAssertTrue(calendar.isOpen(at: try at("2026-03-02 09:00")))
        XCTAssertTrue(calendar.isOpen(at: try at("2026-03-02 17:59:59")))
        XCTAssertFalse(calendar.isOpen(at: try at("2026-03-02 08:59:59")))
        XCTAssertFalse(calendar.isOpen(at: try at("2026-03-02 18:00")), "a period excludes its end")
        XCTAssertFalse(calendar.isOpen(at: try at("2026-03-07 10:00")), "Saturday")
        XCTAssertFalse(calendar.isOpen(at: try at("2026-03-08 10:00")), "Sunday")
    }

    func testNextOpeningIsTheInstantItselfWhenOpen() throws {
        let calendar = BusinessCalendar.standard(timezone: shanghai)
        XCTAssertEqual(calendar.nextOpening(atOrAfter: try at("2026-03-02 10:15")), try at("2026-03-02 10:15"))
        XCTAssertEqual(calendar.nextOpening(atOrAfter: try at("2026-03-02 18:00")), try at("2026-03-03 09:00"))
        XCTAssertEqual(calendar.nextOpening(atOrAfter: try at("2026-03-06 18:30")), try at("2026-03-09 09:00"))
    }

    func testWeekendsAreSkipped() throws {
        let calendar = BusinessCalendar.standard(timezone: shanghai)
        XCTAssertEqual(calendar.adding(businessSeconds: hours(2), to: try at("2026-03-06 17:00")), try at("2026-03-09 10:00"))
        XCTAssertEqual(calendar.businessSeconds(from: try at("2026-03-06 17:00"), to: try at("2026-03-09 10:00")), hours(2))
    }

    func testHolidaysAreSkipped() throws {
        var calendar = BusinessCalendar.standard(timezone: shanghai)
        calendar.holidays = [LocalDate(year: 2026, month: 3, day: 9)]
        XCTAssertFalse(calendar.isWorkingDay(LocalDate(year: 2026, month: 3, day: 9)))
        XCTAssertFalse(calendar.isOpen(at: try at("2026-03-09 10:00")))
        XCTAssertEqual(calendar.adding(businessSeconds: hours(2), to: try at("2026-03-06 17:00")), try at("2026-03-10 10:00"))
        XCTAssertEqual(calendar.businessSeconds(from: try at("2026-03-06 09:00"), to: try at("2026-03-10 18:00")), hours(18))
    }

    func testLunchBreakPausesTheClock() throws {
        let calendar = lunchCalendar(shanghai)
        XCTAssertFalse(calendar.isOpen(at: try at("2026-03-02 12:30")))
        XCTAssertEqual(calendar.adding(businessSeconds: hours(1), to: try at("2026-03-02 11:30")), try at("2026-03-02 14:00"))
        XCTAssertEqual(calendar.businessSeconds(from: try at("2026-03-02 11:00"), to: try at("2026-03-02 14:00")), minutes(90))
    }

    // MARK: - Where the clock starts

    func testClockStartingBeforeOpeningStartsAtOpening() throws {
        let calendar = BusinessCalendar.standard(timezone: shanghai)
        XCTAssertEqual(calendar.adding(businessSeconds: minutes(30), to: try at("2026-03-02 07:00")), try at("2026-03-02 09:30"))
    }

    func testClockStartingInsideHoursRunsAtOnce() throws {
        let calendar = BusinessCalendar.standard(timezone: shanghai)
        XCTAssertEqual(calendar.adding(businessSeconds: hours(3), to: try at("2026-03-02 10:00")), try at("2026-03-02 13:00"))
    }

    func testClockStartingAfterClosingResumesNextMorning() throws {
        let calendar = BusinessCalendar.standard(timezone: shanghai)
        XCTAssertEqual(calendar.adding(businessSeconds: hours(1), to: try at("2026-03-03 19:00")), try at("2026-03-04 10:00"))
    }

    func testFridayEveningRunsOnMonday() throws {
        let calendar = BusinessCalendar.standard(timezone: shanghai)
        XCTAssertEqual(calendar.adding(businessSeconds: minutes(30), to: try at("2026-03-06 20:00")), try at("2026-03-09 09:30"))
    }

    func testZeroSecondsFromAClosedInstantIsTheNextOpening() throws {
        let calendar = BusinessCalendar.standard(timezone: shanghai)
        XCTAssertEqual(calendar.adding(businessSeconds: 0, to: try at("2026-03-07 10:00")), try at("2026-03-09 09:00"))
        XCTAssertEqual(calendar.adding(businessSeconds: 0, to: try at("2026-03-02 11:00")), try at("2026-03-02 11:00"))
    }

    func testNegativeAmountsCountAsZeroAndInfiniteOnesHaveNoDeadline() throws {
        let calendar = BusinessCalendar.standard(timezone: shanghai)
        XCTAssertEqual(calendar.adding(businessSeconds: -60, to: try at("2026-03-07 10:00")), try at("2026-03-09 09:00"))
        XCTAssertNil(calendar.adding(businessSeconds: .infinity, to: try at("2026-03-02 10:00")))
    }

    func testUsingUpTheDayEndsAtClosingTimeNotAtTheNextOpening() throws {
        let calendar = BusinessCalendar.standard(timezone: shanghai)
        XCTAssertEqual(calendar.adding(businessSeconds: hours(9), to: try at("2026-03-02 09:00")), try at("2026-03-02 18:00"))
        XCTAssertEqual(calendar.adding(businessSeconds: hours(9) + 1, to: try at("2026-03-02 09:00")), try at("2026-03-03 09:00:01"))
    }

    // MARK: - SLA targets (SPEC §3)

    func testP1FirstResponseOfTenMinutesInsideHours() throws {
        let calendar = lunchCalendar(shanghai)
        XCTAssertEqual(calendar.adding(businessSeconds: minutes(10), to: try at("2026-03-04 10:00")), try at("2026-03-04 10:10"))
        XCTAssertEqual(calendar.adding(businessSeconds: minutes(10), to: try at("2026-03-04 11:55")), try at("2026-03-04 13:35"))
    }

    func testP1TwoHourWorkaroundSpansLunch() throws {
        let calendar = lunchCalendar(shanghai)
        XCTAssertEqual(calendar.adding(businessSeconds: hours(2), to: try at("2026-03-02 11:00")), try at("2026-03-02 14:30"))
    }

    // MARK: - Ranges

    func testBusinessSecondsIsZeroWhenTheEndIsNotAfterTheStart() throws {
        let calendar = BusinessCalendar.standard(timezone: shanghai)
        XCTAssertEqual(calendar.businessSeconds(from: try at("2026-03-02 12:00"), to: try at("2026-03-02 10:00")), 0)
        XCTAssertEqual(calendar.businessSeconds(from: try at("2026-03-02 12:00"), to: try at("2026-03-02 12:00")), 0)
        XCTAssertEqual(calendar.openPeriods(from: try at("2026-03-02 12:00"), to: try at("2026-03-02 10:00")), [])
    }

    func testOpenPeriodsAreClippedToTheRange() throws {
        let calendar = BusinessCalendar.standard(timezone: shanghai)
        let periods = calendar.openPeriods(from: try at("2026-03-02 10:00"), to: try at("2026-03-04 12:00"))
        XCTAssertEqual(
            periods,
            [
                DateInterval(start: try at("2026-03-02 10:00"), end: try at("2026-03-02 18:00")),
                DateInterval(start: try at("2026-03-03 09:00"), end: try at("2026-03-03 18:00")),
                DateInterval(start: try at("2026-03-04 09:00"), end: try at("2026-03-04 12:00")),
            ]
        )
    }

    // MARK: - Periods crossing midnight

    func testNightPeriodBelongsToTheDayItStarts() throws {
        let calendar = BusinessCalendar(timezone: shanghai, weeklyHours: ["fri": [try period("22:00", "02:00")]])
        XCTAssertTrue(calendar.isOpen(at: try at("2026-03-07 01:00")), "Saturday 01:00 is Friday night")
        XCTAssertFalse(calendar.isOpen(at: try at("2026-03-07 22:30")), "Saturday has no night period")
        XCTAssertFalse(calendar.isOpen(at: try at("2026-03-06 01:00")), "Thursday has no night period")
        XCTAssertEqual(calendar.adding(businessSeconds: hours(3), to: try at("2026-03-06 21:00")), try at("2026-03-07 01:00"))
        XCTAssertEqual(calendar.adding(businessSeconds: hours(1), to: try at("2026-03-07 03:00")), try at("2026-03-13 23:00"))
        XCTAssertEqual(calendar.businessSeconds(from: try at("2026-03-02 00:00"), to: try at("2026-03-09 00:00")), hours(4))
    }

    func testNightPeriodStartingOnAHolidayDoesNotCount() throws {
        let night = [try period("22:00", "02:00")]
        let calendar = BusinessCalendar(
            timezone: shanghai,
            weeklyHours: ["thu": night, "fri": night],
            holidays: [LocalDate(year: 2026, month: 3, day: 6)]
        )
        XCTAssertTrue(calendar.isOpen(at: try at("2026-03-06 01:00")), "Thursday night runs into the holiday")
        XCTAssertFalse(calendar.isOpen(at: try at("2026-03-06 23:00")), "the holiday's own night is off")
        XCTAssertFalse(calendar.isOpen(at: try at("2026-03-07 01:00")))
        XCTAssertEqual(calendar.nextOpening(atOrAfter: try at("2026-03-06 12:00")), try at("2026-03-12 22:00"))
    }

    // MARK: - Daylight saving time

    func testSpringForwardDayInNewYorkKeepsWallClockHours() throws {
        let calendar = everyDay(newYork, try period("09:00", "18:00"))
        let sunday = try utc("2026-03-08T05:00:00Z")  // local midnight, EST
        XCTAssertEqual(calendar.nextOpening(atOrAfter: sunday), try utc("2026-03-08T13:00:00Z"), "09:00 EDT")
        XCTAssertEqual(calendar.adding(businessSeconds: hours(9), to: sunday), try utc("2026-03-08T22:00:00Z"), "18:00 EDT")
        XCTAssertEqual(calendar.businessSeconds(from: sunday, to: try utc("2026-03-09T04:00:00Z")), hours(9))
    }

    func testFallBackDayInNewYorkKeepsWallClockHours() throws {
        let calendar = everyDay(newYork, try period("09:00", "18:00"))
        let sunday = try utc("2026-11-01T04:00:00Z")  // local midnight, EDT
        XCTAssertEqual(calendar.nextOpening(atOrAfter: sunday), try utc("2026-11-01T14:00:00Z"), "09:00 EST")
        XCTAssertEqual(calendar.adding(businessSeconds: hours(9), to: sunday), try utc("2026-11-01T23:00:00Z"), "18:00 EST")
        XCTAssertEqual(calendar.businessSeconds(from: sunday, to: try utc("2026-11-02T05:00:00Z")), hours(9))
    }

    func testDSTDaysInBerlinKeepWallClockHours() throws {
        let calendar = everyDay(berlin, try period("09:00", "18:00"))
        // Spring forward, 2026-03-29: 09:00 CEST is 07:00Z.
        XCTAssertEqual(calendar.nextOpening(atOrAfter: try utc("2026-03-28T23:00:00Z")), try utc("2026-03-29T07:00:00Z"))
        XCTAssertEqual(calendar.businessSeconds(from: try utc("2026-03-28T23:00:00Z"), to: try utc("2026-03-29T22:00:00Z")), hours(9))
        // Fall back, 2026-10-25: 09:00 CET is 08:00Z.
        XCTAssertEqual(calendar.nextOpening(atOrAfter: try utc("2026-10-24T22:00:00Z")), try utc("2026-10-25T08:00:00Z"))
        XCTAssertEqual(calendar.businessSeconds(from: try utc("2026-10-24T22:00:00Z"), to: try utc("2026-10-25T23:00:00Z")), hours(9))
    }

    func testWeekdayHoursAcrossADSTWeekendCountOnlyWorkingTime() throws {
        let calendar = BusinessCalendar.standard(timezone: newYork)
        let fridayFivePM = try utc("2026-03-06T22:00:00Z")  // EST
        XCTAssertEqual(calendar.adding(businessSeconds: hours(2), to: fridayFivePM), try utc("2026-03-09T14:00:00Z"), "Monday 10:00 EDT")
        XCTAssertEqual(calendar.businessSeconds(from: try utc("2026-03-06T14:00:00Z"), to: try utc("2026-03-09T22:00:00Z")), hours(18))
    }

    func testPeriodSpanningTheChangeFollowsRealTime() throws {
        // The wall clock skips 02:00–03:00 on 2026-03-08 and repeats 01:00–02:00 on 2026-11-01.
        let skipped = BusinessCalendar(timezone: newYork, weeklyHours: ["sun": [try period("02:00", "03:00")]])
        XCTAssertEqual(skipped.businessSeconds(from: try utc("2026-03-08T00:00:00Z"), to: try utc("2026-03-09T00:00:00Z")), 0)
        XCTAssertEqual(skipped.businessSeconds(from: try utc("2026-03-15T00:00:00Z"), to: try utc("2026-03-16T00:00:00Z")), hours(1))

        let night = BusinessCalendar(timezone: newYork, weeklyHours: ["sat": [try period("22:00", "01:30")]])
        // Saturday 22:00 EDT until the last time the clocks show 01:30 (EST): 4½ hours.
        XCTAssertEqual(
            night.openPeriods(from: try utc("2026-10-31T00:00:00Z"), to: try utc("2026-11-02T00:00:00Z")),
            [DateInterval(start: try utc("2026-11-01T02:00:00Z"), end: try utc("2026-11-01T06:30:00Z"))]
        )
    }

    func testPeriodStartingInTheSkippedHourOpensWhenTheClocksJump() throws {
        let calendar = BusinessCalendar(timezone: newYork, weeklyHours: ["sun": [try period("02:30", "04:00")]])
        XCTAssertEqual(calendar.nextOpening(atOrAfter: try utc("2026-03-08T05:00:00Z")), try utc("2026-03-08T07:00:00Z"), "03:00 EDT")
        XCTAssertEqual(calendar.businessSeconds(from: try utc("2026-03-08T05:00:00Z"), to: try utc("2026-03-09T05:00:00Z")), hours(1))
    }

    func testShanghaiHasNoDSTSurprises() throws {
        let calendar = BusinessCalendar.standard(timezone: shanghai)
        for date in ["2026-01-05", "2026-03-09", "2026-07-06", "2026-11-02"] {
            let monday = try utc("\(date)T00:00:00Z")
            XCTAssertEqual(calendar.nextOpening(atOrAfter: monday), try utc("\(date)T01:00:00Z"), "09:00 is always 01:00Z")
            XCTAssertEqual(calendar.businessSeconds(from: monday, to: monday.addingTimeInterval(hours(24 * 7))), hours(45))
            XCTAssertEqual(calendar.adding(businessSeconds: hours(45), to: monday), monday.addingTimeInterval(hours(24 * 4 + 10)), "Friday 18:00")
        }
    }

    // MARK: - Always open, never open

    func testAlwaysOpenIsPlainAddition() throws {
        let calendar = BusinessCalendar.alwaysOpen(timezone: newYork)
        let saturdayNight = try utc("2026-03-08T06:30:00Z")  // during the skipped hour
        XCTAssertTrue(calendar.isOpen(at: saturdayNight))
        XCTAssertEqual(calendar.nextOpening(atOrAfter: saturdayNight), saturdayNight)
        XCTAssertEqual(calendar.adding(businessSeconds: 1_000_000, to: saturdayNight), saturdayNight.addingTimeInterval(1_000_000))
        XCTAssertEqual(calendar.businessSeconds(from: saturdayNight, to: saturdayNight.addingTimeInterval(12_345)), 12_345)
        XCTAssertTrue(calendar.isWorkingDay(LocalDate(year: 2026, month: 3, day: 8)))
    }

    func testCalendarWithoutWorkingTimeReturnsNil() throws {
        let closed = BusinessCalendar(timezone: shanghai)
        let instant = try at("2026-03-02 10:00")
        XCTAssertFalse(closed.isOpen(at: instant))
        XCTAssertNil(closed.nextOpening(atOrAfter: instant))
        XCTAssertNil(closed.adding(businessSeconds: 60, to: instant))
        XCTAssertNil(closed.addingWorkingDays(1, to: instant))
        XCTAssertEqual(closed.businessSeconds(from: instant, to: instant.addingTimeInterval(hours(24 * 30))), 0)
    }

    func testSearchGivesUpAfterAYearWithoutWorkingTime() throws {
        // Open on Sundays only; every Sunday for 60 weeks (420 days) is a holiday.
        let sundays = (0..<60).map { LocalDate(year: 2026, month: 3, day: 8).adding(days: 7 * $0) }
        let blocked = BusinessCalendar(timezone: shanghai, weeklyHours: ["sun": [try period("09:00", "18:00")]], holidays: sundays)
        XCTAssertNil(blocked.nextOpening(atOrAfter: try at("2026-03-02 10:00")))
        // With 50 such weeks (350 days) the search still finds the first Sunday after them.
        var shorter = blocked
        shorter.holidays = Array(sundays.prefix(50))
        XCTAssertEqual(shorter.nextOpening(atOrAfter: try at("2026-03-02 10:00")), try at("2027-02-21 09:00"))
    }

    // MARK: - Properties

    func testBusinessSecondsIsTheInverseOfAdding() throws {
        var random = SplitMix64(seed: 20_260_302)
        let calendars = [
            lunchCalendar(berlin, holidays: [LocalDate(year: 2026, month: 10, day: 3), LocalDate(year: 2026, month: 12, day: 25)]),
            BusinessCalendar.standard(timezone: newYork),
            BusinessCalendar(
                timezone: shanghai,
                weeklyHours: [
                    "mon": [try period("08:00", "20:00")], "fri": [try period("22:00", "02:00")],
                    "sat": [try period("10:00", "14:00")],
                ]
            ),
        ]
        let rangeStart = try utc("2026-01-01T00:00:00Z").timeIntervalSince1970
        for _ in 0..<300 {
            for calendar in calendars {
                let start = Date(timeIntervalSince1970: rangeStart + Double(random.next(upperBound: UInt64(2 * 365 * 86_400))))
                let amount = TimeInterval(random.next(upperBound: UInt64(200_000)))
                let deadline = try require(calendar.adding(businessSeconds: amount, to: start))
                XCTAssertEqual(
                    calendar.businessSeconds(from: start, to: deadline),
                    amount,
                    accuracy: 0.001,
                    "\(calendar.timezone) \(start) + \(amount)"
                )
                if amount > 0 {
                    XCTAssertTrue(calendar.isOpen(at: deadline.addingTimeInterval(-0.5)), "a deadline ends open time")
                }
                let later = start.addingTimeInterval(TimeInterval(random.next(upperBound: UInt64(30 * 86_400))))
                let elapsed = calendar.businessSeconds(from: start, to: later)
                if elapsed > 0 {
                    let reached = try require(calendar.adding(businessSeconds: elapsed, to: start))
                    XCTAssertLessThanOrEqual(reached, later)
                    XCTAssertEqual(calendar.businessSeconds(from: reached, to: later), 0, accuracy: 0.001, "nothing open between")
                }
            }
        }
    }

    // MARK: - Working days

    func testAddingWorkingDaysKeepsTheTimeOfDay() throws {
        var calendar = BusinessCalendar.standard(timezone: shanghai)
        XCTAssertEqual(calendar.addingWorkingDays(1, to: try at("2026-03-02 10:00")), try at("2026-03-03 10:00"))
        XCTAssertEqual(calendar.addingWorkingDays(1, to: try at("2026-03-06 15:00")), try at("2026-03-09 15:00"))
        XCTAssertEqual(calendar.addingWorkingDays(5, to: try at("2026-03-06 15:00")), try at("2026-03-13 15:00"))
        calendar.holidays = [LocalDate(year: 2026, month: 3, day: 9)]
        XCTAssertEqual(calendar.addingWorkingDays(1, to: try at("2026-03-06 15:00")), try at("2026-03-10 15:00"))
    }

    func testAddingWorkingDaysFromClosedTimeIsDueAtCloseOfBusiness() throws {
        let calendar = BusinessCalendar.standard(timezone: shanghai)
        XCTAssertEqual(calendar.addingWorkingDays(1, to: try at("2026-03-02 20:00")), try at("2026-03-03 18:00"), "Monday evening")
        XCTAssertEqual(calendar.addingWorkingDays(1, to: try at("2026-03-07 11:00")), try at("2026-03-09 18:00"), "Saturday")
        XCTAssertEqual(calendar.addingWorkingDays(1, to: try at("2026-03-02 07:00")), try at("2026-03-02 18:00"), "before opening")
        XCTAssertEqual(calendar.addingWorkingDays(2, to: try at("2026-03-06 20:00")), try at("2026-03-10 18:00"), "Friday evening")
        XCTAssertEqual(calendar.addingWorkingDays(0, to: try at("2026-03-06 20:00")), try at("2026-03-09 09:00"), "zero days: next opening")
    }

    func testAddingWorkingDaysNeverLandsInClosedTime() throws {
        XCTAssertEqual(
            lunchCalendar(shanghai).addingWorkingDays(1, to: try at("2026-03-02 12:30")),
            try at("2026-03-03 12:00"),
            "received at lunch: due when the morning closes"
        )
        var shortSaturday = BusinessCalendar.standard(timezone: shanghai)
        shortSaturday.weeklyHours["sat"] = [try period("10:00", "14:00")]
        XCTAssertEqual(
            shortSaturday.addingWorkingDays(1, to: try at("2026-03-06 16:00")),
            try at("2026-03-07 14:00"),
            "after Saturday's close: its end"
        )
    }

    func testAddingWorkingDaysKeepsWallTimeAcrossDST() throws {
        let calendar = BusinessCalendar.standard(timezone: newYork)
        XCTAssertEqual(
            calendar.addingWorkingDays(1, to: try utc("2026-03-06T15:00:00Z")),
            try utc("2026-03-09T14:00:00Z"),
            "Friday 10:00 EST to Monday 10:00 EDT"
        )
        let alwaysOpen = BusinessCalendar.alwaysOpen(timezone: berlin)
        XCTAssertEqual(
            alwaysOpen.addingWorkingDays(1, to: try utc("2026-03-28T11:00:00Z")),
            try utc("2026-03-29T10:00:00Z"),
            "Saturday 12:00 CET to Sunday 12:00 CEST"
        )
    }

    func testAddingWorkingDaysCountsNightPeriodsByTheirStartDay() throws {
        let calendar = BusinessCalendar(
            timezone: shanghai,
            weeklyHours: ["thu": [try period("22:00", "02:00")], "fri": [try period("22:00", "02:00")]]
        )
        XCTAssertEqual(
            calendar.addingWorkingDays(1, to: try at("2026-03-06 01:00")),
            try at("2026-03-07 01:00"),
            "Thursday night at 01:00 to Friday night at 01:00"
        )
    }

    // MARK: - JSON and validation

    func testJSONRoundTripUsesSnakeCaseKeys() throws {
        var calendar = lunchCalendar(shanghai, holidays: [LocalDate(year: 2026, month: 10, day: 1)])
        calendar.weeklyHours["sat"] = [try period("22:00", "24:00")]
        let data = try KefuJSON.encoder().encode(calendar)
        let text = String(decoding: data, as: UTF8.self)
        for fragment in [
            "\"weekly_hours\"", "\"always_open\":false", "\"holidays\":[\"2026-10-01\"]", "\"start\":\"13:30\"", "\"end\":\"24:00\"",
            "\"timezone\":\"Asia/Shanghai\"",
        ] {
            XCTAssertTrue(text.contains(fragment), "\(fragment) in \(text)")
        }
        XCTAssertEqual(try KefuJSON.decoder().decode(BusinessCalendar.self, from: data), calendar)
    }

    func testDecodingFillsMissingFieldsWithDefaults() throws {
        let decoded = try KefuJSON.decoder().decode(BusinessCalendar.self, from: Data(#"{"timezone": "UTC"}"#.utf8))
        XCTAssertEqual(decoded, BusinessCalendar(timezone: "UTC"))
        let alwaysOpen = try KefuJSON.decoder().decode(BusinessCalendar.self, from: Data(#"{"timezone": "UTC", "always_open": true}"#.utf8))
        XCTAssertEqual(alwaysOpen, .alwaysOpen(timezone: "UTC"))
    }

    func testDecodingRejectsMalformedTimesAndDates() {
        let bad = [
            #"{"timezone": "UTC", "weekly_hours": {"mon": [{"start": "9:00", "end": "18:00"}]}}"#,
            #"{"timezone": "UTC", "weekly_hours": {"mon": [{"start": "09:00", "end": "25:00"}]}}"#,
            #"{"timezone": "UTC", "weekly_hours": {"mon": [{"start": "09:00", "end": "24:30"}]}}"#,
            #"{"timezone": "UTC", "holidays": ["2026-02-30"]}"#,
            #"{"timezone": "UTC", "holidays": ["2026-2-3"]}"#,
        ]
        for json in bad {
            XCTAssertThrowsError(try KefuJSON.decoder().decode(BusinessCalendar.self, from: Data(json.utf8)), json)
        }
    }

    func testValidationNamesTheFieldAtFault() throws {
        let nine = LocalTime(hour: 9)
        let noon = LocalTime(hour: 12)
        let cases: [(BusinessCalendar, String)] = [
            (BusinessCalendar(timezone: "Mars/Olympus_Mons"), "timezone"),
            (BusinessCalendar(timezone: shanghai, weeklyHours: ["monday": [try period("09:00", "18:00")]]), "weekly_hours.monday"),
            (
                BusinessCalendar(timezone: shanghai, weeklyHours: ["mon": [try period("09:00", "12:00"), try period("11:00", "13:00")]]),
                "weekly_hours.mon[1]"
            ),
            (
                BusinessCalendar(timezone: shanghai, weeklyHours: ["mon": [try period("13:00", "14:00"), try period("09:00", "13:30")]]),
                "weekly_hours.mon[1]"
            ),
            (
                BusinessCalendar(timezone: shanghai, weeklyHours: ["tue": [try period("09:00", "10:00"), try period("10:00", "10:00")]]),
                "weekly_hours.tue[1]"
            ),
            (
                BusinessCalendar(
                    timezone: shanghai,
                    weeklyHours: ["wed": (0..<11).map { TimePeriod(start: LocalTime(hour: $0), end: LocalTime(hour: $0, minute: 30)) }]
                ), "weekly_hours.wed"
            ),
            (
                BusinessCalendar(timezone: shanghai, weeklyHours: ["thu": [TimePeriod(start: nine, end: LocalTime(hour: 9, minute: 75))]]),
                "weekly_hours.thu[0]"
            ),
            (BusinessCalendar(timezone: shanghai, weeklyHours: ["thu": [TimePeriod(start: LocalTime(hour: 24), end: noon)]]), "weekly_hours.thu[0]"),
            (
                BusinessCalendar(timezone: shanghai, weeklyHours: ["fri": [try period("22:00", "03:00")], "sat": [try period("02:00", "05:00")]]),
                "weekly_hours.sat[0]"
            ),
            (
                BusinessCalendar(
                    timezone: shanghai,
                    holidays: [
                        LocalDate(year: 2026, month: 1, day: 1), LocalDate(year: 2026, month: 5, day: 1),
                        LocalDate(year: 2026, month: 2, day: 30),
                    ]
                ), "holidays[2]"
            ),
        ]
        for (calendar, field) in cases {
            XCTAssertThrowsError(try calendar.validate(), field) { error in
                guard case .invalidField(let named, let reason) = error as? KefuError else {
                    return XCTFail("expected invalidField, got \(error)")
                }
                XCTAssertEqual(named, field)
                XCTAssertFalse(reason.isEmpty)
            }
        }
    }

    func testValidationAcceptsTypicalCalendars() throws {
        XCTAssertNoThrow(try BusinessCalendar.standard(timezone: shanghai).validate())
        XCTAssertNoThrow(try BusinessCalendar.alwaysOpen(timezone: newYork).validate())
        XCTAssertNoThrow(try lunchCalendar(berlin, holidays: [LocalDate(year: 2026, month: 12, day: 25)]).validate())
        let nights = BusinessCalendar(
            timezone: shanghai,
            weeklyHours: [
                "fri": [try period("09:00", "18:00"), try period("22:00", "02:00")],
                "sat": [try period("02:00", "06:00")],
                "sun": [try period("00:00", "24:00")],
            ]
        )
        XCTAssertNoThrow(try nights.validate())
    }

    func testLocalTypesReadAndWriteTheirText() throws {
        XCTAssertEqual(LocalDate("2026-03-02")?.weekday, .mon)
        XCTAssertEqual(LocalDate(year: 2024, month: 2, day: 29).adding(days: 366).description, "2025-03-01")
        XCTAssertEqual(LocalTime("24:00")?.isValidStart, false)
        XCTAssertNil(LocalTime("24:01"))
        let night = try period("22:00", "02:00")
        XCTAssertTrue(night.crossesMidnight)
        XCTAssertEqual(night.durationMinutes, 240)
        XCTAssertEqual(try period("00:00", "24:00").durationMinutes, 1440)
        XCTAssertTrue(try period("09:00", "09:00").isEmpty)
    }

    // MARK: - Helpers

    private func lunchCalendar(_ timezone: String, holidays: [LocalDate] = []) -> BusinessCalendar {
        let day = [
            TimePeriod(start: LocalTime(hour: 9), end: LocalTime(hour: 12)),
            TimePeriod(start: LocalTime(hour: 13, minute: 30), end: LocalTime(hour: 18)),
        ]
        return BusinessCalendar(timezone: timezone, weeklyHours: ["mon": day, "tue": day, "wed": day, "thu": day, "fri": day], holidays: holidays)
    }

    private func everyDay(_ timezone: String, _ period: TimePeriod) -> BusinessCalendar {
        BusinessCalendar(timezone: timezone, weeklyHours: Dictionary(uniqueKeysWithValues: Weekday.allCases.map { ($0.rawValue, [period]) }))
    }

    private func period(_ start: String, _ end: String) throws -> TimePeriod {
        try require(TimePeriod(start, end), "\(start)–\(end)")
    }

    /// A local wall time (`"2026-03-02 09:00"` or with seconds) in `zone`, via Foundation's Calendar.
    private func at(_ text: String, in zone: String = "Asia/Shanghai") throws -> Date {
        let numbers = text.split(whereSeparator: { "- :".contains($0) }).compactMap { Int($0) }
        guard numbers.count >= 5 else { return try require(nil, "a local time like 2026-03-02 09:00, not \(text)") }
        let second = numbers.count > 5 ? numbers[5] : 0
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = try require(TimeZone(identifier: zone))
        let parts = DateComponents(
            year: numbers[0],
            month: numbers[1],
            day: numbers[2],
            hour: numbers[3],
            minute: numbers[4],
            second: second
        )
        return try require(calendar.date(from: parts), text)
    }

    private func utc(_ text: String) throws -> Date {
        try require(KefuJSON.parse(text), text)
    }

    private func hours(_ count: Double) -> TimeInterval { count * 3600 }
    private func minutes(_ count: Double) -> TimeInterval { count * 60 }
}

/// A small seeded generator, so the property test explores the same instants on every run.
private struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
