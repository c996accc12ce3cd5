import Foundation
import KefuPostgres

/// The `problem_reports` table (sql/004, form and steps sql/025): reading a report, and filing
/// the reports a resolution makes recurring.
enum ProblemReportStore {
    /// The columns of `ProblemReport`, selected from `problem_reports` (no alias needed).
    static let columns: PostgresQuery = """
        id, tenant_id, tag_id, (SELECT g.name FROM tags g WHERE g.tenant_id = problem_reports.tenant_id AND g.id = tag_id) AS tag_name,
        week_start::text AS week_start, status, problem, occurrences, ticket_ids, affected_customers, suggested_fix, department_id,
        due_at, overdue_at, submitted_at, submitted_by, accepted_at, accepted_by, done_at, done_by, created_at, updated_at
        """

    static func fetch(_ tx: TenantTransaction, id: UUID, forUpdate: Bool = false) async throws -> ProblemReport {
        let lock: PostgresQuery = forUpdate ? " FOR UPDATE" : ""
        guard
            let report = try await tx.queryFirst(
                ProblemReport.self,
                "SELECT \(columns) FROM problem_reports WHERE tenant_id = \(tx.tenantID) AND id = \(id)\(lock)"
            )
        else { throw KefuError.notFound("problem report") }
        return report
    }

    /// Files one report per leaf tag of `ticket` resolved `threshold` times in the 7 days before
    /// `now` (once per tag and week), prefilled with what Kefu knows — occurrences, the tickets
    /// (the latest 200), the customers affected — and arms its 24 h submission deadline
    /// (`record_timers`). Returns the new reports' tag names and occurrences.
    static func fileRecurring(
        _ tx: TenantTransaction,
        tags: [UUID],
        threshold: Int,
        at now: Date
    ) async throws -> [(tag: String, occurrences: Int)] {
        guard !tags.isEmpty else { return [] }
        let since = now.addingTimeInterval(-7 * 86_400)
        let due = now.addingTimeInterval(ProblemReportService.submissionSeconds)
        let rows = try await tx.query(
            """
            WITH recurring AS (
                SELECT tt.tag_id, count(*) AS tickets, count(DISTINCT t.customer_id) AS customers,
                       (array_agg(t.id ORDER BY t.resolved_at DESC, t.id))[1:\(Int32(ValidatedProblemReportUpdate.maximumTickets))] AS ticket_ids
                FROM ticket_tags tt JOIN tickets t ON t.tenant_id = tt.tenant_id AND t.id = tt.ticket_id
                WHERE tt.tenant_id = \(tx.tenantID) AND tt.tag_id = ANY (\(tags)) AND t.resolved_at >= \(since)
                GROUP BY tt.tag_id
                HAVING count(*) >= \(threshold)
            ), filed AS (
                INSERT INTO problem_reports (tenant_id, tag_id, week_start, ticket_count, occurrences, ticket_ids, affected_customers,
                                             due_at, created_at, updated_at)
                SELECT \(tx.tenantID), tag_id, date_trunc('week', \(now)::timestamptz AT TIME ZONE 'UTC')::date, tickets, tickets,
                       ticket_ids, customers, \(due), \(now), \(now)
                FROM recurring
                ON CONFLICT (tenant_id, tag_id, week_start) DO NOTHING
                RETURNING id, tag_id, ticket_count, due_at
            ), armed AS (
                INSERT INTO record_timers (tenant_id, kind, record_id, due_at)
                SELECT \(tx.tenantID), \(RecordTimerKind.problemReport.rawValue), id, due_at FROM filed
            )
            SELECT g.name, f.ticket_count FROM filed f JOIN tags g ON g.tenant_id = \(tx.tenantID) AND g.id = f.tag_id
            ORDER BY g.name
            """
        )
        return try rows.map { (try $0.decode(String.self, "name"), try $0.decode(Int.self, "ticket_count")) }
    }
}
