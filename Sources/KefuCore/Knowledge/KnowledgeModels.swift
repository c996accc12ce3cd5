import Foundation

/// Where an article is in its life.
public enum ArticleStatus: String, Codable, Sendable, CaseIterable {
    case draft, published, archived
}

/// A knowledge-base article (Markdown body), at its current version.
public struct Article: Codable, Sendable, Equatable {
    public var id: UUID
    public var tenantId: UUID
    public var title: String
    public var body: String
    /// A node of the tenant's tag taxonomy.
    public var categoryTagId: UUID?
    public var status: ArticleStatus
    public var authorId: UUID?
    public var version: Int
    public var helpful: Int
    public var notHelpful: Int
    public var createdAt: Date
    public var updatedAt: Date
    public var publishedAt: Date?
}

/// One stored version of an article.
public struct ArticleVersion: Codable, Sendable, Equatable {
    public var version: Int
    public var title: String
    public var body: String
    public var categoryTagId: UUID?
    public var status: ArticleStatus
    public var editedBy: UUID?
    public var note: String?
    public var createdAt: Date
}

/// Input for a new article.
public struct NewArticle: Codable, Sendable {
    public var title: String
    public var body: String
    public var categoryTagId: UUID?
    public var status: String?
    public init(title: String, body: String, categoryTagId: UUID? = nil, status: String? = nil) {
        self.title = title
        self.body = body
        self.categoryTagId = categoryTagId
        self.status = status
    }
}

/// An edit: every field optional; each edit makes a new version.
public struct ArticleEdit: Codable, Sendable, PartialUpdate {
    public var title: String?
    public var body: String?
    public var categoryTagId: UUID?
    public var status: String?
    public var note: String?
    public init(title: String? = nil, body: String? = nil, categoryTagId: UUID? = nil, status: String? = nil, note: String? = nil) {
        self.title = title
        self.body = body
        self.categoryTagId = categoryTagId
        self.status = status
        self.note = note
    }
}

/// A search hit: the article, its rank and a highlighted snippet (`<mark>…</mark>`).
public struct ArticleHit: Codable, Sendable {
    public var article: Article
    public var rank: Double
    public var highlight: String
}

/// A published article intake suggests for a ticket (its id is stored on the ticket; its title
/// goes into the automatic reply).
struct ArticleSuggestion: Decodable, Sendable, Equatable {
    var id: UUID
    var title: String
}
