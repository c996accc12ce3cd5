import Foundation

/// Fast conversion between `Date` and PostgreSQL's ISO timestamp text (connections use
/// `DateStyle = ISO` and `TimeZone = UTC`).
public enum PostgresTimestamp {
    /// `2026-11-25 15:32:20.123456+00` in UTC, microsecond precision (PostgreSQL's own).
    public static func format(_ date: Date) -> String {
        render(date, separator: UInt8(ascii: " "), fractionDigits: 6, suffix: "+00")
    }

    /// `2026-11-25T15:32:20.123Z`: ISO 8601 with milliseconds (truncated), for JSON.
    public static func formatISO8601(_ date: Date) -> String {
        render(date, separator: UInt8(ascii: "T"), fractionDigits: 3, suffix: "Z")
    }

    /// Appends `formatISO8601(date)` to a byte buffer (JSON writers).
    public static func writeISO8601(_ date: Date, into bytes: inout [UInt8]) {
        render(date, separator: UInt8(ascii: "T"), fractionDigits: 3, suffix: "Z", into: &bytes)
    }

    private static func render(_ date: Date, separator: UInt8, fractionDigits: Int, suffix: StaticString) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(32)
        render(date, separator: separator, fractionDigits: fractionDigits, suffix: suffix, into: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Writes the digits straight into a byte buffer: this runs for every instant of every
    /// response and stored row, so no intermediate strings.
    private static func render(_ date: Date, separator: UInt8, fractionDigits: Int, suffix: StaticString, into bytes: inout [UInt8]) {
        if date == .distantFuture {
            bytes.append(contentsOf: "infinity".utf8)
            return
        }
        if date == .distantPast {
            bytes.append(contentsOf: "-infinity".utf8)
            return
        }
        let micros = (date.timeIntervalSince1970 * 1_000_000).rounded()
        // Beyond what microseconds in an Int64 hold (±292,000 years) there is no date to write:
        // an instant out there says "infinitely late/early" rather than trapping the process.
        guard let totalMicros = Int64(exactly: micros), micros.magnitude < 9.2e18 else {
            bytes.append(contentsOf: (micros < 0 ? "-infinity" : "infinity").utf8)
            return
        }
        var seconds = totalMicros / 1_000_000
        var fraction = totalMicros % 1_000_000
        if fraction < 0 {
            fraction += 1_000_000
            seconds -= 1
        }
        let (year, month, day, hour, minute, second) = civil(fromEpochSeconds: seconds)
        func digits(_ value: Int, _ width: Int) {
            var divisor = 1
            for _ in 1..<width { divisor *= 10 }
            var rest = value
            while divisor > 0 {
                bytes.append(UInt8(ascii: "0") + UInt8(rest / divisor))
                rest %= divisor
                divisor /= 10
            }
        }
        // Years beyond 0...9999 (PostgreSQL allows them) keep all their digits.
        bytes.append(contentsOf: pad(year, 4).utf8)
        bytes.append(UInt8(ascii: "-"))
        digits(month, 2)
        bytes.append(UInt8(ascii: "-"))
        digits(day, 2)
        bytes.append(separator)
        digits(hour, 2)
        bytes.append(UInt8(ascii: ":"))
        digits(minute, 2)
        bytes.append(UInt8(ascii: ":"))
        digits(second, 2)
        bytes.append(UInt8(ascii: "."))
        digits(fractionDigits == 3 ? Int(fraction) / 1000 : Int(fraction), fractionDigits)
        suffix.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    /// Parses PostgreSQL timestamp output and ISO 8601 text (`T` or space, optional fraction,
    /// `Z` / `±HH[:MM]` offset, no offset meaning UTC). Returns nil when malformed.
    public static func parse(_ text: String) -> Date? {
        if text == "infinity" { return .distantFuture }
        if text == "-infinity" { return .distantPast }
        let bytes = Array(text.utf8)
        var index = 0
        func number(_ width: Int) -> Int? {
            guard index + width <= bytes.count else { return nil }
            var value = 0
            for i in index..<(index + width) {
                let b = bytes[i]
                guard b >= 48, b <= 57 else { return nil }
                value = value * 10 + Int(b - 48)
            }
            index += width
            return value
        }
        func expect(_ char: UInt8) -> Bool {
            guard index < bytes.count, bytes[index] == char else { return false }
            index += 1
            return true
        }
        guard let year = number(4), expect(45), let month = number(2), expect(45), let day = number(2) else { return nil }
        guard (1...12).contains(month), (1...31).contains(day) else { return nil }
        var seconds = Double(daysFromCivil(year, month, day) * 86_400)
        guard index < bytes.count else { return Date(timeIntervalSince1970: seconds) }
        guard bytes[index] == 32 || bytes[index] == 84 else { return nil }
        index += 1
        guard let hour = number(2), expect(58), let minute = number(2), expect(58), let second = number(2),
            hour < 24, minute < 60, second < 61
        else { return nil }
        seconds += Double(hour * 3600 + minute * 60 + second)
        if index < bytes.count, bytes[index] == 46 {
            index += 1
            var scale = 0.1
            var fraction = 0.0
            while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 {
                fraction += Double(bytes[index] - 48) * scale
                scale /= 10
                index += 1
            }
            seconds += fraction
        }
        if index == bytes.count { return Date(timeIntervalSince1970: seconds) }
        if bytes[index] == 90 {  // Z
            return index + 1 == bytes.count ? Date(timeIntervalSince1970: seconds) : nil
        }
        guard bytes[index] == 43 || bytes[index] == 45 else { return nil }
        let sign = bytes[index] == 43 ? 1 : -1
        index += 1
        guard let offsetHours = number(2) else { return nil }
        var offset = offsetHours * 3600
        if index < bytes.count, bytes[index] == 58 { index += 1 }
        if index < bytes.count {
            guard let offsetMinutes = number(2) else { return nil }
            offset += offsetMinutes * 60
        }
        if index < bytes.count, bytes[index] == 58 {
            index += 1
            guard let offsetSeconds = number(2) else { return nil }
            offset += offsetSeconds
        }
        guard index == bytes.count else { return nil }
        return Date(timeIntervalSince1970: seconds - Double(sign * offset))
    }

    /// Same as `parse`, for JSON payloads.
    public static func parseISO8601(_ text: String) -> Date? { parse(text) }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    public static func daysFromCivil(_ year: Int, _ month: Int, _ day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civil(fromEpochSeconds seconds: Int64) -> (Int, Int, Int, Int, Int, Int) {
        var days = Int(seconds / 86_400)
        var rest = Int(seconds % 86_400)
        if rest < 0 {
            rest += 86_400
            days -= 1
        }
        let (year, month, day) = civil(fromDays: days)
        return (year, month, day, rest / 3600, rest / 60 % 60, rest % 60)
    }

    /// The proleptic Gregorian date `days` days after 1970-01-01 (Howard Hinnant's algorithm).
    public static func civil(fromDays days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
