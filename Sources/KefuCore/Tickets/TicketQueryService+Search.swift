import Foundation
import KefuPostgres

extension TicketQueryService {
    /// Ticket search: the tickets whose subject, description or messages (public replies and
    /// internal notes) match `search.text` — English by stems, Chinese by substring (character
    /// bigrams), other text of three characters or more also as a substring — combined with the
    /// queue filters (`filter.newestFirst` aside: hits are ordered by rank, best first, then id).
    /// - Parameter includeInternal: false for callers who see only what the customer sees
    ///   (channel gateways): internal notes are neither searched nor quoted.
    ///
    /// Bounded ranking: each way of matching (the ticket's document, the ticket's text as a
    /// substring, a message's document, a message as a substring) contributes at most
    /// `TicketSearch.candidatesPerSource` tickets, its newest matches (tickets by creation,
    /// messages by arrival); the hits are those candidates ranked. Rank: full-text rank of the
    /// ticket when its document matches (subject weighs more than description) + 1 when the
    /// subject holds the text as a substring + 0.5 when the description does + half the best
    /// matching message's own score. The indexes are those of sql/022 and sql/031; the highlight
    /// comes from the ticket's text when it matches there, else from that best message.
    public func search(_ tenantID: UUID, _ search: TicketSearch, filter: TicketFilter, includeInternal: Bool = true) async throws -> Page<TicketHit> {
        guard search.isSearchable else { return Page(items: [], nextCursor: nil) }
        let query = Self.searchQuery(tenantID, search, filter: filter, includeInternal: includeInternal)
        // How many tickets the words match decides the plan: planned for the values every time,
        // and serially (each source stops after a bounded number of rows).
        let result = try await database.read(tenantID, query, planning: .customSerial, source: .replicaIfFresh)
        let hits = try result.rows.map { try Self.hit($0, text: search.text) }
        return Page(fetched: hits, limit: search.limit) { TicketSearch.Cursor(rank: $0.rank, id: $0.ticket.id).encoded }
    }

    static func searchQuery(_ tenantID: UUID, _ search: TicketSearch, filter: TicketFilter, includeInternal: Bool) -> PostgresQuery {
        let words: PostgresQuery = "kefu_search_query(\(search.text)::text)"
        let pattern: PostgresQuery = "\(search.substringPattern)::text"
        let visible: PostgresQuery = includeInternal ? "" : " AND m.visibility = 'public'"
        let bound = TicketSearch.candidatesPerSource
        var conditions = Self.conditions(tenantID, filter: filter, after: nil)
        // One status as =, so that an index led by (tenant_id, status, created_at) stays ordered.
        if filter.statuses.count == 1 {
            conditions.append(" AND t.status = \(filter.statuses[0].rawValue)")
        } else if !filter.statuses.isEmpty {
            conditions.append(" AND t.status = ANY (\(filter.statuses.map(\.rawValue))::text[])")
        }
        var keyset: PostgresQuery = ""
        if let after = search.after {
            keyset = " WHERE r.rank < \(after.rank)::float8 OR (r.rank = \(after.rank)::float8 AND r.id > \(after.id))"
        }
        // Each source is its own bounded, newest-first subquery, so the planner may either walk
        // the tenant's tickets (messages) newest first and stop after `bound` matches (a common
        // word) or look the few matches up in the GIN index (a rare one); the stored documents
        // make the per-row check cheap either way.
        let messages: PostgresQuery = """
            SELECT m.ticket_id FROM ticket_messages m JOIN tickets t ON t.tenant_id = m.tenant_id AND t.id = m.ticket_id
            WHERE m.tenant_id = \(tenantID)\(visible) AND \(conditions)
            """
        var sources: PostgresQuery = """
            (SELECT t.id FROM tickets t WHERE \(conditions) AND t.search_document @@ \(words)
             ORDER BY t.created_at DESC, t.id DESC LIMIT \(bound))
            UNION (\(messages) AND m.search_document @@ \(words) ORDER BY m.seq DESC LIMIT \(bound))
            """
        if search.matchesSubstrings {
            sources.append(
                """

                UNION (SELECT t.id FROM tickets t WHERE \(conditions) AND (t.subject ILIKE \(pattern) OR t.description ILIKE \(pattern))
                       ORDER BY t.created_at DESC, t.id DESC LIMIT \(bound))
                UNION (\(messages) AND m.body ILIKE \(pattern) ORDER BY m.seq DESC LIMIT \(bound))
                """
            )
        }
        let messageSubstring: PostgresQuery = search.matchesSubstrings ? " OR m.body ILIKE \(pattern)" : ""
        let score: PostgresQuery = """
            CASE WHEN t.search_document @@ \(words) THEN ts_rank(t.search_document, \(words)) ELSE 0 END
                + CASE WHEN t.subject ILIKE \(pattern) THEN 1 ELSE 0 END
                + CASE WHEN t.description ILIKE \(pattern) THEN 0.5 ELSE 0 END
            """
        return """
            WITH candidates AS (\(sources)),
            ranked AS (
                SELECT t.id, msg.body AS message, (\(score) + coalesce(msg.score, 0) * 0.5)::float8 AS rank
                FROM candidates c JOIN tickets t ON t.tenant_id = \(tenantID) AND t.id = c.id
                LEFT JOIN LATERAL (
                    SELECT m.body, ts_rank(m.search_document, \(words))
                                   + CASE WHEN m.body ILIKE \(pattern) THEN 0.5 ELSE 0 END AS score
                    FROM ticket_messages m
                    WHERE m.tenant_id = \(tenantID) AND m.ticket_id = t.id\(visible)
                      AND (m.search_document @@ \(words)\(messageSubstring))
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
