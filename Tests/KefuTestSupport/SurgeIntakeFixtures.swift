import Foundation
import KefuCore
import KefuPostgres

/// Synthetic intake history for surge tests, written straight into the rollup tables.
extension TicketTestCase {
    /// Four weeks of 40 chat tickets in this hour of the week: normal = 10 per 15-minute window.
    public func seedHistory(_ tenant: UUID, perHour: Int = 40) async throws {
        let now = clock.now()
        let hourStart = Date(timeIntervalSince1970: (now.timeIntervalSince1970 / 3600).rounded(.down) * 3600)
        for week in 1...4 {
            let start = hourStart.addingTimeInterval(-Double(week) * 7 * 86_400)
            try await ownerPool.execute(
                """
                INSERT INTO intake_minutes (tenant_id, channel, minute, count)
                SELECT \(tenant), 'chat', \(start) + make_interval(mins => m::int), 1 FROM generate_series(0, \(perHour - 1)) m
                """
            )
        }
        try await rebuildHours(tenant)
    }

    /// The hourly rollup from the minute rows, as intake keeps it (the helpers write minutes only).
    public func rebuildHours(_ tenant: UUID) async throws {
        try await ownerPool.execute("DELETE FROM intake_hours WHERE tenant_id = \(tenant)")
        try await ownerPool.execute(
            """
            INSERT INTO intake_hours (tenant_id, channel, hour, count)
            SELECT tenant_id, channel, date_trunc('hour', minute, 'UTC'), sum(count) FROM intake_minutes WHERE tenant_id = \(tenant) GROUP BY 1, 2, 3
            """
        )
    }

    /// Exactly `count` chat tickets in the live window (2 minutes ago), as synthetic counts.
    public func live(_ tenant: UUID, _ count: Int) async throws {
        let minute = Date(timeIntervalSince1970: (clock.now().timeIntervalSince1970 / 60).rounded(.down) * 60)
        try await ownerPool.execute(
            """
            DELETE FROM intake_minutes WHERE tenant_id = \(tenant) AND minute > \(minute.addingTimeInterval(-3600))
            """
        )
        try await ownerPool.execute(
            """
            INSERT INTO intake_minutes (tenant_id, channel, minute, count) VALUES (\(tenant), 'chat', \(minute.addingTimeInterval(-120)), \(count))
            ON CONFLICT (tenant_id, channel, minute) DO UPDATE SET count = \(count)
            """
        )
        try await rebuildHours(tenant)
    }

    public func sweeper() -> SurgeSweeper { SurgeSweeper(database: TenantDatabase(pool: workerPool), clock: clock) }
}
