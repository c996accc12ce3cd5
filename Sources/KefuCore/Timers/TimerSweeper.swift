import Foundation
import KefuPostgres
import Logging

/// What one sweep did.
public struct SweepReport: Sendable, Equatable {
    /// Timers claimed from the queue.
    public var claimed = 0
    /// Actions performed (escalations, reminders, expiries, archives, …).
    public var performed = 0
    /// Timers whose clock had moved and were re-armed at the new due instant.
    public var rescheduled = 0
    /// Timers another worker had already handled.
    public var skipped = 0
    /// Timers whose action failed (they are retried after their lease).
    public var failed = 0

    public init() {}
}

/// Finds due timers across tenants and acts on each inside its tenant's scope.
///
/// Exactly once: a timer is leased (`kefu_claim_due_timers`), then locked again with
/// `FOR UPDATE` inside the tenant transaction that performs the action and marks it done. A worker killed mid-action rolls back; after the lease another worker redoes it.
public struct TimerSweeper: Sendable {
    let database: TenantDatabase
    let clock: any KefuClock
    let actions: TicketActionService
    let logger: Logger
    /// How long a claimed timer is reserved for the claiming worker.
    public var lease: Duration = .seconds(60)

    public init(database: TenantDatabase, clock: any KefuClock, logger: Logger = Logger(label: "kefu.worker.timers")) {
        self.database = database
        self.clock = clock
        self.actions = TicketActionService(database: database, clock: clock)
        self.logger = logger
    }

    /// Processes due timers in batches until none is left (or `maxBatches` were taken).
    public func sweep(batchSize: Int = 200, maxBatches: Int = 50) async throws -> SweepReport {
        var report = SweepReport()
        for _ in 0..<maxBatches {
            let now = clock.now()
            let claimed = try await database.pool.query("""
                SELECT tenant_id, ticket_id, kind, due_at FROM kefu_claim_due_timers(\(now), \(Int32(batchSize)), \(PostgresInterval(lease)))
                """)
            report.claimed += claimed.count
            for row in claimed {
                let timer = DueTimer(tenantID: try row.decode(UUID.self, "tenant_id"), ticketID: try row.decode(UUID.self, "ticket_id"),
                                     kind: try row.decode(String.self, "kind"))
                do {
                    switch try await fire(timer) {
                    case .performed: report.performed += 1
                    case .rescheduled: report.rescheduled += 1
                    case .skipped: report.skipped += 1
                    }
                } catch {
                    report.failed += 1
                    logger.error("timer action failed", metadata: [
                        "tenant.id": "\(timer.tenantID)", "ticket.id": "\(timer.ticketID)", "kind": "\(timer.kind)", "error": "\(error)",
                    ])
                    try? await database.transaction(timer.tenantID) { tx in
                        try await tx.execute("""
                            UPDATE ticket_timers SET last_error = \(String(describing: error))
                            WHERE tenant_id = \(tx.tenantID) AND ticket_id = \(timer.ticketID) AND kind = \(timer.kind)
                            """)
                    }
                }
            }
            if claimed.count < batchSize { break }
        }
        return report
    }

    struct DueTimer {
        var tenantID: UUID
        var ticketID: UUID
        var kind: String
    }

    enum Outcome { case performed, rescheduled, skipped }

    private func fire(_ timer: DueTimer) async throws -> Outcome {
        try await database.transaction(timer.tenantID) { tx in
            let now = clock.now()
            // Lock the timer (waiting for a worker whose lease ran out, if any); the conditions are
            // re-checked on the row as it is after that wait, so a timer done meanwhile is left alone.
            guard let due = try await tx.queryScalar(Date.self, """
                SELECT due_at FROM ticket_timers
                WHERE tenant_id = \(tx.tenantID) AND ticket_id = \(timer.ticketID) AND kind = \(timer.kind)
                  AND done_at IS NULL AND due_at <= \(now)
                FOR UPDATE
                """) else { return .skipped }
            let outcome = try await TimerActions(actions: actions).perform(tx, timer, due: due, now: now)
            switch outcome {
            case .rescheduled(let newDue):
                try await tx.execute("""
                    UPDATE ticket_timers SET due_at = \(newDue), claimed_until = NULL
                    WHERE tenant_id = \(tx.tenantID) AND ticket_id = \(timer.ticketID) AND kind = \(timer.kind)
                    """)
                return .rescheduled
            case .done:
                try await tx.execute("""
                    UPDATE ticket_timers SET done_at = \(now), last_error = NULL
                    WHERE tenant_id = \(tx.tenantID) AND ticket_id = \(timer.ticketID) AND kind = \(timer.kind)
                    """)
                return .performed
            }
        }
    }
}

/// A `Duration` bound as a PostgreSQL interval.
struct PostgresInterval: PostgresEncodable {
    let duration: Duration
    init(_ duration: Duration) { self.duration = duration }
    static var postgresType: PostgresDataType { .interval }
    func postgresBindValue() -> PostgresBindValue {
        let millis = duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
        return .text("\(millis) milliseconds")
    }
}
