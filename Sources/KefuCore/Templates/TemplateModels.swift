import Foundation

/// `GET /v1/templates`: every customer template, and the language the tenant writes in.
public struct TemplateList: Codable, Sendable {
    /// The tenant's `locale` setting: the language its customers get.
    public var locale: TextLocale
    public var templates: [TemplateInfo]
}

/// One template: what it may use, its built-in texts and the tenant's overrides.
public struct TemplateInfo: Codable, Sendable {
    public var name: String
    public var variables: [Variable]
    public var texts: [Text]

    /// A variable the template may use.
    public struct Variable: Codable, Sendable {
        public var name: String
        public var description: String
    }

    /// The template in one language.
    public struct Text: Codable, Sendable {
        public var locale: TextLocale
        public var builtIn: String
        /// The tenant's override, used instead of `built_in`; nil when it has none.
        public var override: String?
        public var updatedAt: Date?
    }

    init(_ template: CustomerTemplate, overrides: [TemplateOverride]) {
        name = template.rawValue
        variables = template.definition.variables.sorted { $0.key < $1.key }.map { Variable(name: $0.key, description: $0.value) }
        texts = TextLocale.allCases.map { locale in
            let stored = overrides.first { $0.template == template && $0.locale == locale }
            return Text(locale: locale, builtIn: template.builtIn(locale), override: stored?.body, updatedAt: stored?.updatedAt)
        }
    }
}

/// The body of `PUT /v1/templates/{name}/{locale}`.
public struct TemplateInput: Codable, Sendable {
    /// Mustache text using only the template's variables; 1–2,000 characters.
    public var body: String

    public init(body: String) { self.body = body }
}
