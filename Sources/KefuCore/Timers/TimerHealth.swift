import Foundation
import KefuPostgres

/// What operators watch about the timers from the API process: how many timers the worker gave
/// up on after their retries (`TimerRetryPolicy`), all tenants together (`kefu_failed_timer_count`,
/// sql/017 — a count, no tenant data). Exported on `/metrics` as `kefu_timers_failed`.
public struct TimerHealth: Sendable {
    let pool: ConnectionPool

    public init(pool: ConnectionPool) {
        self.pool = pool
    }

    /// Timers marked failed and not done.
    public func failedTimers() async throws -> Int {
        try await pool.queryScalar(Int.self, "SELECT kefu_failed_timer_count()") ?? 0
    }
}
