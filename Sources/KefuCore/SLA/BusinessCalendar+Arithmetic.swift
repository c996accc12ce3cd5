import Foundation

/// Business-time arithmetic: pure functions of the calendar and the instants given.
///
/// Periods are wall-clock times in the calendar's zone, so a 09:00–18:00 day stays 09:00–18:00
/// local time across DST changes. Open time is real elapsed time between a period's start (the
/// first moment the clocks show it) and its end (the last moment they show it): a period that
/// spans the change itself is an hour shorter or longer, and a boundary inside a skipped hour
/// means the moment the clocks jumped. Forward searches give up after 366 consecutive local
/// dates without working time and return nil.
extension BusinessCalendar {
    /// Whether the calendar is open at an instant (a period includes its start, not its end).
    public func isOpen(at instant: Date) -> Bool {
        if alwaysOpen { return true }
        let resolved = ResolvedCalendar(self)
        return resolved.openIntervals(from: instant, through: instant).contains { $0.start == instant }
    }

    /// The instant itself if open, otherwise the start of the next working period; nil when
    /// there is no working time within 366 days.
    public func nextOpening(atOrAfter instant: Date) -> Date? {
        if alwaysOpen { return instant }
        var intervals = ResolvedCalendar(self).openIntervals(from: instant)
        return intervals.next()?.start
    }

    /// The instant at which `businessSeconds` of open time have elapsed, counting from
    /// `start` (or from the next opening if closed then). A deadline that uses up a period
    /// exactly is that period's end, not the next opening; zero seconds from a closed instant is
    /// the next opening. Negative amounts count as zero. Nil when the calendar runs out of
    /// working time (366 days without any) or the amount is not finite.
    public func adding(businessSeconds: TimeInterval, to start: Date) -> Date? {
        guard businessSeconds.isFinite else { return nil }
        let needed = max(0, businessSeconds)
        if alwaysOpen { return start.addingTimeInterval(needed) }
        var remaining = needed
        for interval in ResolvedCalendar(self).openIntervals(from: start) {
            let length = interval.end.timeIntervalSince(interval.start)
            if remaining <= length { return interval.start.addingTimeInterval(remaining) }
            remaining -= length
        }
        return nil
    }

    /// Open time between two instants; 0 when `end` is not after `start`. The inverse of
    /// `adding(businessSeconds:to:)`. Runs in time proportional to the days between them.
    public func businessSeconds(from start: Date, to end: Date) -> TimeInterval {
        openPeriods(from: start, to: end).reduce(0) { $0 + $1.duration }
    }

    /// The open stretches between two instants, in order, clipped to `[start, end]`; empty when
    /// `end` is not after `start`.
    public func openPeriods(from start: Date, to end: Date) -> [DateInterval] {
        guard end > start else { return [] }
        if alwaysOpen { return [DateInterval(start: start, end: end)] }
        var periods: [DateInterval] = []
        for interval in ResolvedCalendar(self).openIntervals(from: start, through: end) {
            guard interval.start < end else { break }
            periods.append(DateInterval(start: interval.start, end: min(interval.end, end)))
        }
        return periods
    }
}
