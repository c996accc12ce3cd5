import Foundation
import KefuPostgres

/// A frequent problem without a published article: work for the knowledge base.
public struct KnowledgeGap: Codable, Sendable, Equatable {
    public var tagId: UUID
    public var tagName: String
    public var tickets: Int
}

extension ArticleService {
    /// Leaf tags with at least `minimumTickets` tickets created in `[from, to)` and no published
    /// article in that category, most tickets first.
    public func gaps(
        _ tenantID: UUID,
        from: Date,
        to: Date,
        minimumTickets: Int = 5,
        source: ReportSource = .automatic
    ) async throws -> [KnowledgeGap] {
        guard from < to else { throw KefuError.invalidField("from", "must be before to") }
        guard (1...100_000).contains(minimumTickets) else { throw KefuError.invalidField("min_tickets", "must be between 1 and 100000") }
        return try await database.transaction(tenantID, readOnly: true) { tx in
            try await Self.gaps(tx, ReportTotals(tenantID, from: from, to: to, source: source), minimumTickets: minimumTickets)
        }
    }

    /// The gaps of `totals`' period inside an open transaction (the weekly report's).
    static func gaps(_ tx: TenantTransaction, _ totals: ReportTotals, minimumTickets: Int = 5) async throws -> [KnowledgeGap] {
        try await tx.query(
            KnowledgeGap.self,
            """
            WITH tagged AS (\(totals.tagCounts))
            SELECT g.id AS tag_id, g.name AS tag_name, x.tickets::int AS tickets
            FROM tagged x JOIN tags g ON g.tenant_id = \(totals.tenantID) AND g.id = x.tag_id
            WHERE x.tickets >= \(minimumTickets)
              AND NOT EXISTS (SELECT 1 FROM kb_articles a WHERE a.tenant_id = g.tenant_id AND a.category_tag_id = g.id
                                AND a.status = 'published')
            ORDER BY x.tickets DESC, g.name
            """
        )
    }
}
