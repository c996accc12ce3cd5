import Foundation

/// A tag as stored: no path, no children.
struct TagRow: Decodable, Sendable {
    var id: UUID
    var tenantId: UUID
    var parentId: UUID?
    var level: Int
    var name: String
    var createdAt: Date
}

/// Builds nested tags with their paths from a tenant's flat tag rows.
struct TagTree {
    private let rows: [UUID: TagRow]
    private let childrenByParent: [UUID?: [TagRow]]

    init(_ rows: [TagRow]) {
        self.rows = Dictionary(rows.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        self.childrenByParent = Dictionary(grouping: rows, by: \.parentId)
            .mapValues { $0.sorted { $0.name < $1.name } }
    }

    /// The top-level tags, each with its whole subtree.
    var roots: [Tag] {
        (childrenByParent[nil] ?? []).map { node($0, parentPath: nil) }
    }

    /// One tag with its subtree, or nil if the tenant has no such tag.
    func tag(_ id: UUID) -> Tag? {
        guard let row = rows[id] else { return nil }
        return node(row, parentPath: row.parentId.flatMap(path(of:)))
    }

    /// `a › b › c` for the tag with `id`.
    func path(of id: UUID) -> String? {
        var names: [String] = []
        var current = rows[id]
        // The level bound also stops a malformed cycle.
        while let row = current, names.count < Tag.maximumLevel {
            names.insert(row.name, at: 0)
            current = row.parentId.flatMap { rows[$0] }
        }
        return names.isEmpty ? nil : names.joined(separator: Tag.pathSeparator)
    }

    private func node(_ row: TagRow, parentPath: String?) -> Tag {
        let path = parentPath.map { $0 + Tag.pathSeparator + row.name } ?? row.name
        let children = row.level < Tag.maximumLevel ? (childrenByParent[row.id] ?? []) : []
        return Tag(
            id: row.id,
            tenantId: row.tenantId,
            parentId: row.parentId,
            level: row.level,
            name: row.name,
            path: path,
            createdAt: row.createdAt,
            children: children.map { node($0, parentPath: path) }
        )
    }
}
