import Foundation
import KefuPostgres

/// Where a report reads ticket totals from.
public enum ReportSource: Sendable, Equatable {
    /// The daily rollups (`report_daily`, `report_daily_tags`, kept by triggers in the
    /// transaction of every ticket change) when the period is whole UTC days; the tickets
    /// otherwise. The cost then follows the days of the period, not its tickets.
    case automatic
    /// The tickets themselves, for any period: the reference the rollups are tested against.
    case tickets

    /// Whether `[from, to)` is read from the rollups.
    func usesRollups(from: Date, to: Date) -> Bool {
        self == .automatic && Self.isUTCMidnight(from) && Self.isUTCMidnight(to)
    }

    static func isUTCMidnight(_ date: Date) -> Bool {
        date.timeIntervalSince1970.truncatingRemainder(dividingBy: 86_400) == 0
    }
}

/// SQL for the ticket totals of a period `[from, to)`, from the rollups or from the tickets,
/// with the same columns either way.
struct ReportTotals {
    let tenantID: UUID
    let from: Date
    let to: Date
    let rollups: Bool

    init(_ tenantID: UUID, from: Date, to: Date, source: ReportSource) {
        self.tenantID = tenantID
        self.from = from
        self.to = to
        self.rollups = source.usesRollups(from: from, to: to)
    }

    /// Rows `day_index` (0 = the day starting at `from`), `channel`, `category`, `priority`,
    /// `tickets`, `responded`, `on_time`, `first_response_seconds`, `resolved`, `resolution_seconds`.
    var buckets: PostgresQuery {
        if rollups {
            return """
                SELECT day - (\(from)::timestamptz AT TIME ZONE 'UTC')::date AS day_index, channel, category, priority, tickets,
                       responded, on_time, first_response_seconds, resolved, resolution_seconds
                FROM report_daily
                WHERE tenant_id = \(tenantID) AND day >= (\(from)::timestamptz AT TIME ZONE 'UTC')::date
                  AND day < (\(to)::timestamptz AT TIME ZONE 'UTC')::date
                """
        }
        // The same sums the triggers of sql/010_report_rollups.sql keep.
        return """
            SELECT floor(extract(epoch FROM created_at - \(from)::timestamptz) / 86400)::integer AS day_index, channel, category, priority,
                   count(*) AS tickets, count(first_response_at) AS responded,
                   count(*) FILTER (WHERE first_response_at IS NOT NULL
                                    AND (first_response_due_at IS NULL OR first_response_at <= first_response_due_at)) AS on_time,
                   coalesce(sum(extract(epoch FROM first_response_at - created_at)), 0) AS first_response_seconds,
                   count(resolved_at) AS resolved, coalesce(sum(extract(epoch FROM resolved_at - created_at)), 0) AS resolution_seconds
            FROM tickets
            WHERE tenant_id = \(tenantID) AND created_at >= \(from) AND created_at < \(to)
            GROUP BY 1, 2, 3, 4
            """
    }

    /// Rows `tag_id`, `tickets`: tag assignments of the tickets created in the period, per tag
    /// (rows with 0 may come from the rollups).
    var tagCounts: PostgresQuery {
        if rollups {
            return """
                SELECT tag_id, sum(tickets)::bigint AS tickets FROM report_daily_tags
                WHERE tenant_id = \(tenantID) AND day >= (\(from)::timestamptz AT TIME ZONE 'UTC')::date
                  AND day < (\(to)::timestamptz AT TIME ZONE 'UTC')::date
                GROUP BY tag_id
                """
        }
        return """
            SELECT tt.tag_id, count(*) AS tickets
            FROM ticket_tags tt JOIN tickets t ON t.tenant_id = tt.tenant_id AND t.id = tt.ticket_id
            WHERE tt.tenant_id = \(tenantID) AND t.created_at >= \(from) AND t.created_at < \(to)
            GROUP BY tt.tag_id
            """
    }
}
