import Foundation

/// A node of a tenant's three-level tag taxonomy (e.g. product usage › feature operation ›
/// payment error). Tickets carry level-3 (leaf) tags; reports roll up by level.
public struct Tag: Codable, Sendable, Equatable {
    /// The deepest level; tags at this level are the leaves tickets carry.
    public static let maximumLevel = 3
    /// Joins the names of a tag's ancestors and its own name in `path`.
    public static let pathSeparator = " › "

    public var id: UUID
    public var tenantId: UUID
    public var parentId: UUID?
    /// 1 for a top-level tag, `parent.level + 1` below it.
    public var level: Int
    public var name: String
    /// The names from the top level down to this tag, e.g. `product usage › feature operation › payment error`.
    public var path: String
    public var createdAt: Date
    /// The tags directly below this one, by name (each with its own children).
    public var children: [Tag]
}

/// Input for a new tag: a top-level tag without `parent_id`, otherwise one level below its parent.
public struct NewTag: Codable, Sendable {
    public var name: String
    public var parentId: UUID?

    public init(name: String, parentId: UUID? = nil) {
        self.name = name
        self.parentId = parentId
    }
}

/// A rename: the only change a tag takes (its place in the tree is fixed once tickets use it).
public struct TagRename: Codable, Sendable {
    public var name: String

    public init(name: String) {
        self.name = name
    }
}
