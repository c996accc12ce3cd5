import Foundation
import KefuPostgres

/// A calendar date without a time or zone, written `"YYYY-MM-DD"` (proleptic Gregorian).
public struct LocalDate: Sendable, Hashable, Comparable {
    public var year: Int
    /// 1–12.
    public var month: Int
    /// 1–31, as the month allows.
    public var day: Int

    public init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// Whether the fields name a real date (e.g. not February 30), years 1–9999.
    public var isValid: Bool {
        guard (1...9999).contains(year), (1...12).contains(month), day >= 1 else { return false }
        return LocalDate(dayNumber: dayNumber) == self
    }

    /// The day of the week.
    public var weekday: Weekday { Weekday(dayNumber: dayNumber) }

    /// The date `days` later (earlier when negative).
    public func adding(days: Int) -> LocalDate { LocalDate(dayNumber: dayNumber + days) }

    public static func < (lhs: LocalDate, rhs: LocalDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    /// Days since 1970-01-01 (negative before).
    var dayNumber: Int { PostgresTimestamp.daysFromCivil(year, month, day) }

    /// The date `dayNumber` days after 1970-01-01.
    init(dayNumber: Int) {
        let civil = PostgresTimestamp.civil(fromDays: dayNumber)
        self.init(year: civil.year, month: civil.month, day: civil.day)
    }
}

extension LocalDate: LosslessStringConvertible {
    /// Parses exactly `"YYYY-MM-DD"`; nil unless it names a real date.
    public init?(_ description: String) {
        let parts = description.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            parts.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }),
            let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2])
        else { return nil }
        let date = LocalDate(year: year, month: month, day: day)
        guard date.isValid else { return nil }
        self = date
    }

    public var description: String {
        String(format: "%04d-%02d-%02d", year, month, day)
    }
}

extension LocalDate: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let date = LocalDate(text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "expected a date \"YYYY-MM-DD\", got \"\(text)\"")
        }
        self = date
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
