import Foundation
import KefuPostgres

/// Maintains the per-minute intake counts in the intake transaction.
enum IntakeCounter {
    static func record(_ tx: TenantTransaction, channel: TicketChannel, at instant: Date) async throws {
        let minute = Date(timeIntervalSince1970: (instant.timeIntervalSince1970 / 60).rounded(.down) * 60)
        try await tx.execute("""
            INSERT INTO intake_minutes (tenant_id, channel, minute, count) VALUES (\(tx.tenantID), \(channel.rawValue), \(minute), 1)
            ON CONFLICT (tenant_id, channel, minute) DO UPDATE SET count = intake_minutes.count + 1
            """)
    }

    /// Every channel's history for a decision at `now`.
    static func histories(_ tx: TenantTransaction, now: Date, windowMinutes: Int) async throws -> [String: IntakeHistory] {
        let window = TimeInterval(windowMinutes * 60)
        let hourStart = Date(timeIntervalSince1970: (now.timeIntervalSince1970 / 3600).rounded(.down) * 3600)
        let week = 7.0 * 86_400
        func hour(_ weeks: Double) -> (Date, Date) { (hourStart.addingTimeInterval(-weeks * week), hourStart.addingTimeInterval(-weeks * week + 3600)) }
        let (h1, e1) = hour(1), (h2, e2) = hour(2), (h3, e3) = hour(3), (h4, e4) = hour(4)
        let rows = try await tx.query("""
            SELECT channel,
                   coalesce(sum(count) FILTER (WHERE minute > \(now.addingTimeInterval(-window)) AND minute <= \(now)), 0) AS live,
                   coalesce(sum(count) FILTER (WHERE minute >= \(h1) AND minute < \(e1)), 0) AS w1,
                   coalesce(sum(count) FILTER (WHERE minute >= \(h2) AND minute < \(e2)), 0) AS w2,
                   coalesce(sum(count) FILTER (WHERE minute >= \(h3) AND minute < \(e3)), 0) AS w3,
                   coalesce(sum(count) FILTER (WHERE minute >= \(h4) AND minute < \(e4)), 0) AS w4,
                   coalesce(sum(count) FILTER (WHERE minute > \(now.addingTimeInterval(-week)) AND minute <= \(now.addingTimeInterval(-window))), 0) AS trailing,
                   min(minute) AS first_minute
            FROM intake_minutes
            WHERE tenant_id = \(tx.tenantID) AND minute > \(now.addingTimeInterval(-5 * week)) AND minute <= \(now)
            GROUP BY channel
            """)
        var histories: [String: IntakeHistory] = [:]
        for row in rows {
            histories[try row.decode(String.self, "channel")] = IntakeHistory(
                live: try row.decode(Int.self, "live"),
                sameHourLastWeeks: try ["w1", "w2", "w3", "w4"].map { try row.decode(Int.self, $0) },
                trailingWeek: try row.decode(Int.self, "trailing"),
                firstMinute: try row.decode(Date?.self, "first_minute"))
        }
        return histories
    }
}
