import Foundation

/// A stretch of working time within one day of the week, in local wall-clock time.
///
/// A period whose end is earlier than its start crosses midnight and belongs to the day it
/// starts: `22:00–02:00` on Friday covers Friday 22:00 to Saturday 02:00. An end of `24:00` (or
/// `00:00`) means "until midnight". A period whose start equals its end is empty and rejected by
/// `BusinessCalendar.validate()`; use `00:00–24:00` for a whole day.
public struct TimePeriod: Codable, Sendable, Hashable {
    /// When the period opens (`00:00`–`23:59`).
    public var start: LocalTime
    /// When it closes; earlier than `start` means on the next date.
    public var end: LocalTime

    public init(start: LocalTime, end: LocalTime) {
        self.start = start
        self.end = end
    }

    /// A period from `"HH:MM"` strings; nil if either is not a valid time.
    public init?(_ start: String, _ end: String) {
        guard let start = LocalTime(start), let end = LocalTime(end) else { return nil }
        self.init(start: start, end: end)
    }

    /// Whether the period runs past midnight into the next local date.
    public var crossesMidnight: Bool { end < start }

    /// Whether the period covers no time at all.
    public var isEmpty: Bool { start == end }

    /// Wall-clock length in minutes (up to 1440); 0 when empty.
    public var durationMinutes: Int {
        let length = end.minutesSinceMidnight - start.minutesSinceMidnight
        return length >= 0 ? length : length + 24 * 60
    }

    /// Start and end in seconds after the local midnight of the day the period belongs to;
    /// the end exceeds 86 400 when the period crosses midnight.
    var secondsFromMidnight: (start: Int, end: Int) {
        let start = start.minutesSinceMidnight * 60
        return (start, start + durationMinutes * 60)
    }
}
