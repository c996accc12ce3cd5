import Foundation
import KefuPostgres

/// The weekly service analysis of one tenant.
public struct WeeklyReport: Codable, Sendable {
    public struct Count: Codable, Sendable, Equatable {
        public var key: String
        public var tickets: Int
    }

    public struct TagCount: Codable, Sendable, Equatable {
        public var level: Int
        public var path: String
        public var tickets: Int
    }

    public struct SLACompliance: Codable, Sendable, Equatable {
        public var priority: String
        public var tickets: Int
        public var responded: Int
        public var onTime: Int
        public var rate: Double?
    }

    public struct Dissatisfied: Codable, Sendable, Equatable {
        public var ticketId: UUID
        public var reference: String
        public var overall: Int
        public var tags: [String]
    }

    public struct Day: Codable, Sendable, Equatable {
        public var date: String
        public var tickets: Int
        public var onTimeRate: Double?
    }

    public var tenant: String
    public var from: Date
    public var to: Date
    public var totalTickets: Int
    public var byChannel: [Count]
    public var byCategory: [Count]
    /// Volume per tag at every level of the taxonomy, most frequent first (top recurring problems).
    public var byTag: [TagCount]
    public var slaByPriority: [SLACompliance]
    public var averageFirstResponseSeconds: Double?
    public var averageResolutionSeconds: Double?
    public var dissatisfied: [Dissatisfied]
    public var knowledgeGaps: [KnowledgeGap]
    public var incidents: [Incident]
    public var daily: [Day]
}

/// Builds the weekly report from indexed queries over the week's tickets.
public struct WeeklyReportService: Sendable {
    let database: TenantDatabase
    let articles: ArticleService

    public init(database: TenantDatabase, clock: any KefuClock) {
        self.database = database
        self.articles = ArticleService(database: database, clock: clock)
    }

