import Foundation
import KefuPostgres

/// What happens to a timer whose action fails: it is retried with exponential backoff (the
/// worker keeps it leased until its next attempt: `firstDelay`, then twice as long each time, at
/// most `maxDelay`), and after `maxFailures` failures it is marked failed — never claimed again,
/// listed by `kefu timers --failed` and counted by `kefu_timers_failed` on `/metrics` — instead
/// of being retried forever. A ticket action that re-arms the timer gives it a fresh start.
public struct TimerRetryPolicy: Sendable {
    public var maxFailures: Int
    public var firstDelay: Duration
    public var maxDelay: Duration

    public init(maxFailures: Int = 8, firstDelay: Duration = .seconds(30), maxDelay: Duration = .seconds(3600)) {
        self.maxFailures = maxFailures
        self.firstDelay = firstDelay
        self.maxDelay = maxDelay
    }

    /// Records a failed attempt on the timer inside its tenant's transaction; true when this
    /// failure was the last one allowed (the timer is now marked failed).
    func recordFailure(_ tx: TenantTransaction, _ timer: TimerSweeper.DueTimer, error: String, now: Date) async throws -> Bool {
        try await tx.queryScalar(
            Bool.self,
            """
            UPDATE ticket_timers \(failureAssignments(error: error, now: now))
            WHERE tenant_id = \(tx.tenantID) AND ticket_id = \(timer.ticketID) AND kind = \(timer.kind) AND done_at IS NULL
            RETURNING failed_at IS NOT NULL
            """
        ) ?? false
    }

    /// The same for a record's deadline timer (`record_timers`).
    func recordFailure(_ tx: TenantTransaction, _ timer: TimerSweeper.DueRecordTimer, error: String, now: Date) async throws -> Bool {
        try await tx.queryScalar(
            Bool.self,
            """
            UPDATE record_timers \(failureAssignments(error: error, now: now))
            WHERE tenant_id = \(tx.tenantID) AND kind = \(timer.kind.rawValue) AND record_id = \(timer.recordID) AND done_at IS NULL
            RETURNING failed_at IS NOT NULL
            """
        ) ?? false
    }

    /// `SET …` of a failed attempt: one more failure, the error kept, the next attempt leased
    /// after the backoff, marked failed at the cap.
    private func failureAssignments(error: String, now: Date) -> PostgresQuery {
        """
        SET failures = failures + 1, last_error = \(error),
            failed_at = CASE WHEN failures + 1 >= \(Int32(maxFailures)) THEN \(now)::timestamptz END,
            claimed_until = \(now)::timestamptz + make_interval(secs => least(
                \(Self.seconds(firstDelay)) * power(2, least(failures, 30)), \(Self.seconds(maxDelay))))
        """
    }

    /// What is kept on the timer for operators: the SQLSTATE and the server's message for a
    /// database error (its detail, which may quote row values, is left out), else the error.
    static func summary(of error: any Error) -> String {
        guard let error = error as? PostgresError else { return String(describing: error) }
        return "\(error.sqlState ?? "-"): \(error.message)"
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
