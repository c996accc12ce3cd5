import Foundation
import KefuPostgres

/// A tenant's own view of itself: identity plus settings.
public struct TenantProfile: Codable, Sendable, Equatable {
    public var id: UUID
    public var slug: String
    public var name: String
    public var timezone: String
    public var status: TenantStatus
    public var settings: TenantSettings
}

/// Reads and patches a tenant's settings (JSON merge patch over the SPEC defaults).
public struct SettingsService: Sendable {
    let database: TenantDatabase

    public init(database: TenantDatabase) {
        self.database = database
    }

    public func get(_ tenantID: UUID) async throws -> TenantProfile {
        try await database.transaction(tenantID, readOnly: true) { tx in try await Self.load(tx) }
    }

    /// Loads the tenant's profile inside a tenant transaction (`FOR UPDATE` when it will be changed).
    static func load(_ tx: TenantTransaction, forUpdate: Bool = false) async throws -> TenantProfile {
        try await tx.pipeline(loadStatement(tx, forUpdate: forUpdate))
    }

    /// The statement `load` runs, for a pipeline.
    static func loadStatement(_ tx: TenantTransaction, forUpdate: Bool = false) -> PostgresStatement<TenantProfile> {
        let lock: PostgresQuery = forUpdate ? " FOR UPDATE" : ""
        let query: PostgresQuery = "SELECT id, slug, name, timezone, status, settings FROM tenants WHERE id = \(tx.tenantID)\(lock)"
        let tenantID = tx.tenantID
        return query.decoding { try profile(from: $0, tenantID: tenantID) }
    }

    /// The profile in the result of `loadStatement`.
    private static func profile(from result: PostgresResult, tenantID: UUID) throws -> TenantProfile {
        guard let row = result.rows.first else { throw KefuError.notFound("tenant") }
        return TenantProfile(
            id: try row.decode(UUID.self, "id"),
            slug: try row.decode(String.self, "slug"),
            name: try row.decode(String.self, "name"),
            timezone: try row.decode(String.self, "timezone"),
            status: TenantStatus(rawValue: try row.decode(String.self, "status")) ?? .active,
            settings: try TenantSettingsCache.shared.settings(for: tenantID, stored: row.decode(String.self, "settings"))
        )
    }

    /// Applies a patch like `{"timezone": "Asia/Shanghai", "settings": {"sla": {"chat_first_response_seconds": 20}}}`.
    @discardableResult
    public func patch(_ tenantID: UUID, _ patch: JSONValue) async throws -> TenantProfile {
        guard case .object(let fields) = patch else { throw KefuError.invalidField("body", "must be a JSON object") }
        if let unknown = fields.keys.sorted().first(where: { !["name", "timezone", "settings"].contains($0) }) {
            throw KefuError.invalidField(unknown, "cannot be changed here (name, timezone, settings)")
        }
        let name = try fields["name"].map { value -> String in
            guard case .string(let text) = value else { throw KefuError.invalidField("name", "must be a string") }
            return try Validate.text(text, field: "name")
        }
        let timezone = try fields["timezone"].map { value -> String in
            guard case .string(let text) = value else { throw KefuError.invalidField("timezone", "must be a string") }
            return try Validate.timezone(text)
        }
        return try await database.transaction(tenantID) { tx in
            var profile = try await Self.load(tx, forUpdate: true)
            if let settingsPatch = fields["settings"] {
                do {
                    profile.settings = try profile.settings.applying(settingsPatch)
                } catch KefuError.invalidField(let field, let reason) where field != "settings" {
                    throw KefuError.invalidField("settings." + field, reason)
                }
            }
            try await tx.execute(
                """
                UPDATE tenants SET name = COALESCE(\(name), name), timezone = COALESCE(\(timezone), timezone),
                    settings = \(json: profile.settings), updated_at = now()
                WHERE id = \(tenantID)
                """
            )
            return try await Self.load(tx)
        }
    }
}
