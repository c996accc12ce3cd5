import Foundation
import KefuPostgres

/// An item of the notifications outbox: work a person must do.
public struct Notification: Codable, Sendable, Equatable {
    public var id: UUID
    public var tenantId: UUID
    public var recipientId: UUID
    public var kind: String
    public var ticketId: UUID?
    public var message: String
    public var createdAt: Date
    public var readAt: Date?
}

/// Writes to the outbox inside the transaction of the change that causes it.
enum NotificationStore {
    static let columns: PostgresQuery = "id, tenant_id, recipient_id, kind, ticket_id, message, created_at, read_at"

    /// Who is alerted when a ticket needs a supervisor: the on-duty supervisors; none on duty,
    /// every active supervisor; none, the admins (`kefu_alert_recipients`, sql/020, which the
    /// worker's SLA escalations use too).
    static func supervisors(_ tx: TenantTransaction) async throws -> [UUID] {
        try await tx.query("SELECT id FROM kefu_alert_recipients(\(tx.tenantID))").map { try $0.decode(UUID.self, at: 0) }
    }

    static func notify(
        _ tx: TenantTransaction,
        _ recipients: [UUID],
        kind: String,
        ticket: UUID?,
        message: String,
        at now: Date
    ) async throws {
        guard !recipients.isEmpty else { return }
        try await tx.execute(notifyQuery(tx, recipients, kind: kind, ticket: ticket, message: message, at: now))
    }

    /// The statement `notify` runs, for a pipeline (it inserts nothing when `recipients` is empty).
    static func notifyQuery(
        _ tx: TenantTransaction,
        _ recipients: [UUID],
        kind: String,
        ticket: UUID?,
        message: String,
        at now: Date
    ) -> PostgresQuery {
        """
        INSERT INTO notifications (tenant_id, recipient_id, kind, ticket_id, message, created_at)
        SELECT \(tx.tenantID), unnest(\(recipients)), \(kind), \(ticket), \(message), \(now)
        """
    }
}

/// Reading and acknowledging notifications.
public struct NotificationService: Sendable {
    let database: TenantDatabase
    let clock: any KefuClock

    public init(database: TenantDatabase, clock: any KefuClock) {
        self.database = database
        self.clock = clock
    }

    /// The caller's notifications, or everyone's for supervisors and admins asking for `all`.
    public func list(_ principal: Principal, all: Bool, unreadOnly: Bool, page: PageRequest) async throws -> Page<Notification> {
        try principal.authorize(all ? .readAllNotifications : .readOwnNotifications)
        var conditions: PostgresQuery = "tenant_id = \(principal.tenantID)"
        if !all { conditions.append(" AND recipient_id = \(principal.agentID)") }
        if unreadOnly { conditions.append(" AND read_at IS NULL") }
        // The cursor's row comparison does not prune; the same bound on created_at alone skips
        // the notifications' months before the page.
        if let after = page.after { conditions.append(" AND created_at >= \(after.createdAt)") }
        let rows = try await database.transaction(principal.tenantID, readOnly: true) { tx in
            try await tx.query(
                Notification.self,
                """
                SELECT \(NotificationStore.columns) FROM notifications WHERE \(conditions)\(page.keysetCondition)\(page.orderAndLimit)
                """
            )
        }
        return Page(fetched: rows, request: page) { .init(createdAt: $0.createdAt, id: $0.id) }
    }

    /// Marks one of the caller's notifications read.
    public func markRead(_ principal: Principal, id: UUID) async throws -> Notification {
        try await database.transaction(principal.tenantID) { tx in
            guard
                let notification = try await tx.queryFirst(
                    Notification.self,
                    """
                    UPDATE notifications SET read_at = COALESCE(read_at, \(clock.now()))
                    WHERE tenant_id = \(principal.tenantID) AND id = \(id) AND recipient_id = \(principal.agentID)
                    RETURNING \(NotificationStore.columns)
                    """
                )
            else { throw KefuError.notFound("notification") }
            return notification
        }
    }
}
