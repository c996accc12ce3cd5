import Foundation
import KefuPostgres

/// A tenant's own SMTP relay as the API shows it: never its password, only whether one is set.
public struct MailRelaySettings: Codable, Sendable, Equatable {
    public var host: String
    public var port: Int
    public var security: MailSecurity
    public var username: String?
    public var passwordSet: Bool
    public var fromAddress: String
    public var updatedAt: Date
}

/// `GET /v1/mail-relay`: the tenant's own relay, or null.
public struct MailRelayView: Codable, Sendable, Equatable {
    public var relay: MailRelaySettings?

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(relay, forKey: .relay)
    }
}

/// `PUT /v1/mail-relay`: the relay's host (a name or address, 1–253 characters), port (1–65535),
/// security (`starttls` or `implicit`), optional username (1–200) with its password (1–200,
/// required with a username; kept sealed with the deployment key) and the from-address.
public struct MailRelayInput: Codable, Sendable {
    public var host: String
    public var port: Int
    public var security: MailSecurity
    public var username: String?
    public var password: String?
    public var fromAddress: String
}

/// A tenant's own relay (admins): mail of the tenant goes through it instead of the deployment's.
/// Its host must resolve to public addresses (or be on `KEFU_WEBHOOK_ALLOWED_HOSTS`), checked
/// when written and before every send, as webhooks are.
public struct MailRelayService: Sendable {
    let database: TenantDatabase
    let clock: any KefuClock
    let targets: WebhookTargetPolicy
    let secrets: SecretBox?

    public init(database: TenantDatabase, clock: any KefuClock, targets: WebhookTargetPolicy, secrets: SecretBox?) {
        self.database = database
        self.clock = clock
        self.targets = targets
        self.secrets = secrets
    }

    static let columns: PostgresQuery = "host, port, security, username, password_sealed IS NOT NULL AS password_set, from_address, updated_at"

    /// The tenant's relay, `relay` null when it has none (its mail goes through the deployment's).
    public func get(_ tenantID: UUID) async throws -> MailRelayView {
        try await database.transaction(tenantID, readOnly: true) { tx in
            MailRelayView(
                relay: try await tx.queryFirst(MailRelaySettings.self, "SELECT \(Self.columns) FROM mail_relays WHERE tenant_id = \(tx.tenantID)")
            )
        }
    }

    public func put(_ tenantID: UUID, _ input: MailRelayInput) async throws -> MailRelaySettings {
        let host = try Validate.text(input.host, field: "host", maxLength: 253)
        guard host.range(of: "^[A-Za-z0-9]([A-Za-z0-9.:-]*[A-Za-z0-9])?$", options: .regularExpression) != nil else {
            throw KefuError.invalidField("host", "must be a host name or an IP address")
        }
        guard (1...65535).contains(input.port) else { throw KefuError.invalidField("port", "must be between 1 and 65535") }
        let username = try input.username.map { try Validate.text($0, field: "username", maxLength: 200) }
        let from = try Validate.email(input.fromAddress, field: "from_address")
        var sealed: Data?
        if username != nil {
            guard let password = input.password else { throw KefuError.invalidField("password", "is required with a username") }
            _ = try Validate.text(password, field: "password", maxLength: 200)
            guard let secrets else {
                throw KefuError.invalidField("password", "cannot be stored: the deployment has no KEFU_SECRET_KEY")
            }
            sealed = try secrets.seal(password)
        } else if input.password != nil {
            throw KefuError.invalidField("username", "is required with a password")
        }
        try await targets.checkHost(host, field: "host")
        let now = clock.now()
        return try await database.transaction(tenantID) { tx in
            guard
                let relay = try await tx.queryFirst(
                    MailRelaySettings.self,
                    """
                    INSERT INTO mail_relays (tenant_id, host, port, security, username, password_sealed, from_address, updated_at)
                    VALUES (\(tx.tenantID), \(host), \(input.port), \(input.security.rawValue), \(username), \(sealed), \(from), \(now))
                    ON CONFLICT (tenant_id) DO UPDATE SET host = EXCLUDED.host, port = EXCLUDED.port, security = EXCLUDED.security,
                        username = EXCLUDED.username, password_sealed = EXCLUDED.password_sealed,
                        from_address = EXCLUDED.from_address, updated_at = EXCLUDED.updated_at
                    RETURNING \(Self.columns)
                    """
                )
            else { throw KefuError.notFound("mail relay") }
            return relay
        }
    }

    public func delete(_ tenantID: UUID) async throws {
        let deleted = try await database.transaction(tenantID) { tx in
            try await tx.queryScalar(
                Int.self,
                "WITH gone AS (DELETE FROM mail_relays WHERE tenant_id = \(tx.tenantID) RETURNING 1) SELECT count(*)::int FROM gone"
            )
        }
        if deleted == 0 { throw KefuError.notFound("mail relay") }
    }

    /// The tenant's relay with its password opened, for sending; nil when it has none. A
    /// password that no longer opens (the deployment key changed) fails the send.
    static func relay(_ tx: TenantTransaction, secrets: SecretBox?) async throws -> MailRelay? {
        struct Row: Decodable {
            var host: String
            var port: Int
            var security: MailSecurity
            var username: String?
            var passwordSealed: Data?
            var fromAddress: String
        }
        guard
            let row = try await tx.queryFirst(
                Row.self,
                "SELECT host, port, security, username, password_sealed, from_address FROM mail_relays WHERE tenant_id = \(tx.tenantID)"
            )
        else { return nil }
        var password: String?
        if let sealed = row.passwordSealed {
            guard let opened = secrets?.open(sealed) else {
                throw MailFailure(code: nil, message: "the relay password does not open with KEFU_SECRET_KEY: set it again", permanent: false)
            }
            password = opened
        }
        return MailRelay(
            host: row.host,
            port: row.port,
            security: row.security,
            username: row.username,
            password: password,
            fromAddress: row.fromAddress
        )
    }
}
