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
    public func gaps(_ tenantID: UUID, from: Date, to: Date, minimumTickets: Int = 5) async throws -> [KnowledgeGap] {
        guard from < to else { throw KefuError.invalidField("from", "must be before to") }
        guard (1...100_000).contains(minimumTickets) else { throw KefuError.invalidField("min_tickets", "must be between 1 and 100000") }
        return try await database.transaction(tenantID, readOnly: true) { tx in
            try await tx.query(KnowledgeGap.self, """
                SELECT g.id AS tag_id, g.name AS tag_name, count(*)::int AS tickets
                FROM ticket_tags tt
                JOIN tickets t ON t.tenant_id = tt.tenant_id AND t.id = tt.ticket_id
                JOIN tags g ON g.tenant_id = tt.tenant_id AND g.id = tt.tag_id
                WHERE tt.tenant_id = \(tenantID) AND t.created_at >= \(from) AND t.created_at < \(to)
                  AND NOT EXISTS (SELECT 1 FROM kb_articles a WHERE a.tenant_id = g.tenant_id AND a.category_tag_id = g.id
                                    AND a.status = 'published')
                GROUP BY g.id, g.name
                HAVING count(*) >= \(minimumTickets)
                ORDER BY count(*) DESC, g.name
                """)
        }
    }
}
