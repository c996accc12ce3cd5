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
    /// Timers whose action failed (retried with backoff, see `TimerRetryPolicy`).
    public var failed = 0
    /// Of those, timers that reached the retry cap and are now marked failed.
    public var gaveUp = 0

    public init() {}

    /// Adds another report's counts.
    mutating func add(_ other: SweepReport) {
        claimed += other.claimed
        performed += other.performed
        rescheduled += other.rescheduled
        skipped += other.skipped
        failed += other.failed
        gaveUp += other.gaveUp
    }

    /// Counts a batch of `count` timers.
    mutating func add(_ batch: SLAClockBatch.Outcome, of count: Int) {
        performed += batch.performed
        rescheduled += batch.rescheduled
        skipped += count - batch.performed - batch.rescheduled
    }
}

/// Finds due timers across tenants and acts on them.
///
/// Exactly once: a timer is leased (`kefu_claim_due_timers`), then locked again with
/// `FOR UPDATE` inside the transaction that performs the action and marks it done (a claimed
/// batch's SLA clocks together, other kinds one tenant transaction each). A worker killed
/// mid-action rolls back; after the lease another worker redoes it.
public struct TimerSweeper: Sendable {
    let database: TenantDatabase
    let clock: any KefuClock
    let actions: TicketActionService
    let logger: Logger
    /// How long a claimed timer is reserved for the claiming worker.
    public var lease: Duration = .seconds(60)
    /// How many batches one sweep acts on at a time once more than one batch is due.
    public var concurrency = 2
    /// Backoff and cap for timers whose action fails.
    public var retry = TimerRetryPolicy()

    public init(database: TenantDatabase, clock: any KefuClock, logger: Logger = Logger(label: "kefu.worker.timers")) {
        self.database = database
        self.clock = clock
        self.actions = TicketActionService(database: database, clock: clock)
        self.logger = logger
    }

    /// Processes due timers in batches until none is left (or `maxBatches` were taken).
    ///
    /// A claimed batch's SLA-clock timers are acted on together, one transaction per tenant
    /// (`SLAClockBatch`); if a tenant's transaction fails, each of its timers is retried alone so
    /// one bad timer cannot hold back the others. The rarer kinds (survey expiry, follow-up, archive) run one
    /// tenant transaction per timer. When the first batch comes back full, `concurrency` lanes
    /// each claim and act on the following batches, so one batch's commit and the next one's
    /// work overlap (claims never overlap: each timer is leased to one lane).
    ///
    /// Then the deadlines of records that are not tickets (problem reports, post-incident
    /// reviews: `sweepRecords`), at most `maxBatches` batches of them too.
    public func sweep(batchSize: Int = 200, maxBatches: Int = 50) async throws -> SweepReport {
        var report = try await sweepTickets(batchSize: batchSize, maxBatches: maxBatches)
        try await sweepRecords(batchSize: batchSize, maxBatches: maxBatches, into: &report)
        return report
    }

    private func sweepTickets(batchSize: Int, maxBatches: Int) async throws -> SweepReport {
        var report = SweepReport()
        guard maxBatches > 0, try await batch(batchSize, into: &report) else { return report }
        let budget = BatchBudget(maxBatches - 1)
        return try await withThrowingTaskGroup(of: SweepReport.self) { group in
            for _ in 0..<max(1, concurrency) {
                group.addTask {
                    var lane = SweepReport()
                    while budget.take(), try await batch(batchSize, into: &lane) {}
                    return lane
                }
            }
            for try await lane in group { report.add(lane) }
            return report
        }
    }

    /// Claims and acts on one batch; true when the batch was full (more may be due).
    private func batch(_ batchSize: Int, into report: inout SweepReport) async throws -> Bool {
        let claimed = try await claim(batchSize)
        report.claimed += claimed.count
        for clocks in SLAClockBatch.byTenant(claimed.filter { SLAClockBatch.handles($0.kind) }) {
            do {
                report.add(try await clockBatch.act(clocks, now: clock.now()), of: clocks.count)
            } catch {
                logger.warning(
                    "SLA timer batch failed; acting on each timer alone",
                    metadata: [
                        "tenant.id": "\(clocks[0].tenantID)", "timers": "\(clocks.count)", "error": "\(error)",
                    ]
                )
                for timer in clocks {
                    await attempt(timer, report: &report) { .init(try await clockBatch.act([timer], now: clock.now())) }
                }
            }
        }
        for timer in claimed where !SLAClockBatch.handles(timer.kind) {
            await attempt(timer, report: &report) { try await fire(timer) }
        }
        return claimed.count == batchSize
    }

    private var clockBatch: SLAClockBatch { SLAClockBatch(pool: database.pool) }

