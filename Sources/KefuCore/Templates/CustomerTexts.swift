import Foundation
import Logging
import Mustache

/// The customer texts of one tenant: its language, its time zone and its overrides in that
/// language. Rendering never fails a ticket action: an override that cannot be used falls back
/// to the built-in text, with a warning in the log.
struct CustomerTexts: Sendable {
    var locale: TextLocale
    /// The IANA time zone times are written in.
    var timezone: String
    /// The tenant's overrides in `locale`.
    var overrides: [CustomerTemplate: String]
    var logger: Logger

    static let defaultLogger = Logger(label: "kefu.templates")

    init(locale: TextLocale, timezone: String, overrides: [CustomerTemplate: String] = [:], logger: Logger = defaultLogger) {
        self.locale = locale
        self.timezone = timezone
        self.overrides = overrides
        self.logger = logger
    }

    /// The texts of a tenant: its `locale` setting, its time zone and its stored overrides.
    init(settings: TenantSettings, timezone: String, stored: [TemplateOverride]) {
        let locale = TextLocale(setting: settings.locale)
        var overrides: [CustomerTemplate: String] = [:]
        for entry in stored where entry.locale == locale { overrides[entry.template] = entry.body }
        self.init(locale: locale, timezone: timezone, overrides: overrides)
    }

    /// `template` filled in with `values` (a nil value is absent: its sections are skipped).
    func render(_ template: CustomerTemplate, _ values: [String: String?]) -> String {
        let present = values.compactMapValues { $0 }
        if let text = overrides[template] {
            do {
                return try TemplateCompiler.compile(text, for: template).render(present)
            } catch {
                logger.warning(
                    "tenant template cannot be rendered: the built-in text is used",
                    metadata: ["template": "\(template.rawValue)", "locale": "\(locale.rawValue)", "reason": "\(error.reason)"]
                )
            }
        }
        // Built-in texts compile (`CustomerTemplateTests`); the compiler's cache makes that once per process.
        let builtIn = template.builtIn(locale)
        return (try? TemplateCompiler.compile(builtIn, for: template))?.render(present) ?? builtIn
    }

    /// `instant` as these texts write times.
    func time(_ instant: Date) -> String {
        LocalTimeText.format(instant, timezone: timezone, locale: locale)
    }

    /// `compensation` as these texts write it.
    func compensation(_ compensation: Compensation) -> String {
        CompensationText.format(compensation, locale: locale)
    }
}
