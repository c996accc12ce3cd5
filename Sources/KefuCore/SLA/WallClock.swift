import Foundation

/// Conversions between instants and local wall-clock time in one time zone, with explicit
/// rules for the hour that a DST change skips or repeats.
///
/// Local time is counted as a day number (days since 1970-01-01) and seconds after that
/// day's midnight; seconds may exceed 86 400 to name a time on a following date.
struct WallClock: Sendable {
    /// Which instant a wall-clock time means when the clocks show it twice (fall back).
    enum Occurrence {
        case earliest, latest
    }

    let timeZone: TimeZone

    /// A clock for an IANA zone id; an unknown id (rejected by `validate()`) falls back to UTC.
    init(timezone: String) {
        timeZone = TimeZone(identifier: timezone) ?? TimeZone(secondsFromGMT: 0) ?? TimeZone.current
    }

    /// The local date and time of day at an instant.
    func local(_ instant: Date) -> (day: Int, second: Double) {
        let wall = instant.timeIntervalSince1970 + Double(offset(at: instant.timeIntervalSince1970))
        let day = Int((wall / 86_400).rounded(.down))
        return (day, wall - Double(day) * 86_400)
    }

    /// The instant at which the wall clock shows `second` seconds after the midnight of `day`.
    ///
    /// A time shown twice resolves to its `occurrence`; a time the clocks skip resolves to the
    /// moment they jumped (so `02:30` on a spring-forward night in New York is 03:00 EDT).
    func instant(day: Int, second: Double, occurrence: Occurrence) -> Date {
        let wall = Double(day) * 86_400 + second
        let candidates = Set([wall - 86_400, wall, wall + 86_400].map(offset(at:)))
        let matches = candidates.map { wall - Double($0) }.filter { Double(offset(at: $0)) == wall - $0 }
        if let match = occurrence == .earliest ? matches.min() : matches.max() {
            return Date(timeIntervalSince1970: match)
        }
        return transition(between: wall - Double(candidates.max() ?? 0), and: wall - Double(candidates.min() ?? 0))
    }

    /// The first whole second in `(from, to]` whose UTC offset differs from the offset at `from`.
    private func transition(between from: Double, and to: Double) -> Date {
        var low = Int(from.rounded(.down))
        var high = Int(to.rounded(.up))
        let before = offset(at: Double(low))
        guard offset(at: Double(high)) != before else { return Date(timeIntervalSince1970: to) }
        while high - low > 1 {
            let middle = low + (high - low) / 2
            if offset(at: Double(middle)) == before { low = middle } else { high = middle }
        }
        return Date(timeIntervalSince1970: Double(high))
    }

    private func offset(at secondsSince1970: Double) -> Int {
        timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: secondsSince1970))
    }
}
