import Foundation
import KefuPostgres

/// Knowledge-base articles: versioned edits, restore, votes, ticket links and search that ranks
/// English (stemmed full text) and Chinese (substrings and trigrams) alike.
public struct ArticleService: Sendable {
    let database: TenantDatabase
    let clock: any KefuClock
    static let columns: PostgresQuery = """
        id, tenant_id, title, body, category_tag_id, status, author_id, version, helpful, not_helpful, created_at, updated_at, published_at
        """

    public init(database: TenantDatabase, clock: any KefuClock) {
        self.database = database
        self.clock = clock
    }

    public func create(_ principal: Principal, _ input: NewArticle) async throws -> Article {
        let title = try Validate.text(input.title, field: "title", maxLength: 300)
        let body = try Validate.text(input.body, field: "body", maxLength: 200_000)
        let status = try Validate.choice(input.status ?? ArticleStatus.draft.rawValue, ArticleStatus.self, field: "status")
        return try await database.transaction(principal.tenantID) { tx in
            try await Self.requireCategory(tx, input.categoryTagId)
            let now = clock.now()
            let article = try require(
                try await tx.queryFirst(
                    Article.self,
                    """
                    INSERT INTO kb_articles (tenant_id, title, body, category_tag_id, status, author_id, created_at, updated_at, published_at)
                    VALUES (\(tx.tenantID), \(title), \(body), \(input.categoryTagId), \(status.rawValue), \(principal.agentID), \(now), \(now),
                            \(status == .published ? now : nil))
                    RETURNING \(Self.columns)
                    """
                )
            )
            try await Self.saveVersion(tx, article, editedBy: principal.agentID, note: "created", at: now)
            return article
        }
    }

    public func get(_ tenantID: UUID, id: UUID) async throws -> Article {
        try await database.transaction(tenantID, readOnly: true) { tx in try await Self.fetch(tx, id: id) }
    }

    static func fetch(_ tx: TenantTransaction, id: UUID, forUpdate: Bool = false) async throws -> Article {
        let lock: PostgresQuery = forUpdate ? " FOR UPDATE" : ""
        guard
            let article = try await tx.queryFirst(
                Article.self,
                """
                SELECT \(columns) FROM kb_articles WHERE tenant_id = \(tx.tenantID) AND id = \(id)\(lock)
                """
            )
        else { throw KefuError.notFound("article") }
        return article
    }

    /// Applies an edit as a new version.
    public func edit(_ principal: Principal, id: UUID, _ edit: ArticleEdit) async throws -> Article {
        let title = try edit.title.map { try Validate.text($0, field: "title", maxLength: 300) }
        let body = try edit.body.map { try Validate.text($0, field: "body", maxLength: 200_000) }
        let status = try edit.status.map { try Validate.choice($0, ArticleStatus.self, field: "status") }
        let note = try edit.note.map { try Validate.text($0, field: "note", maxLength: 1000) }
        return try await database.transaction(principal.tenantID) { tx in
            _ = try await Self.fetch(tx, id: id, forUpdate: true)
            try await Self.requireCategory(tx, edit.categoryTagId)
            return try await Self.write(
                tx,
                id: id,
                title: title,
                body: body,
                category: edit.categoryTagId,
                status: status,
                by: principal.agentID,
                note: note,
                at: clock.now()
            )
        }
    }

    public func versions(_ tenantID: UUID, id: UUID) async throws -> [ArticleVersion] {
        try await database.transaction(tenantID, readOnly: true) { tx in
            _ = try await Self.fetch(tx, id: id)
            return try await tx.query(
                ArticleVersion.self,
                """
                SELECT version, title, body, category_tag_id, status, edited_by, note, created_at FROM kb_article_versions
                WHERE tenant_id = \(tenantID) AND article_id = \(id) ORDER BY version
                """
            )
        }
    }

    public func version(_ tenantID: UUID, id: UUID, version: Int) async throws -> ArticleVersion {
        guard let found = try await versions(tenantID, id: id).first(where: { $0.version == version }) else {
            throw KefuError.notFound("article version")
        }
        return found
    }

