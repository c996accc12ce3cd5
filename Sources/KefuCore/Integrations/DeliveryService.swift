import Foundation
import KefuPostgres

/// What the tenant's admins see of the outbox: deliveries by status and webhook, one delivery
/// with its attempts, and the retry by hand of a failed or dead one.
public struct DeliveryService: Sendable {
    let database: TenantDatabase
    let clock: any KefuClock

    public init(database: TenantDatabase, clock: any KefuClock) {
        self.database = database
        self.clock = clock
    }

    static let columns: PostgresQuery = """
        id, tenant_id, webhook_id, robot_id, email, event_type, ticket_id, status, attempts,
        CASE WHEN status IN ('pending', 'failed') THEN next_attempt_at END AS next_attempt_at,
        last_status_code, last_error, created_at, delivered_at, dead_at
        """

    /// Deliveries oldest first, by `(created_at, id)`.
    public func list(_ tenantID: UUID, filter: DeliveryFilter, page: PageRequest) async throws -> Page<Delivery> {
        var conditions: PostgresQuery = "tenant_id = \(tenantID)"
        if !filter.statuses.isEmpty { conditions.append(" AND status = ANY (\(filter.statuses.map(\.rawValue)))") }
        if let webhook = filter.webhookId { conditions.append(" AND webhook_id = \(webhook)") }
        if let robot = filter.robotId { conditions.append(" AND robot_id = \(robot)") }
        let rows = try await database.transaction(tenantID, readOnly: true) { tx in
            try await tx.query(
                Delivery.self,
                "SELECT \(Self.columns) FROM deliveries WHERE \(conditions)\(page.keysetCondition)\(page.orderAndLimit)"
            )
        }
        return Page(fetched: rows, request: page) { .init(createdAt: $0.createdAt, id: $0.id) }
    }

    /// One delivery, its body (once rendered) and its attempts.
    public func get(_ tenantID: UUID, id: UUID) async throws -> DeliveryDetail {
        try await database.transaction(tenantID, readOnly: true) { tx in
            let delivery = try await Self.fetch(tx, id: id)
            let body = try await tx.queryScalar(String.self, "SELECT body FROM deliveries WHERE tenant_id = \(tenantID) AND id = \(id)")
            // No attempt starts before its delivery exists: the bound prunes delivery_attempts' months.
            let history = try await tx.query(
                DeliveryAttempt.self,
                """
                SELECT attempt, started_at, latency_ms, status_code, error FROM delivery_attempts
                WHERE tenant_id = \(tenantID) AND delivery_id = \(id) AND started_at >= \(delivery.createdAt) ORDER BY attempt
                """
            )
            return DeliveryDetail(delivery: delivery, body: body, history: history)
        }
    }

    /// Sends a failed or dead delivery again now (409 for one pending or delivered). A dead one
    /// gets one more attempt; failing again, it is dead again.
    public func retry(_ tenantID: UUID, id: UUID) async throws -> Delivery {
        let delivery = try await database.transaction(tenantID) { tx in
            let delivery = try await Self.fetch(tx, id: id, forUpdate: true)
            guard delivery.status == .failed || delivery.status == .dead else {
                throw KefuError.conflict("only a failed or dead delivery is retried; this one is \(delivery.status.rawValue)")
            }
            try await tx.execute(
                """
                UPDATE deliveries SET status = 'pending', next_attempt_at = \(clock.now()), dead_at = NULL, claimed_until = NULL
                WHERE tenant_id = \(tenantID) AND id = \(id)
                """
            )
            return try await Self.fetch(tx, id: id)
        }
        WorkAnnouncer.shared.announce(on: database.pool)
        return delivery
    }

    static func fetch(_ tx: TenantTransaction, id: UUID, forUpdate: Bool = false) async throws -> Delivery {
        let lock: PostgresQuery = forUpdate ? " FOR UPDATE" : ""
        guard
            let delivery = try await tx.queryFirst(
                Delivery.self,
                "SELECT \(columns) FROM deliveries WHERE tenant_id = \(tx.tenantID) AND id = \(id)\(lock)"
            )
        else { throw KefuError.notFound("delivery") }
        return delivery
    }
}