    /// The 7 days from `weekStart` (midnight UTC).
    public func weekly(_ tenantID: UUID, weekStart: Date) async throws -> WeeklyReport {
        let from = weekStart
        let to = weekStart.addingTimeInterval(7 * 86_400)
        let gaps = try await articles.gaps(tenantID, from: from, to: to)
        return try await database.transaction(tenantID, readOnly: true) { tx in
            let profile = try await SettingsService.load(tx)
            func counts(_ column: PostgresQuery) async throws -> [WeeklyReport.Count] {
                try await tx.query("""
                    SELECT \(column) AS key, count(*) AS tickets FROM tickets
                    WHERE tenant_id = \(tenantID) AND created_at >= \(from) AND created_at < \(to) GROUP BY 1 ORDER BY 2 DESC, 1
                    """).map { WeeklyReport.Count(key: try $0.decode(String.self, "key"), tickets: try $0.decode(Int.self, "tickets")) }
            }
            let byChannel = try await counts("channel")
            let byCategory = try await counts("category")
            let byTag = try await tx.query("""
                WITH RECURSIVE tagged AS (
                    SELECT tt.tag_id FROM ticket_tags tt JOIN tickets t ON t.tenant_id = tt.tenant_id AND t.id = tt.ticket_id
                    WHERE tt.tenant_id = \(tenantID) AND t.created_at >= \(from) AND t.created_at < \(to)
                ), paths AS (
                    SELECT id, parent_id, level, name::text AS path, id AS leaf FROM tags WHERE tenant_id = \(tenantID)
                ), up AS (
                    SELECT g.leaf, g.id, g.parent_id, g.level FROM paths g
                    UNION ALL
                    SELECT up.leaf, p.id, p.parent_id, p.level FROM up JOIN tags p ON p.tenant_id = \(tenantID) AND p.id = up.parent_id
                )
                SELECT up.level, up.id, count(*) AS tickets FROM tagged JOIN up ON up.leaf = tagged.tag_id
                GROUP BY up.level, up.id ORDER BY count(*) DESC, up.level
                """)
            let names = try await tx.query("SELECT id, parent_id, name FROM tags WHERE tenant_id = \(tenantID)")
            var tagNames: [UUID: (String, UUID?)] = [:]
            for row in names { tagNames[try row.decode(UUID.self, "id")] = (try row.decode(String.self, "name"), try row.decode(UUID?.self, "parent_id")) }
            func path(_ id: UUID) -> String {
                var parts: [String] = []
                var current: UUID? = id
                while let node = current, let entry = tagNames[node] { parts.insert(entry.0, at: 0); current = entry.1 }
                return parts.joined(separator: " › ")
            }
            let tagCounts = try byTag.map { WeeklyReport.TagCount(level: try $0.decode(Int.self, "level"), path: path(try $0.decode(UUID.self, "id")),
                                                                  tickets: try $0.decode(Int.self, "tickets")) }
            let sla = try await tx.query("""
                SELECT priority, count(*) AS tickets, count(first_response_at) AS responded,
                       count(*) FILTER (WHERE first_response_at IS NOT NULL AND (first_response_due_at IS NULL OR first_response_at <= first_response_due_at)) AS on_time
                FROM tickets WHERE tenant_id = \(tenantID) AND created_at >= \(from) AND created_at < \(to)
                GROUP BY priority ORDER BY priority
                """).map { row -> WeeklyReport.SLACompliance in
                let responded = try row.decode(Int.self, "responded")
                let onTime = try row.decode(Int.self, "on_time")
                return WeeklyReport.SLACompliance(priority: try row.decode(String.self, "priority"), tickets: try row.decode(Int.self, "tickets"),
                                                  responded: responded, onTime: onTime, rate: responded > 0 ? Double(onTime) / Double(responded) : nil)
            }
            let times = try await tx.queryFirst("""
                SELECT avg(extract(epoch FROM first_response_at - created_at))::float8 AS first_response,
                       avg(extract(epoch FROM resolved_at - created_at))::float8 AS resolution
                FROM tickets WHERE tenant_id = \(tenantID) AND created_at >= \(from) AND created_at < \(to)
                """)
            let threshold = profile.settings.survey.lowRatingThreshold
            let dissatisfied = try await tx.query("""
                SELECT t.id, 'T-' || lpad(t.number::text, 6, '0') AS reference, s.overall,
                       ARRAY(SELECT g.name FROM ticket_tags tt JOIN tags g ON g.tenant_id = tt.tenant_id AND g.id = tt.tag_id
                             WHERE tt.tenant_id = t.tenant_id AND tt.ticket_id = t.id ORDER BY g.name) AS tags
                FROM surveys s JOIN tickets t ON t.tenant_id = s.tenant_id AND t.id = s.ticket_id
                WHERE s.tenant_id = \(tenantID) AND s.answered_at >= \(from) AND s.answered_at < \(to) AND s.overall <= \(threshold)
                ORDER BY s.overall, t.number
                """).map { WeeklyReport.Dissatisfied(ticketId: try $0.decode(UUID.self, "id"), reference: try $0.decode(String.self, "reference"),
                                                     overall: try $0.decode(Int.self, "overall"), tags: try $0.decode([String].self, "tags")) }
            let incidents = try await tx.query(Incident.self, """
                SELECT \(IncidentStore.columns) FROM incidents WHERE tenant_id = \(tenantID) AND started_at >= \(from) AND started_at < \(to)
                ORDER BY started_at
                """)
            let days = try await tx.query("""
                SELECT d::date::text AS day, count(t.id) AS tickets,
                       count(t.first_response_at) AS responded,
                       count(t.id) FILTER (WHERE t.first_response_at IS NOT NULL AND (t.first_response_due_at IS NULL OR t.first_response_at <= t.first_response_due_at)) AS on_time
                FROM generate_series(\(from)::timestamptz, \(to)::timestamptz - interval '1 day', interval '1 day') d
                LEFT JOIN tickets t ON t.tenant_id = \(tenantID) AND t.created_at >= d AND t.created_at < d + interval '1 day'
                GROUP BY d ORDER BY d
                """).map { row -> WeeklyReport.Day in
                let responded = try row.decode(Int.self, "responded")
                return WeeklyReport.Day(date: try row.decode(String.self, "day"), tickets: try row.decode(Int.self, "tickets"),
                                        onTimeRate: responded > 0 ? Double(try row.decode(Int.self, "on_time")) / Double(responded) : nil)
            }
            return WeeklyReport(
                tenant: profile.slug, from: from, to: to, totalTickets: byChannel.map(\.tickets).reduce(0, +),
                byChannel: byChannel, byCategory: byCategory, byTag: tagCounts, slaByPriority: sla,
                averageFirstResponseSeconds: try times?.decode(Double?.self, "first_response"),
                averageResolutionSeconds: try times?.decode(Double?.self, "resolution"),
                dissatisfied: dissatisfied, knowledgeGaps: gaps, incidents: incidents, daily: days)
        }
    }
}