    /// Leases up to `limit` due timers of any tenant.
    private func claim(_ limit: Int) async throws -> [DueTimer] {
        try await database.pool.query(
            """
            SELECT tenant_id, ticket_id, kind FROM kefu_claim_due_timers(\(clock.now()), \(Int32(limit)), \(PostgresInterval(lease)))
            """
        ).map {
            DueTimer(
                tenantID: try $0.decode(UUID.self, "tenant_id"),
                ticketID: try $0.decode(UUID.self, "ticket_id"),
                kind: try $0.decode(String.self, "kind")
            )
        }
    }

    /// Runs one timer's action, counting its outcome. A failure is logged and recorded on the
    /// timer (`retry`: backoff, then marked failed at the cap); it never stops the sweep, so
    /// one tenant's bad data cannot hold back another tenant's timers.
    private func attempt(_ timer: DueTimer, report: inout SweepReport, _ action: () async throws -> Outcome) async {
        await attempt(
            tenantID: timer.tenantID,
            metadata: ["ticket.id": "\(timer.ticketID)", "kind": "\(timer.kind)"],
            report: &report,
            action,
            recordFailure: { tx, error, now in try await retry.recordFailure(tx, timer, error: error, now: now) }
        )
    }

    /// `attempt` for any timer: `recordFailure` keeps the failure on it (true when it gave up).
    func attempt(
        tenantID: UUID,
        metadata timerMetadata: Logger.Metadata,
        report: inout SweepReport,
        _ action: () async throws -> Outcome,
        recordFailure: @escaping @Sendable (TenantTransaction, String, Date) async throws -> Bool
    ) async {
        do {
            switch try await action() {
            case .performed: report.performed += 1
            case .rescheduled: report.rescheduled += 1
            case .skipped: report.skipped += 1
            }
        } catch {
            report.failed += 1
            var metadata = timerMetadata
            metadata["tenant.id"] = "\(tenantID)"
            metadata["error"] = "\(error)"
            logger.error("timer action failed", metadata: metadata)
            do {
                let gaveUp = try await database.transaction(tenantID) { tx in
                    try await recordFailure(tx, TimerRetryPolicy.summary(of: error), clock.now())
                }
                if gaveUp {
                    report.gaveUp += 1
                    logger.critical("timer failed too often and is marked failed (kefu timers --failed)", metadata: metadata)
                }
            } catch {
                logger.error("could not record the timer's failure", metadata: ["error": "\(error)"])
            }
        }
    }

    struct DueTimer {
        var tenantID: UUID
        var ticketID: UUID
        var kind: String
    }

    enum Outcome {
        case performed, rescheduled, skipped

        /// The outcome of a batch of one timer.
        init(_ batch: SLAClockBatch.Outcome) {
            self = batch.performed > 0 ? .performed : batch.rescheduled > 0 ? .rescheduled : .skipped
        }
    }

    private func fire(_ timer: DueTimer) async throws -> Outcome {
        try await database.transaction(timer.tenantID) { tx in
            let now = clock.now()
            // Lock the timer (waiting for a worker whose lease ran out, if any); the conditions are
            // re-checked on the row as it is after that wait, so a timer done meanwhile is left alone.
            guard
                let due = try await tx.queryScalar(
                    Date.self,
                    """
                    SELECT due_at FROM ticket_timers
                    WHERE tenant_id = \(tx.tenantID) AND ticket_id = \(timer.ticketID) AND kind = \(timer.kind)
                      AND done_at IS NULL AND due_at <= \(now)
                    FOR UPDATE
                    """
                )
            else { return .skipped }
            let outcome = try await TimerActions(actions: actions).perform(tx, timer, due: due, now: now)
            switch outcome {
            case .rescheduled(let newDue):
                try await tx.execute(
                    """
                    UPDATE ticket_timers SET due_at = \(newDue), claimed_until = NULL, failures = 0
                    WHERE tenant_id = \(tx.tenantID) AND ticket_id = \(timer.ticketID) AND kind = \(timer.kind)
                    """
                )
                return .rescheduled
            case .done:
                try await tx.execute(
                    """
                    UPDATE ticket_timers SET done_at = \(now), last_error = NULL
                    WHERE tenant_id = \(tx.tenantID) AND ticket_id = \(timer.ticketID) AND kind = \(timer.kind)
                    """
                )
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

/// The batches a sweep may still take, shared by its lanes.
private final class BatchBudget: @unchecked Sendable {
    private let lock = NSLock()
    private var left: Int

    init(_ batches: Int) { left = batches }

    /// Takes one batch from the budget; false when none is left.
    func take() -> Bool {
        lock.withLock {
            guard left > 0 else { return false }
            left -= 1
            return true
        }
    }
}
