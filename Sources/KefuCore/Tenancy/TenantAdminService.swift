import Foundation
import KefuPostgres

/// Input for `kefu tenant create`.
public struct NewTenant: Sendable {
    public var slug: String
    public var name: String
    public var timezone: String
    public var adminName: String
    public var adminEmail: String

    public init(slug: String, name: String, timezone: String = "UTC", adminName: String = "Administrator", adminEmail: String? = nil) {
        self.slug = slug
        self.name = name
        self.timezone = timezone
        self.adminName = adminName
        self.adminEmail = adminEmail ?? "admin@\(slug).kefu.local"
    }
}

/// A created tenant with its first admin and that admin's key (shown once).
public struct TenantCreation: Codable, Sendable {
    public var tenant: Tenant
    public var admin: Agent
    public var apiKey: String
    public var tenantId: UUID { tenant.id }
}

/// Operator actions across tenants (the admin CLI). Runs on the owner connection; actions on one
/// tenant still go through a tenant-scoped transaction.
public struct TenantAdminService: Sendable {
    let pool: ConnectionPool
    static let columns: PostgresQuery = "id, slug, name, status, timezone, created_at, updated_at"

    /// - Parameter ownerPool: a pool on the owner role (superuser or BYPASSRLS).
    public init(ownerPool: ConnectionPool) {
        self.pool = ownerPool
    }

    /// Creates the tenant, its first admin agent and that agent's API key in one transaction.
    public func create(_ input: NewTenant) async throws -> TenantCreation {
        let slug = try Validate.slug(input.slug)
        let name = try Validate.text(input.name, field: "name")
        let timezone = try Validate.timezone(input.timezone)
        let tenantID = UUID()
        do {
            return try await TenantDatabase(pool: pool).transaction(tenantID) { tx in
                let tenant = try require(
                    try await tx.queryFirst(
                        Tenant.self,
                        """
                        INSERT INTO tenants (id, slug, name, timezone) VALUES (\(tenantID), \(slug), \(name), \(timezone))
                        RETURNING \(Self.columns)
                        """
                    )
                )
                let admin = try await AgentService.insert(
                    tx,
                    NewAgent(
                        name: input.adminName,
                        email: input.adminEmail,
                        role: AgentRole.admin.rawValue,
                        tier: AgentTier.senior.rawValue
                    )
                )
                let key = try await APIKeyService.insert(tx, agentID: admin.id, name: "initial admin key")
                return TenantCreation(tenant: tenant, admin: admin, apiKey: key.apiKey)
            }
        } catch let error as PostgresError where error.isUniqueViolation && error.constraint == "tenants_slug_key" {
            throw KefuError.conflict("a tenant with slug \(slug) already exists")
        }
    }

    public func list() async throws -> [Tenant] {
        try await pool.query(Tenant.self, "SELECT \(Self.columns) FROM tenants ORDER BY slug")
    }

    public func find(slug: String) async throws -> Tenant {
        guard let tenant = try await pool.queryFirst(Tenant.self, "SELECT \(Self.columns) FROM tenants WHERE slug = \(slug)") else {
            throw KefuError.notFound("tenant \(slug)")
        }
        return tenant
    }

    /// Suspends or resumes a tenant. Suspension stops its keys; nothing is deleted.
    public func setStatus(slug: String, _ status: TenantStatus) async throws -> Tenant {
        let tenant = try await find(slug: slug)
        return try await TenantDatabase(pool: pool).transaction(tenant.id) { tx in
            try require(
                try await tx.queryFirst(
                    Tenant.self,
                    """
                    UPDATE tenants SET status = \(status.rawValue), updated_at = now() WHERE id = \(tenant.id)
                    RETURNING \(Self.columns)
                    """
                )
            )
        }
    }

    /// Every row the tenant owns, as JSON.
    public func export(slug: String) async throws -> String {
        let tenant = try await find(slug: slug)
        return try await pool.queryScalar(String.self, "SELECT kefu_export_tenant(\(tenant.id))::text") ?? "{}"
    }

    /// Deletes a tenant and everything it owns. `confirm` must repeat the slug.
    public func delete(slug: String, confirm: String) async throws {
        guard confirm == slug else {
            throw KefuError.invalidField("confirm", "must repeat the tenant's slug (\(slug)) to delete it")
        }
        let tenant = try await find(slug: slug)
        // Table by table in foreign-key order (sql/014), as the owner: see kefu_delete_tenant.
        try await pool.execute("SELECT kefu_delete_tenant(\(tenant.id))")
    }
}
