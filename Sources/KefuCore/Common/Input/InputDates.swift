import Foundation

/// Dates and instants from clients, parsed strictly and bounded to one range.
///
/// - An instant is RFC 3339 with a zone: `2026-11-25T09:30:00Z`, `2026-11-25T17:30:00.5+08:00`
///   (a fraction of up to 9 digits; offsets up to ±23:59; no instants without a zone).
/// - A date is `YYYY-MM-DD` naming a day that exists (`2026-02-30` is refused), meaning its
///   midnight UTC where an instant is needed.
/// - Both lie in `1970-01-01T00:00:00Z` … `2199-12-31T23:59:59.999999Z`, so everything derived
///   from them (deadlines, reserve activations, report periods) stays within what PostgreSQL and
///   Kefu's own arithmetic handle.
public enum InputDates {
    /// The first instant a client may give.
    public static let earliest = Date(timeIntervalSince1970: 0)
    /// The first instant after the range (2200-01-01T00:00:00Z).
    public static let end = Date(timeIntervalSince1970: Double(daysFromCivil(2200, 1, 1)) * 86_400)
    /// The range in words, for messages and the API document.
    public static let rangeText = "between 1970-01-01 and 2199-12-31 (UTC)"

    /// Whether an instant lies in the accepted range.
    public static func contains(_ instant: Date) -> Bool {
        instant >= earliest && instant < end
    }

    /// An RFC 3339 date-time with a zone, in range; `invalidField(field, …)` otherwise.
    public static func instant(_ text: String, field: String) throws -> Date {
        guard let instant = parseInstant(text) else {
            throw KefuError.invalidField(field, "must be an RFC 3339 date-time with a zone, such as 2026-11-25T09:30:00Z")
        }
        return try bounded(instant, field: field)
    }

    /// A `YYYY-MM-DD` date that exists, in range, as its midnight UTC.
    public static func date(_ text: String, field: String) throws -> Date {
        guard let date = LocalDate(text) else { throw KefuError.invalidField(field, "must be a date YYYY-MM-DD that exists") }
        return try bounded(date.midnightUTC, field: field)
    }

    /// A date-time (`instant`) or a plain date (`date`), whichever the text is.
    public static func dateOrInstant(_ text: String, field: String) throws -> Date {
        text.utf8.count == 10 ? try date(text, field: field) : try instant(text, field: field)
    }

    /// `YYYY-MM` as the first instant of that month (UTC).
    public static func month(_ text: String, field: String) throws -> Date {
        guard text.utf8.count == 7, text.utf8.last.map({ $0 != UInt8(ascii: "-") }) == true else {
            throw KefuError.invalidField(field, "must be a month YYYY-MM")
        }
        do {
            return try date(text + "-01", field: field)
        } catch {
            throw KefuError.invalidField(field, "must be a month YYYY-MM \(rangeText)")
        }
    }

    private static func bounded(_ instant: Date, field: String) throws -> Date {
        guard contains(instant) else { throw KefuError.invalidField(field, "must be \(rangeText)") }
        return instant
    }

    /// RFC 3339 `date-time` (section 5.6), nil when the text is not one or names no real time.
    static func parseInstant(_ text: String) -> Date? {
        var scanner = DigitScanner(Array(text.utf8))
        guard let year = scanner.number(4), scanner.skip("-"), let month = scanner.number(2), scanner.skip("-"),
            let day = scanner.number(2), scanner.skip("T") || scanner.skip("t"),
            let hour = scanner.number(2), scanner.skip(":"), let minute = scanner.number(2), scanner.skip(":"),
            let second = scanner.number(2)
        else { return nil }
        guard LocalDate(year: year, month: month, day: day).isValid, hour <= 23, minute <= 59, second <= 59 else { return nil }
        var fraction = 0.0
        if scanner.skip(".") {
            let digits = scanner.digits()
            guard (1...9).contains(digits.count) else { return nil }
            fraction = Double("0." + digits) ?? 0
        }
        var offset = 0
        if !(scanner.skip("Z") || scanner.skip("z")) {
            let sign: Int
            if scanner.skip("+") { sign = 1 } else if scanner.skip("-") { sign = -1 } else { return nil }
            guard let hours = scanner.number(2), scanner.skip(":"), let minutes = scanner.number(2), hours <= 23, minutes <= 59 else { return nil }
            offset = sign * (hours * 3600 + minutes * 60)
        }
        guard scanner.atEnd else { return nil }
        let seconds = daysFromCivil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second - offset
        return Date(timeIntervalSince1970: Double(seconds) + fraction)
    }

    private static func daysFromCivil(_ year: Int, _ month: Int, _ day: Int) -> Int {
        LocalDate(year: year, month: month, day: day).dayNumber
    }
}

/// Reads fixed-width ASCII digits and separators.
private struct DigitScanner {
    let bytes: [UInt8]
    var index = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var atEnd: Bool { index == bytes.count }

    mutating func number(_ width: Int) -> Int? {
        guard index + width <= bytes.count else { return nil }
        var value = 0
        for byte in bytes[index..<index + width] {
            guard (48...57).contains(byte) else { return nil }
            value = value * 10 + Int(byte - 48)
        }
        index += width
        return value
    }

    mutating func digits() -> String {
        let start = index
        while index < bytes.count, (48...57).contains(bytes[index]) { index += 1 }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    mutating func skip(_ character: Unicode.Scalar) -> Bool {
        guard index < bytes.count, bytes[index] == UInt8(character.value) else { return false }
        index += 1
        return true
    }
}

extension LocalDate {
    /// The date's first instant in UTC.
    public var midnightUTC: Date { Date(timeIntervalSince1970: Double(dayNumber) * 86_400) }
}
