import Foundation

extension BusinessCalendar {
    /// The most working days `addingWorkingDays` counts (about four years).
    public static let maximumWorkingDays = 1_000

    /// The deadline for "within `days` working days" of `start`.
    ///
    /// A working day is a local date that is not a holiday and has a working period starting
    /// on it. The rule:
    /// 1. The clock starts at `start`, or at the next opening if the calendar is closed then;
    ///    the working day of that opening is the one its period belongs to.
    /// 2. The target is the same local wall-clock time on the `days`-th working day after it
    ///    (across DST changes this keeps the wall time, not the elapsed hours).
    /// 3. If the calendar is closed at the target, the deadline moves back to the last closing
    ///    before it: after hours that is the end of that day's last period; before the day's
    ///    first opening it is the close of the previous working day; in a lunch break, the start
    ///    of the break.
    ///
    /// So a request during hours on Monday 10:00 is due Tuesday 10:00, one on Monday evening or
    /// over the weekend is due at close of business the next working day, and a deadline never
    /// lands in closed time. With `alwaysOpen` it is the same wall time `days` dates later.
    /// `days` ≤ 0 gives the next opening. Nil when the calendar has no working time within 366
    /// days, or `days` exceeds `maximumWorkingDays` (the search must not run unbounded).
    public func addingWorkingDays(_ days: Int, to start: Date) -> Date? {
        guard days > 0 else { return nextOpening(atOrAfter: start) }
        guard days <= Self.maximumWorkingDays else { return nil }
        let resolved = ResolvedCalendar(self)
        let clock = resolved.clock
        if alwaysOpen {
            let local = clock.local(start)
            return clock.instant(day: local.day + days, second: local.second, occurrence: .earliest)
        }
        var intervals = resolved.openIntervals(from: start)
        guard let opening = intervals.next() else { return nil }
        let local = clock.local(opening.start)
        // Seconds after the working day's midnight; beyond 86 400 inside a period past midnight.
        let timeOfDay = Double(local.day - opening.day) * 86_400 + local.second

        var day = opening.day
        var found = 0
        var daysWithoutWork = 0
        while found < days {
            day += 1
            if resolved.isWorkingDay(day) {
                found += 1
                daysWithoutWork = 0
            } else {
                daysWithoutWork += 1
                if daysWithoutWork > ResolvedCalendar.searchLimitDays { return nil }
            }
        }
        let target = clock.instant(day: day, second: timeOfDay, occurrence: .earliest)
        return openPeriods(from: opening.start, to: target).last?.end ?? target
    }
}
