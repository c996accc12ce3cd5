/// A day of the week, as keyed in `BusinessCalendar.weeklyHours` (`"mon"` … `"sun"`).
public enum Weekday: String, Codable, Sendable, CaseIterable {
    case mon, tue, wed, thu, fri, sat, sun

    /// The weekday of the date `dayNumber` days after 1970-01-01 (a Thursday).
    init(dayNumber: Int) {
        let index = ((dayNumber + 3) % 7 + 7) % 7
        self = Weekday.allCases[index]
    }
}

extension Weekday {
    /// The day before.
    var previous: Weekday {
        switch self {
        case .mon: .sun
        case .tue: .mon
        case .wed: .tue
        case .thu: .wed
        case .fri: .thu
        case .sat: .fri
        case .sun: .sat
        }
    }
}
