import Foundation

/// An instant as customer texts write it: in the tenant's time zone, in the language's own
/// short form — `12月7日 09:00` (zh-CN), `7 Dec 09:00` (en).
public enum LocalTimeText {
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// `instant` on the wall clock of `timezone` (an IANA name; UTC when unknown).
    public static func format(_ instant: Date, timezone: String, locale: TextLocale) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: timezone) ?? .gmt
        let parts = calendar.dateComponents([.month, .day, .hour, .minute], from: instant)
        let month = parts.month ?? 1
        let day = parts.day ?? 1
        let clock = two(parts.hour ?? 0) + ":" + two(parts.minute ?? 0)
        switch locale {
        case .zhCN: return "\(month)月\(day)日 \(clock)"
        case .en: return "\(day) \(months[month - 1]) \(clock)"
        }
    }

    private static func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
}
