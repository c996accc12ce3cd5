import Foundation
import KefuPostgres

/// A tenant's webhooks (admins): create (the secret is shown once), read, change, delete, and
/// rotate the secret with an overlap during which the previous one still signs.
public struct WebhookService: Sendable {
    /// At most this many webhooks per tenant: every event fans out to each of them.
    public static let maximumPerTenant = 20
    /// How long the previous secret keeps signing after a rotation.
    public static let rotationOverlap: TimeInterval = 24 * 3600

    let database: TenantDatabase
    let clock: any KefuClock
    let targets: WebhookTargetPolicy

    public init(database: TenantDatabase, clock: any KefuClock, targets: WebhookTargetPolicy) {
        self.database = database
        self.clock = clock
        self.targets = targets
    }

    static let columns: PostgresQuery = """
        id, tenant_id, url, events, description, channel, active, previous_secret_expires_at, created_at, updated_at
        """

    public func list(_ tenantID: UUID, page: PageRequest) async throws -> Page<Webhook> {
        let rows = try await database.transaction(tenantID, readOnly: true) { tx in
            try await tx.query(
                Webhook.self,
                "SELECT \(Self.columns) FROM webhooks WHERE tenant_id = \(tenantID)\(page.keysetCondition)\(page.orderAndLimit)"
            )
        }
        return Page(fetched: rows, request: page) { .init(createdAt: $0.createdAt, id: $0.id) }
    }

    public func get(_ tenantID: UUID, id: UUID) async throws -> Webhook {
        try await database.transaction(tenantID, readOnly: true) { tx in try await Self.fetch(tx, id: id) }
    }

    /// Creates a webhook after checking its URL (`WebhookTargetPolicy`) and event types.
    public func create(_ tenantID: UUID, _ input: NewWebhook) async throws -> WebhookWithSecret {
        try await targets.check(input.url)
        let events = try Self.eventTypes(input.events)
        let description = try input.description.map { try Validate.text($0, field: "description") }
        let channel = try input.channel.map { try Validate.choice($0, GatewayChannel.self, field: "channel").rawValue }
        let secret = WebhookSignature.newSecret()
        let now = clock.now()
        let webhook = try await database.transaction(tenantID) { tx in
            let count = try await tx.queryScalar(Int.self, "SELECT count(*) FROM webhooks WHERE tenant_id = \(tenantID)") ?? 0
            guard count < Self.maximumPerTenant else {
                throw KefuError.conflict("a tenant has at most \(Self.maximumPerTenant) webhooks; delete one first")
            }
            let id = UUID()
            try await tx.execute(
                """
                INSERT INTO webhooks (tenant_id, id, url, events, description, channel, active, secret, created_at, updated_at)
                VALUES (\(tenantID), \(id), \(input.url), \(events.map(\.rawValue)), \(description), \(channel), \(input.active ?? true),
                        \(secret), \(now), \(now))
                """
            )
            return try await Self.fetch(tx, id: id)
        }
        return WebhookWithSecret(webhook: webhook, secret: secret)
    }

    /// Changes the given fields (the URL checked again).
    public func update(_ tenantID: UUID, id: UUID, _ input: WebhookUpdate) async throws -> Webhook {
        if let url = input.url { try await targets.check(url) }
        let events = try input.events.map(Self.eventTypes)?.map(\.rawValue)
        let description = try input.description?.value.map { try Validate.text($0, field: "description") }
        let setsDescription = input.description != nil
        let channel = try input.channel?.value.map { try Validate.choice($0, GatewayChannel.self, field: "channel").rawValue }
        let setsChannel = input.channel != nil
        return try await database.transaction(tenantID) { tx in
            _ = try await Self.fetch(tx, id: id, forUpdate: true)
            try await tx.execute(
                """
                UPDATE webhooks SET url = COALESCE(\(input.url), url), events = COALESCE(\(events), events),
                    description = CASE WHEN \(setsDescription) THEN \(description) ELSE description END,
                    channel = CASE WHEN \(setsChannel) THEN \(channel) ELSE channel END,
                    active = COALESCE(\(input.active), active), updated_at = \(clock.now())
                WHERE tenant_id = \(tenantID) AND id = \(id)
                """
            )
            return try await Self.fetch(tx, id: id)
        }
    }

    /// Deletes the webhook and its deliveries.
    public func delete(_ tenantID: UUID, id: UUID) async throws {
        try await database.transaction(tenantID) { tx in
            let deleted = try await tx.execute("DELETE FROM webhooks WHERE tenant_id = \(tenantID) AND id = \(id)")
            guard deleted == 1 else { throw KefuError.notFound("webhook") }
        }
    }

    /// A new secret, shown once; the old one signs too until `previous_secret_expires_at`.
    public func rotateSecret(_ tenantID: UUID, id: UUID) async throws -> WebhookWithSecret {
        let secret = WebhookSignature.newSecret()
        let now = clock.now()
        let webhook = try await database.transaction(tenantID) { tx in
            _ = try await Self.fetch(tx, id: id, forUpdate: true)
            try await tx.execute(
                """
                UPDATE webhooks SET previous_secret = secret, secret = \(secret),
                    previous_secret_expires_at = \(now.addingTimeInterval(Self.rotationOverlap)), updated_at = \(now)
                WHERE tenant_id = \(tenantID) AND id = \(id)
                """
            )
            return try await Self.fetch(tx, id: id)
        }
        return WebhookWithSecret(webhook: webhook, secret: secret)
    }

    static func fetch(_ tx: TenantTransaction, id: UUID, forUpdate: Bool = false) async throws -> Webhook {
        let lock: PostgresQuery = forUpdate ? " FOR UPDATE" : ""
        guard
            let webhook = try await tx.queryFirst(
                Webhook.self,
                "SELECT \(columns) FROM webhooks WHERE tenant_id = \(tx.tenantID) AND id = \(id)\(lock)"
            )
        else { throw KefuError.notFound("webhook") }
        return webhook
    }

    /// 1–20 known types, duplicates dropped (422 naming `events` or `events[i]`).
    static func eventTypes(_ names: [String]) throws -> [WebhookEventType] {
        try Validate.choices(names, WebhookEventType.self, count: 1...20, field: "events")
    }
}
