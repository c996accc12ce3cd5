import Foundation
import KefuPostgres
import Logging

extension TimerSweeper {
    /// A leased record timer (`kefu_claim_due_record_timers`, sql/025).
    struct DueRecordTimer: Sendable {
        var tenantID: UUID
        var kind: RecordTimerKind
        var recordID: UUID
    }

    /// Acts on the due deadlines of records that are not tickets, one tenant transaction each,
    /// batch after batch until a batch comes back short (or `maxBatches` were taken). Failures
    /// are retried like ticket timers (`retry`).
    func sweepRecords(batchSize: Int, maxBatches: Int, into report: inout SweepReport) async throws {
        for _ in 0..<max(0, maxBatches) {
            let claimed = try await claimRecords(batchSize)
            report.claimed += claimed.count
            for timer in claimed {
                await attempt(
                    tenantID: timer.tenantID,
                    metadata: ["record.id": "\(timer.recordID)", "kind": "\(timer.kind.rawValue)"],
                    report: &report,
                    { try await fire(timer) },
                    recordFailure: { [retry] tx, error, now in try await retry.recordFailure(tx, timer, error: error, now: now) }
                )
            }
            guard claimed.count == batchSize else { return }
        }
    }

    private func claimRecords(_ limit: Int) async throws -> [DueRecordTimer] {
        try await database.pool.query(
            """
            SELECT tenant_id, kind, record_id
            FROM kefu_claim_due_record_timers(\(clock.now()), \(Int32(limit)), \(PostgresInterval(lease)))
            """
        ).compactMap { row in
            // A kind this build does not know (a newer migration's) stays leased and is retried later.
            guard let kind = RecordTimerKind(rawValue: try row.decode(String.self, "kind")) else { return nil }
            return DueRecordTimer(tenantID: try row.decode(UUID.self, "tenant_id"), kind: kind, recordID: try row.decode(UUID.self, "record_id"))
        }
    }

    /// Locks the timer, re-checks it on the row as it is now, acts and marks it done.
    private func fire(_ timer: DueRecordTimer) async throws -> Outcome {
        try await database.transaction(timer.tenantID) { tx in
            let now = clock.now()
            guard
                try await tx.queryScalar(
                    Date.self,
                    """
                    SELECT due_at FROM record_timers
                    WHERE tenant_id = \(tx.tenantID) AND kind = \(timer.kind.rawValue) AND record_id = \(timer.recordID)
                      AND done_at IS NULL AND due_at <= \(now)
                    FOR UPDATE
                    """
                ) != nil
            else { return .skipped }
            try await RecordTimerActions.perform(tx, timer, now: now)
            try await tx.execute(
                """
                UPDATE record_timers SET done_at = \(now), last_error = NULL
                WHERE tenant_id = \(tx.tenantID) AND kind = \(timer.kind.rawValue) AND record_id = \(timer.recordID)
                """
            )
            return .performed
        }
    }
}
