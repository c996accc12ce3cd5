import Foundation
import KefuPostgres

/// Reads tag rows inside a tenant transaction; shared by the tag service and ticket intake.
public enum TagStore {
    static let columns: PostgresQuery = "id, tenant_id, parent_id, level, name, created_at"

    /// Every tag of the tenant, as a tree.
    static func tree(_ tx: TenantTransaction) async throws -> TagTree {
        TagTree(try await tx.query(TagRow.self, "SELECT \(columns) FROM tags WHERE tenant_id = \(tx.tenantID)"))
    }

    static func row(_ tx: TenantTransaction, id: UUID) async throws -> TagRow? {
        try await tx.queryFirst(TagRow.self, "SELECT \(columns) FROM tags WHERE tenant_id = \(tx.tenantID) AND id = \(id)")
    }

    /// Throws `invalidField(field, …)` unless every id is an existing level-3 (leaf) tag of the
    /// transaction's tenant. Tickets carry only leaf tags.
    public static func requireLeaves(_ tx: TenantTransaction, _ ids: [UUID], field: String) async throws {
        guard !ids.isEmpty else { return }
        let unique = Array(Set(ids))
        let leaves = Set(
            try await tx.query(
                """
                SELECT id FROM tags WHERE tenant_id = \(tx.tenantID) AND id = ANY(\(unique)) AND level = \(Tag.maximumLevel)
                """
            ).map { try $0.decode(UUID.self, at: 0) }
        )
        if let missing = ids.first(where: { !leaves.contains($0) }) {
            throw KefuError.invalidField(field, "\(missing.uuidString.lowercased()) is not a level-\(Tag.maximumLevel) tag of this tenant")
        }
    }
}
