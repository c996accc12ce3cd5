import Foundation

/// A business calendar prepared for arithmetic: zone resolved, periods in seconds, holidays as
/// day numbers. Built per call; cheap.
struct ResolvedCalendar: Sendable {
    /// A stretch of open time and the local date (day number) whose period produced it.
    struct Interval: Sendable {
        var start: Date
        var end: Date
        var day: Int
    }

    /// Consecutive dates without working time after which a forward search gives up.
    static let searchLimitDays = 366

    let clock: WallClock
    /// Non-empty periods per weekday, in `Weekday.allCases` order, sorted by start.
    private let periods: [[(start: Int, end: Int)]]
    private let holidays: Set<Int>

    init(_ calendar: BusinessCalendar) {
        clock = WallClock(timezone: calendar.timezone)
        periods = Weekday.allCases.map { weekday in
            calendar.periods(on: weekday)
                .filter { !$0.isEmpty && $0.start.isValidStart && $0.end.isValid }
                .map(\.secondsFromMidnight)
                .sorted { $0.start < $1.start }
        }
        holidays = Set(calendar.holidays.filter(\.isValid).map(\.dayNumber))
    }

    /// Whether any weekday has working time at all.
    var hasWeeklyHours: Bool { periods.contains { !$0.isEmpty } }

    /// Whether the local date has working time.
    func isWorkingDay(_ day: Int) -> Bool {
        !holidays.contains(day) && !periods[weekdayIndex(day)].isEmpty
    }

    /// The open intervals of the periods that start on a local date, in order. A period's start
    /// is the first moment the wall clock shows it, its end the last; DST can make a period
    /// longer, shorter or (inside a skipped hour) empty in real time.
    func intervals(on day: Int) -> [Interval] {
        guard !holidays.contains(day) else { return [] }
        return periods[weekdayIndex(day)].compactMap { period in
            let start = clock.instant(day: day, second: Double(period.start), occurrence: .earliest)
            let end = clock.instant(day: day, second: Double(period.end), occurrence: .latest)
            return end > start ? Interval(start: start, end: end, day: day) : nil
        }
    }

    /// Open time from `start` onwards, as disjoint intervals in order. With `end`, stops once
    /// no later interval can start before it (intervals are not clipped at `end`); without,
    /// stops after `searchLimitDays` consecutive dates without open time.
    func openIntervals(from start: Date, through end: Date? = nil) -> OpenIntervalIterator {
        // One day of slack: where clocks fall back at midnight, the next date's first period can
        // begin before `end`.
        OpenIntervalIterator(calendar: self, from: start, lastDay: end.map { clock.local($0).day + 1 })
    }

    private func weekdayIndex(_ day: Int) -> Int {
        ((day + 3) % 7 + 7) % 7
    }
}

/// Walks a calendar's open time forward period by period (never minute by minute). Periods
/// that overlap (possible around a DST change, or in an unvalidated calendar) are clipped so
/// no instant is counted twice.
struct OpenIntervalIterator: IteratorProtocol, Sequence {
    private let calendar: ResolvedCalendar
    private let lastDay: Int?
    private var day: Int
    private var cursor: Date
    private var pending: [ResolvedCalendar.Interval] = []
    private var pendingIndex = 0
    private var daysWithoutTime = 0

    init(calendar: ResolvedCalendar, from start: Date, lastDay: Int?) {
        self.calendar = calendar
        self.lastDay = lastDay
        // A period of the previous date may run past midnight into the start instant.
        day = calendar.clock.local(start).day - 1
        cursor = start
    }

    mutating func next() -> ResolvedCalendar.Interval? {
        guard calendar.hasWeeklyHours else { return nil }
        while true {
            while pendingIndex < pending.count {
                var interval = pending[pendingIndex]
                pendingIndex += 1
                interval.start = Swift.max(interval.start, cursor)
                if interval.end > interval.start {
                    cursor = interval.end
                    daysWithoutTime = 0
                    return interval
                }
            }
            if let lastDay, day > lastDay { return nil }
            if lastDay == nil, daysWithoutTime > ResolvedCalendar.searchLimitDays { return nil }
            pending = calendar.intervals(on: day)
            pendingIndex = 0
            day += 1
            daysWithoutTime += 1
        }
    }
}
