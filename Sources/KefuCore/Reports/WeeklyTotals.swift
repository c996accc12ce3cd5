import Foundation
import KefuPostgres

/// The ticket-volume sections of the weekly report (channels, categories, SLA per priority,
/// average times, days), all from one statement over the period's totals.
struct WeeklyTotals {
    var byChannel: [WeeklyReport.Count] = []
    var byCategory: [WeeklyReport.Count] = []
    var slaByPriority: [WeeklyReport.SLACompliance] = []
    var averageFirstResponseSeconds: Double?
    var averageResolutionSeconds: Double?
    var daily: [WeeklyReport.Day] = []

    static func load(_ tx: TenantTransaction, _ totals: ReportTotals, days: Int) async throws -> WeeklyTotals {
        // Averages divide numeric sums by counts, as avg() over the tickets does.
        let rows = try await tx.query(
            """
            WITH b AS (\(totals.buckets))
            SELECT channel, category, priority, day_index,
                   coalesce(sum(tickets), 0)::bigint AS tickets, coalesce(sum(responded), 0)::bigint AS responded,
                   coalesce(sum(on_time), 0)::bigint AS on_time,
                   (sum(first_response_seconds) / nullif(sum(responded), 0))::float8 AS first_response,
                   (sum(resolution_seconds) / nullif(sum(resolved), 0))::float8 AS resolution
            FROM b GROUP BY GROUPING SETS ((channel), (category), (priority), (day_index), ())
            """
        )
        var result = WeeklyTotals()
        var ticketsPerDay: [Int: (tickets: Int, responded: Int, onTime: Int)] = [:]
        for row in rows {
            let tickets = try row.decode(Int.self, "tickets")
            let responded = try row.decode(Int.self, "responded")
            let onTime = try row.decode(Int.self, "on_time")
            if let channel = try row.decode(String?.self, "channel") {
                if tickets > 0 { result.byChannel.append(.init(key: channel, tickets: tickets)) }
            } else if let category = try row.decode(String?.self, "category") {
                if tickets > 0 { result.byCategory.append(.init(key: category, tickets: tickets)) }
            } else if let priority = try row.decode(String?.self, "priority") {
                if tickets > 0 {
                    result.slaByPriority.append(
                        .init(
                            priority: priority,
                            tickets: tickets,
                            responded: responded,
                            onTime: onTime,
                            rate: responded > 0 ? Double(onTime) / Double(responded) : nil
                        )
                    )
                }
            } else if let day = try row.decode(Int?.self, "day_index") {
                ticketsPerDay[day] = (tickets, responded, onTime)
            } else {
                result.averageFirstResponseSeconds = try row.decode(Double?.self, "first_response")
                result.averageResolutionSeconds = try row.decode(Double?.self, "resolution")
            }
        }
        let mostFirst: (WeeklyReport.Count, WeeklyReport.Count) -> Bool = { ($0.tickets, $1.key) > ($1.tickets, $0.key) }
        result.byChannel.sort(by: mostFirst)
        result.byCategory.sort(by: mostFirst)
        result.slaByPriority.sort { $0.priority < $1.priority }
        result.daily = (0..<days).map { index in
            let day = ticketsPerDay[index] ?? (0, 0, 0)
            return WeeklyReport.Day(
                date: utcDate(totals.from.addingTimeInterval(Double(index) * 86_400)),
                tickets: day.tickets,
                onTimeRate: day.responded > 0 ? Double(day.onTime) / Double(day.responded) : nil
            )
        }
        return result
    }

    /// `YYYY-MM-DD` of the UTC day containing `date` (what `timestamptz::date` gives with TimeZone UTC).
    static func utcDate(_ date: Date) -> String {
        let civil = PostgresTimestamp.civil(fromDays: Int((date.timeIntervalSince1970 / 86_400).rounded(.down)))
        return String(format: "%04d-%02d-%02d", civil.year, civil.month, civil.day)
    }
}
