import Foundation
import KefuPostgres

extension TicketQueryService {
    /// Ticket search: the tickets whose subject, description or messages (public replies and
    /// internal notes) match `search.text`, English by stems (full text) and any text, Chinese
    /// included, as a substring; combined with the queue filters (`filter.newestFirst` aside:
    /// hits are ordered by rank, best first, then id).
    /// - Parameter includeInternal: false for callers who see only what the customer sees
    ///   (channel gateways): internal notes are neither searched nor quoted.
    ///
    /// Rank: full-text rank of the ticket (subject weighs more than description) + 1 when the
    /// subject holds the text as a substring + 0.5 when the description does + half the best
    /// matching message's own score. The indexes are those of sql/022; the highlight comes from
    /// the ticket's text when it matches there, else from that best message.
    public func search(_ tenantID: UUID, _ search: TicketSearch, filter: TicketFilter, includeInternal: Bool = true) async throws -> Page<TicketHit> {
        let query = Self.searchQuery(tenantID, search, filter: filter, includeInternal: includeInternal)
        // How many tickets the words match decides the plan: planned for the values every time.
        let result = try await database.read(tenantID, query, planning: .custom)
        let hits = try result.rows.map { try Self.hit($0, text: search.text) }
        return Page(fetched: hits, limit: search.limit) { TicketSearch.Cursor(rank: $0.rank, id: $0.ticket.id).encoded }
    }

    static func searchQuery(_ tenantID: UUID, _ search: TicketSearch, filter: TicketFilter, includeInternal: Bool) -> PostgresQuery {
        let words: PostgresQuery = "websearch_to_tsquery('english', \(search.text))"
        let pattern: PostgresQuery = "\(search.substringPattern)::text"
        let visible: PostgresQuery = includeInternal ? "" : " AND m.visibility = 'public'"
        var conditions = Self.conditions(tenantID, filter: filter, after: nil)
        if !filter.statuses.isEmpty { conditions.append(" AND t.status = ANY (\(filter.statuses.map(\.rawValue))::text[])") }
        var keyset: PostgresQuery = ""
        if let after = search.after {
            keyset = " WHERE r.rank < \(after.rank)::float8 OR (r.rank = \(after.rank)::float8 AND r.id > \(after.id))"
        }
        // Each part of `matches` applies the filters and scores the ticket's own text, so no step
        // joins the tenant's tickets again (a join the planner would hash over the whole tenant).
        // Stems and substrings are separate parts, one index each: in one OR, every row the
        // trigram index brings (all of them for a text too short for trigrams, such as a two-
        // character Chinese word) would be rechecked by recomputing its tsvector (seconds in a
        // large tenant instead of a fraction of one).
        let score: PostgresQuery = """
            ts_rank(kefu_ticket_document(t.subject, t.description), \(words))
                + CASE WHEN t.subject ILIKE \(pattern) THEN 1 ELSE 0 END
                + CASE WHEN t.description ILIKE \(pattern) THEN 0.5 ELSE 0 END
            """
        let messages: PostgresQuery = """
            SELECT m.ticket_id, 0 FROM ticket_messages m JOIN tickets t ON t.tenant_id = m.tenant_id AND t.id = m.ticket_id
            WHERE m.tenant_id = \(tenantID)\(visible) AND \(conditions)
            """
        return """
            WITH matches AS (
                SELECT t.id, \(score) AS own FROM tickets t
                WHERE \(conditions) AND kefu_ticket_document(t.subject, t.description) @@ \(words)
                UNION ALL
                SELECT t.id, \(score) FROM tickets t
                WHERE \(conditions) AND kefu_ticket_text(t.subject, t.description) ILIKE \(pattern)
                UNION ALL
                \(messages) AND to_tsvector('english', m.body) @@ \(words)
                UNION ALL
                \(messages) AND m.body ILIKE \(pattern)),
            ranked AS (
                SELECT x.id, msg.body AS message, (x.own + coalesce(msg.score, 0) * 0.5)::float8 AS rank
                FROM (SELECT id, max(own) AS own FROM matches GROUP BY id) x
                LEFT JOIN LATERAL (
                    SELECT m.body, ts_rank(to_tsvector('english', m.body), \(words))
                                   + CASE WHEN m.body ILIKE \(pattern) THEN 0.5 ELSE 0 END AS score
                    FROM ticket_messages m
                    WHERE m.tenant_id = \(tenantID) AND m.ticket_id = x.id\(visible)
                      AND (m.body ILIKE \(pattern) OR to_tsvector('english', m.body) @@ \(words))
                    ORDER BY score DESC, m.seq LIMIT 1) msg ON true),
            page AS (SELECT r.id, r.message, r.rank FROM ranked r\(keyset) ORDER BY r.rank DESC, r.id LIMIT \(search.limit + 1))
            SELECT \(TicketStore.columns), page.rank, page.message,
                   \(Highlight.headline("kefu_ticket_text(t.subject, t.description)", words)) AS headline,
                   CASE WHEN page.message IS NOT NULL THEN \(Highlight.headline("page.message", words)) END AS message_headline
            FROM page JOIN tickets t ON t.tenant_id = \(tenantID) AND t.id = page.id
            ORDER BY page.rank DESC, page.id
            """
    }

    /// A result row as a hit; the highlight marks the ticket's own text when it matches there
    /// (stems first, then the substring), else the best matching message.
    private static func hit(_ row: PostgresRow, text: String) throws -> TicketHit {
        let ticket = try Ticket(row: row)
        let ticketText = (ticket.subject.map { $0 + " " } ?? "") + ticket.description
        var highlight = try Highlight.marked(row.decode(String.self, "headline")) ?? Highlight.snippet(ticketText, around: text)
        if highlight == nil, let message = try row.decode(String?.self, "message") {
            highlight =
                try row.decode(String?.self, "message_headline").flatMap(Highlight.marked) ?? Highlight.snippet(message, around: text)
        }
        return TicketHit(ticket: ticket, rank: try row.decode(Double.self, "rank"), highlight: highlight ?? Highlight.opening(ticketText))
    }
}
