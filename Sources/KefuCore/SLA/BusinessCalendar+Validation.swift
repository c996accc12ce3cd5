import Foundation

extension BusinessCalendar {
    /// The most periods one day may have.
    public static let maximumPeriodsPerDay = 10

    /// Checks the calendar before it is stored; throws `KefuError.invalidField` naming the field
    /// at fault (`timezone`, `weekly_hours.mon`, `weekly_hours.mon[1]`, `holidays[2]`).
    ///
    /// Rejects an unknown time zone, unknown day keys, more than ten periods a day, times
    /// outside `00:00`–`24:00` (a start of `24:00`), empty periods, and periods that overlap —
    /// within a day, or a period running past midnight into the next day's first periods.
    public func validate() throws {
        guard TimeZone(identifier: timezone) != nil else {
            throw KefuError.invalidField("timezone", "must be an IANA time zone such as Asia/Shanghai")
        }
        let known = Set(Weekday.allCases.map(\.rawValue))
        if let unknown = weeklyHours.keys.sorted().first(where: { !known.contains($0) }) {
            throw KefuError.invalidField("weekly_hours.\(unknown)", "is not a day; use mon, tue, wed, thu, fri, sat or sun")
        }
        for weekday in Weekday.allCases {
            try validatePeriods(of: weekday)
        }
        for weekday in Weekday.allCases {
            try validateNoSpillOverlap(into: weekday)
        }
        for (index, holiday) in holidays.enumerated() where !holiday.isValid {
            throw KefuError.invalidField("holidays[\(index)]", "must be a real date YYYY-MM-DD")
        }
    }

    private func validatePeriods(of weekday: Weekday) throws {
        let day = "weekly_hours.\(weekday.rawValue)"
        let periods = periods(on: weekday)
        guard periods.count <= Self.maximumPeriodsPerDay else {
            throw KefuError.invalidField(day, "at most \(Self.maximumPeriodsPerDay) periods a day")
        }
        for (index, period) in periods.enumerated() {
            let field = "\(day)[\(index)]"
            guard period.start.isValidStart else { throw KefuError.invalidField(field, "start must be between 00:00 and 23:59") }
            guard period.end.isValid else { throw KefuError.invalidField(field, "end must be between 00:00 and 24:00") }
            guard !period.isEmpty else {
                throw KefuError.invalidField(field, "must not be empty (start equals end); use 00:00–24:00 for a whole day")
            }
        }
        let ordered = periods.enumerated().sorted { $0.element.start < $1.element.start }
        for (earlier, later) in zip(ordered, ordered.dropFirst())
        where later.element.secondsFromMidnight.start < earlier.element.secondsFromMidnight.end {
            let index = max(earlier.offset, later.offset)
            throw KefuError.invalidField("\(day)[\(index)]", "overlaps \(day)[\(min(earlier.offset, later.offset))]")
        }
    }

    /// A period crossing midnight must end before the next day's periods begin.
    private func validateNoSpillOverlap(into weekday: Weekday) throws {
        let previous = weekday.previous
        for (spillIndex, spill) in periods(on: previous).enumerated() where spill.crossesMidnight {
            let spillEnd = spill.end.minutesSinceMidnight
            for (index, period) in periods(on: weekday).enumerated() where period.start.minutesSinceMidnight < spillEnd {
                throw KefuError.invalidField(
                    "weekly_hours.\(weekday.rawValue)[\(index)]",
                    "overlaps weekly_hours.\(previous.rawValue)[\(spillIndex)], which runs past midnight"
                )
            }
        }
    }
}
