import Foundation
import KefuPostgres

/// What operators watch about the outbox from the API process, all tenants together
/// (`kefu_delivery_health`, sql/034 — counts, no tenant data); exported on `/metrics`.
public struct DeliveryHealth: Sendable {
    /// Deliveries by state, the oldest undelivered one's age, and the attempt and failure
    /// counters (monotonic since the database was created).
    public struct Figures: Sendable, Equatable {
        public var pending: Int
        public var failed: Int
        public var dead: Int
        public var oldestUndeliveredSeconds: Double
        public var attempts: Int
        public var failures: Int
    }

    let pool: ConnectionPool
    let clock: any KefuClock

    public init(pool: ConnectionPool, clock: any KefuClock) {
        self.pool = pool
        self.clock = clock
    }

    public func figures() async throws -> Figures {
        guard let row = try await pool.queryFirst("SELECT * FROM kefu_delivery_health(\(clock.now()))") else {
            return Figures(pending: 0, failed: 0, dead: 0, oldestUndeliveredSeconds: 0, attempts: 0, failures: 0)
        }
        return Figures(
            pending: try row.decode(Int.self, "pending"),
            failed: try row.decode(Int.self, "failed"),
            dead: try row.decode(Int.self, "dead"),
            oldestUndeliveredSeconds: try row.decode(Double.self, "oldest_undelivered_seconds"),
            attempts: try row.decode(Int.self, "attempts"),
            failures: try row.decode(Int.self, "failures")
        )
    }
}
