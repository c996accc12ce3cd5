import Foundation

/// A wall-clock time of day with minute precision, written `"HH:MM"`.
///
/// Valid values run from `00:00` to `23:59`, plus `24:00`, which only makes sense as the end
/// of a period ("open until midnight"). Out-of-range values can be constructed in code but are
/// rejected when decoded and by `BusinessCalendar.validate()`.
public struct LocalTime: Sendable, Hashable, Comparable {
    /// 0–23, or 24 for the end of the day.
    public var hour: Int
    /// 0–59.
    public var minute: Int

    public init(hour: Int, minute: Int = 0) {
        self.hour = hour
        self.minute = minute
    }

    /// Midnight at the start of a day.
    public static let midnight = LocalTime(hour: 0)
    /// Midnight at the end of a day, for periods that run until the day is over.
    public static let endOfDay = LocalTime(hour: 24)

    /// Minutes since local midnight.
    public var minutesSinceMidnight: Int { hour * 60 + minute }

    /// Whether this is a time a period may end at (`00:00`–`24:00`).
    public var isValid: Bool {
        ((0...23).contains(hour) && (0...59).contains(minute)) || (hour == 24 && minute == 0)
    }

    /// Whether this is a time a period may start at (`00:00`–`23:59`).
    public var isValidStart: Bool { isValid && hour < 24 }

    public static func < (lhs: LocalTime, rhs: LocalTime) -> Bool {
        lhs.minutesSinceMidnight < rhs.minutesSinceMidnight
    }
}

extension LocalTime: LosslessStringConvertible {
    /// Parses exactly `"HH:MM"` (two digits each), `00:00`–`24:00`.
    public init?(_ description: String) {
        let parts = description.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ $0.count == 2 && $0.allSatisfy(\.isASCII) }),
            let hour = Int(parts[0]), let minute = Int(parts[1])
        else { return nil }
        let time = LocalTime(hour: hour, minute: minute)
        guard time.isValid else { return nil }
        self = time
    }

    public var description: String {
        String(format: "%02d:%02d", hour, minute)
    }
}

extension LocalTime: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let time = LocalTime(text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "expected a time \"HH:MM\" from 00:00 to 24:00, got \"\(text)\"")
        }
        self = time
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
