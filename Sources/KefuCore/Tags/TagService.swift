import Foundation
import KefuPostgres

/// A tenant's tag taxonomy: the whole tree, one tag, new tags, renames.
public struct TagService: Sendable {
    let database: TenantDatabase

    public init(database: TenantDatabase) {
        self.database = database
    }

    /// Every tag of the tenant, nested: top-level tags with their children and grandchildren.
    public func tree(_ tenantID: UUID) async throws -> [Tag] {
        try await database.transaction(tenantID, readOnly: true) { tx in try await TagStore.tree(tx).roots }
    }

    /// One tag with its path and subtree.
    public func get(_ tenantID: UUID, id: UUID) async throws -> Tag {
        try await database.transaction(tenantID, readOnly: true) { tx in
            guard let tag = try await TagStore.tree(tx).tag(id) else { throw KefuError.notFound("tag") }
            return tag
        }
    }

    /// Adds a tag one level below `parent_id` (or at level 1); a name is unique among its siblings.
    public func create(_ tenantID: UUID, _ input: NewTag) async throws -> Tag {
        let name = try Self.validName(input.name)
        return try await database.transaction(tenantID) { tx in
            var level = 1
            if let parentID = input.parentId {
                guard let parent = try await TagStore.row(tx, id: parentID) else {
                    throw KefuError.invalidField("parent_id", "no such tag")
                }
                guard parent.level < Tag.maximumLevel else {
                    throw KefuError.invalidField(
                        "parent_id",
                        "is a level-\(parent.level) tag; the taxonomy has at most \(Tag.maximumLevel) levels"
                    )
                }
                level = parent.level + 1
            }
            let id: UUID
            do {
                id = try require(
                    try await tx.queryScalar(
                        UUID.self,
                        """
                        INSERT INTO tags (tenant_id, parent_id, level, name) VALUES (\(tenantID), \(input.parentId), \(level), \(name))
                        RETURNING id
                        """
                    )
                )
            } catch let error as PostgresError where error.isUniqueViolation {
                throw Self.duplicate(name)
            }
            return try require(try await TagStore.tree(tx).tag(id))
        }
    }

    /// Renames a tag; the paths of its descendants follow.
    public func rename(_ tenantID: UUID, id: UUID, _ input: TagRename) async throws -> Tag {
        let name = try Self.validName(input.name)
        return try await database.transaction(tenantID) { tx in
            do {
                let renamed = try await tx.execute("UPDATE tags SET name = \(name) WHERE tenant_id = \(tenantID) AND id = \(id)")
                if renamed == 0 { throw KefuError.notFound("tag") }
            } catch let error as PostgresError where error.isUniqueViolation {
                throw Self.duplicate(name)
            }
            return try require(try await TagStore.tree(tx).tag(id))
        }
    }

    private static func validName(_ value: String) throws -> String {
        let name = try Validate.text(value, field: "name", maxLength: 100)
        guard !name.contains("›") else { throw KefuError.invalidField("name", "must not contain '›' (it separates levels in a path)") }
        return name
    }

    private static func duplicate(_ name: String) -> KefuError {
        KefuError.conflict("a tag named \(name) already exists at this place in the taxonomy")
    }
}
