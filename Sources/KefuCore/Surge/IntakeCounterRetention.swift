import Foundation
import KefuPostgres

/// Deletes the intake counters no surge reading looks at any more: minutes and hours older than
/// 36 days (`kefu_prune_intake_counters`, sql/016). Each call of the function deletes a bounded
/// batch in its own short transaction; `pruneIfDue` runs at most once per `every` in a process,
/// so a worker replica spends nothing on it between runs. Several replicas may prune at once.
public final class IntakeCounterRetention: @unchecked Sendable {
    let pool: ConnectionPool
    let clock: any KefuClock
    let every: TimeInterval
    let batch: Int
    let maxBatches: Int
    private let lock = NSLock()
    private var lastRun: Date?

    public init(pool: ConnectionPool, clock: any KefuClock, every: TimeInterval = 600, batch: Int = 5_000, maxBatches: Int = 20) {
        self.pool = pool
        self.clock = clock
        self.every = every
        self.batch = batch
        self.maxBatches = maxBatches
    }

    /// Prunes when the last run in this process is `every` ago or more; nil when not due.
    public func pruneIfDue() async throws -> Int? {
        let now = clock.now()
        let due = lock.withLock {
            if let lastRun, now.timeIntervalSince(lastRun) < every { return false }
            lastRun = now
            return true
        }
        guard due else { return nil }
        return try await prune(now: now)
    }

    /// Deletes batches until one finds nothing or `maxBatches` ran (the next run continues);
    /// returns the rows deleted.
    public func prune(now: Date) async throws -> Int {
        var total = 0
        for _ in 0..<maxBatches {
            let deleted = try await pool.queryScalar(Int.self, "SELECT kefu_prune_intake_counters(\(now), \(batch)::integer)") ?? 0
            total += deleted
            if deleted == 0 { break }
        }
        return total
    }
}
