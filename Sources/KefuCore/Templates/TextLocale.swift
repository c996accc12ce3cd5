/// A language Kefu writes customer texts in: the tenant setting `locale`.
public enum TextLocale: String, Sendable, CaseIterable, Codable {
    /// Simplified Chinese, the default for new tenants.
    case zhCN = "zh-CN"
    case en

    /// The language a tenant's `locale` setting names; zh-CN for anything else.
    public init(setting: String) {
        self = TextLocale(rawValue: setting) ?? .zhCN
    }
}