    /// Restores an old version's content as the newest version.
    public func restore(_ principal: Principal, id: UUID, version: Int) async throws -> Article {
        try await database.transaction(principal.tenantID) { tx in
            _ = try await Self.fetch(tx, id: id, forUpdate: true)
            guard
                let old = try await tx.queryFirst(
                    ArticleVersion.self,
                    """
                    SELECT version, title, body, category_tag_id, status, edited_by, note, created_at FROM kb_article_versions
                    WHERE tenant_id = \(tx.tenantID) AND article_id = \(id) AND version = \(Int32(clamping: version))
                    """
                )
            else { throw KefuError.notFound("article version") }
            return try await Self.write(
                tx,
                id: id,
                title: old.title,
                body: old.body,
                category: old.categoryTagId,
                status: nil,
                by: principal.agentID,
                note: "restored version \(version)",
                at: clock.now()
            )
        }
    }

    /// The caller's vote: one per agent and article, a change of mind replaces it. The counts
    /// move with the vote under the article's row lock, so they stay equal to the votes cast.
    public func vote(_ principal: Principal, id: UUID, helpful: Bool) async throws -> Article {
        try await database.transaction(principal.tenantID) { tx in
            guard try await tx.queryFirst("SELECT 1 FROM kb_articles WHERE tenant_id = \(tx.tenantID) AND id = \(id) FOR UPDATE") != nil else {
                throw KefuError.notFound("article")
            }
            let previous = try await tx.queryScalar(
                Bool.self,
                """
                SELECT helpful FROM kb_article_votes WHERE tenant_id = \(tx.tenantID) AND article_id = \(id) AND agent_id = \(principal.agentID)
                """
            )
            try await tx.execute(
                """
                INSERT INTO kb_article_votes (tenant_id, article_id, agent_id, helpful, voted_at)
                VALUES (\(tx.tenantID), \(id), \(principal.agentID), \(helpful), \(clock.now()))
                ON CONFLICT (tenant_id, article_id, agent_id) DO UPDATE SET helpful = EXCLUDED.helpful, voted_at = EXCLUDED.voted_at
                """
            )
            let helpfulDelta = (helpful ? 1 : 0) - (previous == true ? 1 : 0)
            let notHelpfulDelta = (helpful ? 0 : 1) - (previous == false ? 1 : 0)
            return try require(
                try await tx.queryFirst(
                    Article.self,
                    """
                    UPDATE kb_articles SET helpful = helpful + \(helpfulDelta), not_helpful = not_helpful + \(notHelpfulDelta)
                    WHERE tenant_id = \(tx.tenantID) AND id = \(id) RETURNING \(Self.columns)
                    """
                )
            )
        }
    }

    /// Records that the article solved a ticket.
    public func link(_ principal: Principal, id: UUID, ticketID: UUID) async throws -> [UUID] {
        try await database.transaction(principal.tenantID) { tx in
            _ = try await Self.fetch(tx, id: id)
            do {
                _ = try await TicketStore.fetch(tx, id: ticketID)
            } catch KefuError.notFound {
                throw KefuError.invalidField("ticket_id", "no such ticket")
            }
            try await tx.execute(
                """
                INSERT INTO kb_article_tickets (tenant_id, article_id, ticket_id, linked_by, created_at)
                VALUES (\(tx.tenantID), \(id), \(ticketID), \(principal.agentID), \(clock.now())) ON CONFLICT DO NOTHING
                """
            )
            return try await tx.query(
                "SELECT ticket_id FROM kb_article_tickets WHERE tenant_id = \(tx.tenantID) AND article_id = \(id) ORDER BY created_at"
            )
            .map { try $0.decode(UUID.self, at: 0) }
        }
    }

