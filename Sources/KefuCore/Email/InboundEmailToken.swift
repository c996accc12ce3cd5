import Foundation
import KefuPostgres

/// The secret in a tenant's inbound address (`/v1/inbound/email/{token}`), shown once when it is
/// created; a new one replaces the old at once.
public struct InboundEmailToken: Codable, Sendable {
    public var token: String
    /// The token's first characters, to tell tokens apart.
    public var prefix: String
    public var createdAt: Date

    /// `kin_` and 40 base62 characters (~238 bits) from the system's secure generator.
    static func generate() -> String {
        let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
        var generator = SystemRandomNumberGenerator()
        return "kin_" + String((0..<40).map { _ in alphabet[Int(generator.next(upperBound: UInt64(alphabet.count)))] })
    }

    static let length = 44

    static func hash(_ token: String) -> Data {
        Data(SHA256.hash(Array(token.utf8)))
    }
}

/// Creating, replacing and resolving inbound tokens.
enum InboundEmailTokenStore {
    /// A new token for the transaction's tenant, replacing its previous one.
    static func replace(_ tx: TenantTransaction, now: Date) async throws -> InboundEmailToken {
        let token = InboundEmailToken.generate()
        let prefix = String(token.prefix(10))
        try await tx.execute(
            """
            INSERT INTO inbound_email_tokens (tenant_id, token_hash, prefix, created_at)
            VALUES (\(tx.tenantID), \(InboundEmailToken.hash(token)), \(prefix), \(now))
            ON CONFLICT (tenant_id) DO UPDATE SET token_hash = EXCLUDED.token_hash, prefix = EXCLUDED.prefix, created_at = EXCLUDED.created_at
            """
        )
        return InboundEmailToken(token: token, prefix: prefix, createdAt: now)
    }

    /// The tenant whose current token is `token`: unknown tokens are 404, a suspended tenant's
    /// refused like its keys.
    static func tenant(of token: String, pool: ConnectionPool) async throws -> UUID {
        guard token.count == InboundEmailToken.length, token.hasPrefix("kin_"),
            let owner = try await pool.queryFirst(
                "SELECT tenant_id, tenant_status FROM kefu_inbound_email_tenant(\(InboundEmailToken.hash(token)))"
            )
        else { throw KefuError.notFound("inbound email address") }
        guard try owner.decode(String.self, "tenant_status") == TenantStatus.active.rawValue else { throw KefuError.tenantSuspended }
        return try owner.decode(UUID.self, "tenant_id")
    }
}
