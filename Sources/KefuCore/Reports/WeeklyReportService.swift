import Foundation
import KefuPostgres

/// Builds the weekly report: ticket totals from the daily rollups (see `ReportSource`), the
/// rest (dissatisfied customers, incidents) from indexed queries over the week.
public struct WeeklyReportService: Sendable {
    let database: TenantDatabase

    public init(database: TenantDatabase) {
        self.database = database
    }

    /// The 7 days from `weekStart` (midnight UTC reads the rollups; any other instant the tickets).
    public func weekly(_ tenantID: UUID, weekStart: Date, source: ReportSource = .automatic) async throws -> WeeklyReport {
        let from = weekStart
        let to = weekStart.addingTimeInterval(7 * 86_400)
        let totals = ReportTotals(tenantID, from: from, to: to, source: source)
        return try await database.transaction(tenantID, readOnly: true, source: .replicaIfFresh) { tx in
            let profile = try await SettingsService.load(tx)
            let volume = try await WeeklyTotals.load(tx, totals, days: 7)
            let tags = try await Self.tagCounts(tx, totals)
            let threshold = profile.settings.survey.lowRatingThreshold
            let dissatisfied = try await tx.query(
                """
                SELECT t.id, kefu_ticket_reference(t.number) AS reference, s.overall,
                       coalesce(array_agg(g.name ORDER BY g.name) FILTER (WHERE g.name IS NOT NULL), '{}') AS tags
                FROM surveys s JOIN tickets t ON t.tenant_id = s.tenant_id AND t.id = s.ticket_id
                LEFT JOIN ticket_tags tt ON tt.tenant_id = t.tenant_id AND tt.ticket_id = t.id
                LEFT JOIN tags g ON g.tenant_id = tt.tenant_id AND g.id = tt.tag_id
                WHERE s.tenant_id = \(tenantID) AND s.answered_at >= \(from) AND s.answered_at < \(to) AND s.overall <= \(threshold)
                GROUP BY s.answered_at, s.overall, t.id, t.number
                ORDER BY s.overall, t.number
                """
            ).map {
                WeeklyReport.Dissatisfied(
                    ticketId: try $0.decode(UUID.self, "id"),
                    reference: try $0.decode(String.self, "reference"),
                    overall: try $0.decode(Int.self, "overall"),
                    tags: try $0.decode([String].self, "tags")
                )
            }
            let incidents = try await tx.query(
                Incident.self,
                """
                SELECT \(IncidentStore.columns) FROM incidents WHERE tenant_id = \(tenantID) AND started_at >= \(from) AND started_at < \(to)
                ORDER BY started_at
                """
            )
            let gaps = try await ArticleService.gaps(tx, totals)
            let problems = try await tx.queryFirst(
                """
                SELECT count(*) FILTER (WHERE created_at >= \(from) AND created_at < \(to)) AS filed,
                       count(*) FILTER (WHERE submitted_at >= \(from) AND submitted_at < \(to)) AS submitted,
                       count(*) FILTER (WHERE overdue_at >= \(from) AND overdue_at < \(to)) AS overdue
                FROM problem_reports
                WHERE tenant_id = \(tenantID) AND created_at < \(to) AND greatest(created_at, submitted_at, overdue_at) >= \(from)
                """
            )
            return WeeklyReport(
                tenant: profile.slug,
                from: from,
                to: to,
                totalTickets: volume.byChannel.map(\.tickets).reduce(0, +),
                byChannel: volume.byChannel,
                byCategory: volume.byCategory,
                byTag: tags,
                slaByPriority: volume.slaByPriority,
                averageFirstResponseSeconds: volume.averageFirstResponseSeconds,
                averageResolutionSeconds: volume.averageResolutionSeconds,
                dissatisfied: dissatisfied,
                knowledgeGaps: gaps,
                incidents: incidents,
                problemReports: WeeklyReport.ProblemReports(
                    filed: try problems?.decode(Int.self, "filed") ?? 0,
                    submitted: try problems?.decode(Int.self, "submitted") ?? 0,
                    overdue: try problems?.decode(Int.self, "overdue") ?? 0
                ),
                daily: volume.daily
            )
        }
    }

    /// Volume per tag at every level: a ticket tagged with a leaf counts for the leaf and each
    /// ancestor; most frequent first, then by level and path.
    static func tagCounts(_ tx: TenantTransaction, _ totals: ReportTotals) async throws -> [WeeklyReport.TagCount] {
        let tenantID = totals.tenantID
        let counts = try await tx.query(
            """
            WITH RECURSIVE tagged AS (\(totals.tagCounts)), up AS (
                SELECT id AS leaf, id, parent_id, level FROM tags WHERE tenant_id = \(tenantID)
                UNION ALL
                SELECT up.leaf, p.id, p.parent_id, p.level FROM up JOIN tags p ON p.tenant_id = \(tenantID) AND p.id = up.parent_id
            )
            SELECT up.level, up.id, sum(tagged.tickets)::bigint AS tickets FROM tagged JOIN up ON up.leaf = tagged.tag_id
            GROUP BY up.level, up.id HAVING sum(tagged.tickets) > 0
            """
        )
        let names = try await tx.query("SELECT id, parent_id, name FROM tags WHERE tenant_id = \(tenantID)")
        var tagNames: [UUID: (String, UUID?)] = [:]
        for row in names {
            tagNames[try row.decode(UUID.self, "id")] = (try row.decode(String.self, "name"), try row.decode(UUID?.self, "parent_id"))
        }
        func path(_ id: UUID) -> String {
            var parts: [String] = []
            var current: UUID? = id
            while let node = current, let entry = tagNames[node] {
                parts.insert(entry.0, at: 0)
                current = entry.1
            }
            return parts.joined(separator: " › ")
        }
        return try counts.map {
            WeeklyReport.TagCount(
                level: try $0.decode(Int.self, "level"),
                path: path(try $0.decode(UUID.self, "id")),
                tickets: try $0.decode(Int.self, "tickets")
            )
        }
        .sorted { ($0.tickets, $1.level, $1.path) > ($1.tickets, $0.level, $0.path) }
    }
}
