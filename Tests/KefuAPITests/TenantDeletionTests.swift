import Foundation
import KefuCore
import KefuPostgres
import KefuTestSupport
import XCTest

/// `kefu tenant delete` removes a tenant with a real history: tags on tickets, owner history,
/// archived (read-only) tickets — and nothing of any other tenant.
final class TenantDeletionTests: TicketTestCase {
    func testATenantWithTaggedAssignedAndArchivedTicketsIsDeletedCompletely() async throws {
        let agent = try await addAgent("Owner Ou")
        let agentKey = try await keyFor(agent)
        let root = try await services.tags.create(tenantID, NewTag(name: "billing"))
        let middle = try await services.tags.create(tenantID, NewTag(name: "refunds", parentId: root.id))
        let leaf = try await services.tags.create(tenantID, NewTag(name: "refund failed", parentId: middle.id))
        var ids: [String] = []
        for index in 0..<2 {
            let reply = try await intake([
                "customer": ["name": "Customer \(index)"], "channel": "chat", "category": "fault",
                "description": "退款 \(index)", "tag_ids": [leaf.id.uuidString],
            ])
            XCTAssertEqual(reply.status, .created, reply.raw)
            ids.append(try require(reply["id"]?.string))
        }
        _ = try await act(ids[0], "respond", ["body": "looking"], as: agentKey)
        let resolved = try await act(ids[0], "resolve", ["solution_summary": "refunded"], as: agentKey)
        XCTAssertEqual(resolved.status, .ok, resolved.raw)
        try await ownerPool.execute(
            """
            UPDATE tickets SET status = 'archived', archived_at = now() WHERE tenant_id = \(tenantID) AND id = \(try require(UUID(uuidString: ids[0])))
            """
        )
        let other = try await makeTenant("other")
        let otherBefore = try await rowsOf(other.tenant.id)
        XCTAssertGreaterThan(otherBefore, 0)

        try await TenantAdminService(ownerPool: ownerPool).delete(slug: "acme", confirm: "acme")
        let left = try await rowsOf(tenantID)
        XCTAssertEqual(left, 0, "every row of the deleted tenant is gone")
        let otherAfter = try await rowsOf(other.tenant.id)
        XCTAssertEqual(otherAfter, otherBefore, "the other tenant is untouched")
    }

    /// Rows of `tenant` in every table with a tenant_id column (found in the catalog), plus its tenants row.
    private func rowsOf(_ tenant: UUID) async throws -> Int {
        let tables = try await ownerPool.query(
            """
            SELECT c.table_name FROM information_schema.columns c
            JOIN information_schema.tables t USING (table_schema, table_name)
            WHERE c.table_schema = 'public' AND c.column_name = 'tenant_id' AND t.table_type = 'BASE TABLE'
            """
        ).map { try $0.decode(String.self, at: 0) }
        var total = try await ownerPool.queryScalar(Int.self, "SELECT count(*)::int FROM tenants WHERE id = \(tenant)") ?? 0
        for table in tables {
            // Table names come from the catalog, not from input.
            var count = PostgresQuery(unsafeSQL: "SELECT count(*)::int FROM \"\(table)\" WHERE tenant_id = ")
            count.append("\(tenant)")
            total += try await ownerPool.queryScalar(Int.self, count) ?? 0
        }
        return total
    }
}
