import Foundation

/// When a tenant (or one of its channels) is at work: weekly hours in a time zone, minus
/// holidays. SLA clocks only run during this time (SPEC §2, §3).
///
/// - Weekly hours are local wall-clock periods keyed `"mon"` … `"sun"`; a day may have several
///   (e.g. `09:00–12:00` and `13:30–18:00` around lunch) and a day without a key is closed.
/// - A holiday closes its whole local date, including a period that starts on it and runs past
///   midnight; a period that starts the evening before a holiday still runs into it.
/// - `alwaysOpen` (24×7 channels) ignores weekly hours and holidays.
///
/// JSON (through `KefuJSON`): `{"timezone", "weekly_hours": {"mon": [{"start": "09:00",
/// "end": "18:00"}]}, "holidays": ["2026-10-01"], "always_open": false}`; missing
/// `weekly_hours`, `holidays` and `always_open` decode as empty / false.
public struct BusinessCalendar: Codable, Sendable, Equatable {
    /// IANA time zone id, e.g. `Asia/Shanghai`.
    public var timezone: String
    /// Working periods per weekday key (`"mon"` … `"sun"`).
    public var weeklyHours: [String: [TimePeriod]]
    /// Local dates without working time.
    public var holidays: [LocalDate]
    /// Open around the clock: business time equals elapsed time.
    public var alwaysOpen: Bool

    public init(timezone: String, weeklyHours: [String: [TimePeriod]] = [:], holidays: [LocalDate] = [], alwaysOpen: Bool = false) {
        self.timezone = timezone
        self.weeklyHours = weeklyHours
        self.holidays = holidays
        self.alwaysOpen = alwaysOpen
    }

    /// A 24×7 calendar (e.g. for chat channels staffed around the clock).
    public static func alwaysOpen(timezone: String) -> BusinessCalendar {
        BusinessCalendar(timezone: timezone, alwaysOpen: true)
    }

    /// The default: Monday to Friday, 09:00–18:00, no holidays.
    public static func standard(timezone: String) -> BusinessCalendar {
        let day = [TimePeriod(start: LocalTime(hour: 9), end: LocalTime(hour: 18))]
        let weekdays: [Weekday] = [.mon, .tue, .wed, .thu, .fri]
        return BusinessCalendar(timezone: timezone, weeklyHours: Dictionary(uniqueKeysWithValues: weekdays.map { ($0.rawValue, day) }))
    }

    /// The working periods of a weekday (empty when closed).
    public func periods(on weekday: Weekday) -> [TimePeriod] {
        weeklyHours[weekday.rawValue] ?? []
    }

    /// Whether a local date has working time: not a holiday and with a non-empty period that
    /// starts on it. Every date is a working day of an always-open calendar.
    public func isWorkingDay(_ date: LocalDate) -> Bool {
        if alwaysOpen { return true }
        return !holidays.contains(date) && periods(on: date.weekday).contains { !$0.isEmpty }
    }

    /// The local date, in this calendar's time zone, at an instant.
    public func localDate(of instant: Date) -> LocalDate {
        LocalDate(dayNumber: WallClock(timezone: timezone).local(instant).day)
    }

    private enum CodingKeys: String, CodingKey {
        case timezone, weeklyHours, holidays, alwaysOpen
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        timezone = try container.decode(String.self, forKey: .timezone)
        weeklyHours = try container.decodeIfPresent([String: [TimePeriod]].self, forKey: .weeklyHours) ?? [:]
        holidays = try container.decodeIfPresent([LocalDate].self, forKey: .holidays) ?? []
        alwaysOpen = try container.decodeIfPresent(Bool.self, forKey: .alwaysOpen) ?? false
    }
}