    /// Ranked search; `publishedOnly` for suggestions to agents and customers.
    public func search(_ tenantID: UUID, query: String, publishedOnly: Bool, limit: Int = 10) async throws -> [ArticleHit] {
        let text = try Validate.text(query, field: "q", maxLength: 200)
        let statusFilter: PostgresQuery = publishedOnly ? " AND status = 'published'" : ""
        return try await database.transaction(tenantID, readOnly: true, source: .replicaIfFresh) { tx in
            let rows = try await tx.query(
                """
                WITH q AS (SELECT websearch_to_tsquery('english', \(text)) AS ts, lower(\(text)) AS plain)
                SELECT \(Self.columns),
                       ts_rank(search, q.ts) * 2
                         + CASE WHEN strpos(lower(title), q.plain) > 0 THEN 1.5 ELSE 0 END
                         + CASE WHEN strpos(lower(body), q.plain) > 0 THEN 0.5 ELSE 0 END
                         + word_similarity(q.plain, lower(title || ' ' || body)) * 0.5 AS rank,
                       \(Highlight.headline("body", "q.ts")) AS headline
                FROM kb_articles, q
                WHERE tenant_id = \(tenantID)\(statusFilter)
                  AND (search @@ q.ts OR strpos(lower(title || ' ' || body), q.plain) > 0
                       OR q.plain <% lower(title || ' ' || body))
                ORDER BY rank DESC, updated_at DESC
                LIMIT \(limit)
                """
            )
            return try rows.map { row in
                let article = try row.decode(Article.self)
                let headline = try row.decode(String.self, "headline")
                return ArticleHit(
                    article: article,
                    rank: try row.decode(Double.self, "rank"),
                    highlight: Highlight.marked(headline) ?? Highlight.snippet(article.body, around: text) ?? Highlight.opening(article.body)
                )
            }
        }
    }

    /// The published articles that best match a ticket's text (intake suggestions), ranked by
    /// full-text match and trigram word similarity, at most `limit`, best first.
    static func suggestionsStatement(_ tx: TenantTransaction, for text: String, limit: Int = 3) -> PostgresStatement<[ArticleSuggestion]> {
        let sample = String(text.prefix(500))
        let query: PostgresQuery = """
            WITH q AS (SELECT plainto_tsquery('english', \(sample)) AS ts, lower(\(sample)) AS plain)
            SELECT id, title FROM kb_articles, q
            WHERE tenant_id = \(tx.tenantID) AND status = 'published'
              AND (search @@ q.ts OR lower(title) <% q.plain)
            ORDER BY ts_rank(search, q.ts) + word_similarity(lower(title), q.plain) DESC, updated_at DESC
            LIMIT \(limit)
            """
        return query.rows(ArticleSuggestion.self)
    }

    private static func write(
        _ tx: TenantTransaction,
        id: UUID,
        title: String?,
        body: String?,
        category: UUID?,
        status: ArticleStatus?,
        by agent: UUID,
        note: String?,
        at now: Date
    ) async throws -> Article {
        let article = try require(
            try await tx.queryFirst(
                Article.self,
                """
                UPDATE kb_articles SET title = COALESCE(\(title), title), body = COALESCE(\(body), body),
                    category_tag_id = COALESCE(\(category), category_tag_id), status = COALESCE(\(status?.rawValue), status),
                    published_at = CASE WHEN \(status?.rawValue) = 'published' AND published_at IS NULL THEN \(now) ELSE published_at END,
                    version = version + 1, updated_at = \(now)
                WHERE tenant_id = \(tx.tenantID) AND id = \(id)
                RETURNING \(columns)
                """
            )
        )
        try await saveVersion(tx, article, editedBy: agent, note: note, at: now)
        return article
    }

    private static func saveVersion(_ tx: TenantTransaction, _ article: Article, editedBy: UUID, note: String?, at now: Date) async throws {
        try await tx.execute(
            """
            INSERT INTO kb_article_versions (tenant_id, article_id, version, title, body, category_tag_id, status, edited_by, note, created_at)
            VALUES (\(tx.tenantID), \(article.id), \(Int32(clamping: article.version)), \(article.title), \(article.body),
                    \(article.categoryTagId), \(article.status.rawValue), \(editedBy), \(note), \(now))
            """
        )
    }

    private static func requireCategory(_ tx: TenantTransaction, _ id: UUID?) async throws {
        guard let id else { return }
        if try await tx.queryFirst("SELECT 1 FROM tags WHERE tenant_id = \(tx.tenantID) AND id = \(id)") == nil {
            throw KefuError.invalidField("category_tag_id", "no such tag")
        }
    }
}
