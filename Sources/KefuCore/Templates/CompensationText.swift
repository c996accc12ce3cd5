import Foundation

/// A compensation as customer texts write it: its kind, then the amount and currency when
/// given, then its note in the language's brackets — `代金券 50 CNY（下次订单可用）`,
/// `voucher 12.50 CNY (next order)`.
public enum CompensationText {
    /// `compensation` in `locale`'s words.
    public static func format(_ compensation: Compensation, locale: TextLocale) -> String {
        var text = compensation.kind
        if let amount = compensation.amount { text += " " + number(amount) }
        if let currency = compensation.currency { text += " " + currency }
        if let note = compensation.note {
            switch locale {
            case .zhCN: text += "（\(note)）"
            case .en: text += " (\(note))"
            }
        }
        return text
    }

    /// A whole amount without decimals, any other with two (amounts are at most 1,000,000,000).
    static func number(_ amount: Double) -> String {
        guard amount.isFinite else { return "0" }
        if amount == amount.rounded(), abs(amount) < 1e15 { return String(Int64(amount)) }
        return String(format: "%.2f", amount)
    }
}
