import Foundation
import KefuPostgres

/// Maintains the intake rollup (per tenant, channel and minute, and per hour) in the intake
/// transaction, and reads it back for surge decisions.
enum IntakeCounter {
    /// Benchmark-only switch, read once: `KEFU_BENCH_SKIP_INTAKE_ROLLUP=1` makes intake skip the
    /// rollup, so `Benchmarks/surge/rollup-cost.sh` can measure what it costs. It breaks surge
    /// detection (the detector sees no intake); never set it anywhere else.
    static let skipsRollup = ProcessInfo.processInfo.environment["KEFU_BENCH_SKIP_INTAKE_ROLLUP"] == "1"

    /// Counts one ticket in its minute and its hour bucket: one statement, two upserts.
    static func record(_ tx: TenantTransaction, channel: TicketChannel, at instant: Date) async throws {
        guard let query = recordQuery(tx, channel: channel, at: instant) else { return }
        try await tx.execute(query)
    }

    /// The statement `record` runs, for a pipeline; nil under the benchmark-only switch.
    static func recordQuery(_ tx: TenantTransaction, channel: TicketChannel, at instant: Date) -> PostgresQuery? {
        guard !skipsRollup else { return nil }
        let minute = Date(timeIntervalSince1970: (instant.timeIntervalSince1970 / 60).rounded(.down) * 60)
        let hour = Date(timeIntervalSince1970: (instant.timeIntervalSince1970 / 3600).rounded(.down) * 3600)
        return """
            WITH hour AS (
                INSERT INTO intake_hours (tenant_id, channel, hour, count) VALUES (\(tx.tenantID), \(channel.rawValue), \(hour), 1)
                ON CONFLICT (tenant_id, channel, hour) DO UPDATE SET count = intake_hours.count + 1
            )
            INSERT INTO intake_minutes (tenant_id, channel, minute, count) VALUES (\(tx.tenantID), \(channel.rawValue), \(minute), 1)
            ON CONFLICT (tenant_id, channel, minute) DO UPDATE SET count = intake_minutes.count + 1
            """
    }

    /// Every channel's history for a decision at `now` (the transaction's tenant only).
    static func histories(_ tx: TenantTransaction, now: Date) async throws -> [String: IntakeHistory] {
        let rows = try await tx.query(
            """
            SELECT channel, live, w1, w2, w3, w4, trailing_week, first_minute
            FROM kefu_intake_readings(\([tx.tenantID]), \(now), \(SettingLimits.document)::jsonb)
            """
        )
        var histories: [String: IntakeHistory] = [:]
        for row in rows {
            histories[try row.decode(String.self, "channel")] = try history(row)
        }
        return histories
    }

    /// One channel's history from a `kefu_intake_readings` row.
    static func history(_ row: PostgresRow) throws -> IntakeHistory {
        IntakeHistory(
            live: try row.decode(Int.self, "live"),
            sameHourLastWeeks: try ["w1", "w2", "w3", "w4"].map { try row.decode(Int.self, $0) },
            trailingWeek: try row.decode(Int.self, "trailing_week"),
            firstMinute: try row.decode(Date?.self, "first_minute")
        )
    }
}
