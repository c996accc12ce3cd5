import Foundation
import KefuPostgres

/// A tenant's override of one template in one language (`customer_templates`, sql/030).
struct TemplateOverride: Decodable, Sendable {
    var template: CustomerTemplate
    var locale: TextLocale
    var body: String
    var updatedAt: Date

    enum CodingKeys: String, CodingKey {
        case template = "name"
        case locale, body, updatedAt
    }
}

/// Lists the customer templates and sets or removes a tenant's overrides (`/v1/templates`, admins).
/// Tickets read the overrides in their own transactions through `loadStatement`.
public struct TemplateService: Sendable {
    let database: TenantDatabase
    let clock: any KefuClock

    public init(database: TenantDatabase, clock: any KefuClock) {
        self.database = database
        self.clock = clock
    }

    /// Every template with its variables, built-in texts and the tenant's overrides.
    public func list(_ tenantID: UUID) async throws -> TemplateList {
        try await database.transaction(tenantID, readOnly: true) { tx in
            let (profile, stored) = try await tx.pipeline(SettingsService.loadStatement(tx), Self.loadStatement(tx))
            return TemplateList(
                locale: TextLocale(setting: profile.settings.locale),
                templates: CustomerTemplate.allCases.map { TemplateInfo($0, overrides: stored) }
            )
        }
    }

    /// Sets the tenant's `name` text in `locale`: refused (422 `body`) unless it parses and uses
    /// only the template's variables.
    public func put(_ tenantID: UUID, name: String, locale: String, _ input: TemplateInput) async throws -> TemplateInfo {
        let (template, locale) = try Self.find(name, locale)
        let body = try Validate.text(input.body, field: "body", maxLength: TemplateCompiler.maxLength)
        do {
            _ = try TemplateCompiler.compile(body, for: template)
        } catch {
            throw KefuError.invalidField("body", error.reason)
        }
        let now = clock.now()
        return try await database.transaction(tenantID) { tx in
            try await tx.execute(
                """
                INSERT INTO customer_templates (tenant_id, name, locale, body, updated_at)
                VALUES (\(tx.tenantID), \(template.rawValue), \(locale.rawValue), \(body), \(now))
                ON CONFLICT (tenant_id, name, locale) DO UPDATE SET body = EXCLUDED.body, updated_at = EXCLUDED.updated_at
                """
            )
            return TemplateInfo(template, overrides: try await tx.pipeline(Self.loadStatement(tx)))
        }
    }

    /// Removes the tenant's `name` text in `locale` (404 when it has none): the built-in applies again.
    public func delete(_ tenantID: UUID, name: String, locale: String) async throws {
        let (template, locale) = try Self.find(name, locale)
        try await database.transaction(tenantID) { tx in
            let removed = try await tx.execute(
                """
                DELETE FROM customer_templates WHERE tenant_id = \(tx.tenantID) AND name = \(template.rawValue)
                AND locale = \(locale.rawValue)
                """
            )
            guard removed > 0 else { throw KefuError.notFound("template override") }
        }
    }

    /// The tenant's overrides, for a pipeline (names no longer in the registry are skipped).
    static func loadStatement(_ tx: TenantTransaction) -> PostgresStatement<[TemplateOverride]> {
        let query: PostgresQuery = "SELECT name, locale, body, updated_at FROM customer_templates WHERE tenant_id = \(tx.tenantID)"
        return query.decoding { result in
            result.rows.compactMap { try? $0.decode(TemplateOverride.self) }
        }
    }

    private static func find(_ name: String, _ locale: String) throws -> (CustomerTemplate, TextLocale) {
        guard let template = CustomerTemplate(rawValue: name) else { throw KefuError.notFound("template") }
        guard let locale = TextLocale(rawValue: locale) else { throw KefuError.notFound("template locale") }
        return (template, locale)
    }
}
