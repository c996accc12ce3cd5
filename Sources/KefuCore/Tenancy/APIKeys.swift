import Foundation
import KefuPostgres

/// API keys: random, shown once, stored as SHA-256 hashes; listed, revoked, and resolved to a
/// `Principal` on every request.
public struct APIKeyService: Sendable {
    let database: TenantDatabase
    /// Recently resolved keys (see `PrincipalCache`).
    public let principals: PrincipalCache

    public init(database: TenantDatabase, principals: PrincipalCache = PrincipalCache(lifetime: .zero)) {
        self.database = database
        self.principals = principals
    }

    /// A fresh key: `kefu_` and 40 base62 characters (~238 bits) from the system's secure generator.
    static func generateKey() -> String {
        let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
        var generator = SystemRandomNumberGenerator()
        return "kefu_" + String((0..<40).map { _ in alphabet[Int(generator.next(upperBound: UInt64(alphabet.count)))] })
    }

    static func hash(_ key: String) -> Data {
        Data(SHA256.hash(Array(key.utf8)))
    }

    /// Creates a key for an agent of the transaction's tenant.
    static func insert(_ tx: TenantTransaction, agentID: UUID, name: String) async throws -> CreatedAPIKey {
        let name = try Validate.text(name, field: "name")
        let key = generateKey()
        let prefix = String(key.prefix(12))
        guard
            let info = try await tx.queryFirst(
                APIKeyInfo.self,
                """
                INSERT INTO api_keys (tenant_id, agent_id, name, prefix, key_hash)
                SELECT \(tx.tenantID), a.id, \(name), \(prefix), \(hash(key))
                FROM agents a WHERE a.tenant_id = \(tx.tenantID) AND a.id = \(agentID)
                RETURNING id, tenant_id, agent_id, name, prefix, created_at, last_used_at, revoked_at
                """
            )
        else {
            throw KefuError.invalidField("agent_id", "no such agent")
        }
        return CreatedAPIKey(key: info, apiKey: key)
    }

    public func create(_ tenantID: UUID, agentID: UUID, name: String) async throws -> CreatedAPIKey {
        try await database.transaction(tenantID) { tx in try await Self.insert(tx, agentID: agentID, name: name) }
    }

    public func list(_ tenantID: UUID, page: PageRequest) async throws -> Page<APIKeyInfo> {
        let rows = try await database.transaction(tenantID, readOnly: true) { tx in
            try await tx.query(
                APIKeyInfo.self,
                """
                SELECT id, tenant_id, agent_id, name, prefix, created_at, last_used_at, revoked_at
                FROM api_keys WHERE tenant_id = \(tenantID)\(page.keysetCondition)\(page.orderAndLimit)
                """
            )
        }
        return Page(fetched: rows, request: page) { .init(createdAt: $0.createdAt, id: $0.id) }
    }

    /// Revokes a key (idempotent); the record stays for the audit trail.
    public func revoke(_ tenantID: UUID, id: UUID) async throws -> APIKeyInfo {
        defer { principals.removeAll() }
        return try await database.transaction(tenantID) { tx in
            guard
                let info = try await tx.queryFirst(
                    APIKeyInfo.self,
                    """
                    UPDATE api_keys SET revoked_at = COALESCE(revoked_at, now())
                    WHERE tenant_id = \(tenantID) AND id = \(id)
                    RETURNING id, tenant_id, agent_id, name, prefix, created_at, last_used_at, revoked_at
                    """
                )
            else { throw KefuError.notFound("api key") }
            return info
        }
    }

    /// Resolves a presented key to its tenant, agent and role, from `principals` when it was
    /// resolved moments ago. Unknown, malformed and revoked keys are `unauthorized`; a suspended
    /// tenant's keys are `tenantSuspended`.
    public func authenticate(_ key: String) async throws -> Principal {
        guard key.hasPrefix("kefu_"), key.count == 45 else { throw KefuError.unauthorized("invalid API key") }
        let keyHash = Self.hash(key)
        if let known = principals.principal(for: keyHash) { return known }
        let principal = try await lookUp(keyHash)
        principals.remember(principal, for: keyHash)
        return principal
    }

    private func lookUp(_ keyHash: Data) async throws -> Principal {
        guard let row = try await database.pool.queryFirst("SELECT * FROM kefu_authenticate(\(keyHash))") else {
            throw KefuError.unauthorized("invalid API key")
        }
        guard try row.decode(String.self, "tenant_status") == TenantStatus.active.rawValue else {
            throw KefuError.tenantSuspended
        }
        return Principal(
            tenantID: try row.decode(UUID.self, "tenant_id"),
            agentID: try row.decode(UUID.self, "agent_id"),
            role: AgentRole(rawValue: try row.decode(String.self, "agent_role")) ?? .agent,
            keyID: try row.decode(UUID.self, "key_id")
        )
    }
}
