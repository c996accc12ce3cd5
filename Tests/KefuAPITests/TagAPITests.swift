import Foundation
import Hummingbird
import KefuCore
import KefuPostgres
import KefuTestSupport
import XCTest

final class TagAPITests: APITestCase {
    func testThreeLevelTaxonomyIsReturnedAsATreeWithPaths() async throws {
        let a = try await makeTenant("alpha")
        let owner = ownerPool!
        try await withAPI { api in
            let usage = try await api.post("/v1/tags", key: a.apiKey, json(["name": "product usage"]))
            XCTAssertEqual(usage.status, .created, usage.raw)
            XCTAssertEqual(usage["level"]?.number, 1)
            XCTAssertEqual(usage["path"]?.string, "product usage")
            let usageID = try require(usage["id"]?.string)
            let operation = try await api.post("/v1/tags", key: a.apiKey, json(["name": "feature operation", "parent_id": usageID]))
            XCTAssertEqual(operation["level"]?.number, 2)
            let operationID = try require(operation["id"]?.string)
            let payment = try await api.post("/v1/tags", key: a.apiKey, json(["name": "payment error", "parent_id": operationID]))
            XCTAssertEqual(payment.status, .created, payment.raw)
            XCTAssertEqual(payment["level"]?.number, 3)
            XCTAssertEqual(payment["path"]?.string, "product usage › feature operation › payment error")
            XCTAssertEqual(payment["parent_id"]?.string?.lowercased(), operationID.lowercased())
            let paymentID = try require(payment["id"]?.string)
            _ = try await api.post("/v1/tags", key: a.apiKey, json(["name": "login error", "parent_id": operationID]))
            _ = try await api.post("/v1/tags", key: a.apiKey, json(["name": "账单"]))

            let tree = try await api.get("/v1/tags", key: a.apiKey)
            XCTAssertEqual(tree.status, .ok)
            let roots = tree["items"]?.array ?? []
            XCTAssertEqual(roots.compactMap { $0["name"]?.string }, ["product usage", "账单"])
            let middle = roots.first?["children"]?.array?.first
            XCTAssertEqual(middle?["path"]?.string, "product usage › feature operation")
            let leaves = middle?["children"]?.array ?? []
            XCTAssertEqual(leaves.compactMap { $0["name"]?.string }, ["login error", "payment error"], "siblings by name")
            XCTAssertEqual(
                leaves.compactMap { $0["path"]?.string },
                ["product usage › feature operation › login error", "product usage › feature operation › payment error"]
            )
            XCTAssertEqual(leaves.first?["children"]?.array?.count, 0)

            let leaf = try await api.get("/v1/tags/\(paymentID)", key: a.apiKey)
            XCTAssertEqual(leaf["path"]?.string, "product usage › feature operation › payment error")
            let subtree = try await api.get("/v1/tags/\(operationID)", key: a.apiKey)
            XCTAssertEqual(subtree["children"]?.array?.count, 2)

            let stored = try await owner.queryFirst(
                """
                SELECT t.level, t.name, p.name AS parent FROM tags t JOIN tags p ON p.tenant_id = t.tenant_id AND p.id = t.parent_id
                WHERE t.id = \(try require(UUID(uuidString: paymentID)))
                """
            )
            XCTAssertEqual(try stored?.decode(Int.self, "level"), 3)
            XCTAssertEqual(try stored?.decode(String.self, "parent"), "feature operation")
        }
    }

    func testAFourthLevelAndDuplicateSiblingsAreRefusedAndWriteNothing() async throws {
        let a = try await makeTenant("alpha")
        let usage = try await services.tags.create(a.tenant.id, NewTag(name: "product usage"))
        let operation = try await services.tags.create(a.tenant.id, NewTag(name: "feature operation", parentId: usage.id))
        let payment = try await services.tags.create(a.tenant.id, NewTag(name: "payment error", parentId: operation.id))
        let owner = ownerPool!
        try await withAPI { api in
            let fourth = try await api.post("/v1/tags", key: a.apiKey, json(["name": "card declined", "parent_id": payment.id.uuidString]))
            XCTAssertEqual(fourth.status, .unprocessableContent, fourth.raw)
            XCTAssertEqual(fourth.errorField, "parent_id")
            let unknownParent = try await api.post("/v1/tags", key: a.apiKey, json(["name": "x", "parent_id": UUID().uuidString]))
            XCTAssertEqual(unknownParent.status, .unprocessableContent)
            XCTAssertEqual(unknownParent.errorField, "parent_id")
            for (body, field) in [
                (["name": "  "], "name"), (["name": "a › b"], "name"), (["parent_id": usage.id.uuidString], "name"),
                (["name": String(repeating: "x", count: 101)], "name"), (["name": "x", "parent_id": "nope"], "parent_id"),
            ] {
                let reply = try await api.post("/v1/tags", key: a.apiKey, json(body))
                XCTAssertEqual(reply.status, .unprocessableContent, reply.raw)
                XCTAssertEqual(reply.errorField, field, reply.raw)
            }

            let duplicateLeaf = try await api.post("/v1/tags", key: a.apiKey, json(["name": "payment error", "parent_id": operation.id.uuidString]))
            XCTAssertEqual(duplicateLeaf.status, .conflict, duplicateLeaf.raw)
            XCTAssertEqual(duplicateLeaf.errorCode, "conflict")
            let duplicateRoot = try await api.post("/v1/tags", key: a.apiKey, json(["name": "product usage"]))
            XCTAssertEqual(duplicateRoot.status, .conflict, "top-level names are unique too")
            // The same name elsewhere in the tree is a different tag.
            let elsewhere = try await api.post("/v1/tags", key: a.apiKey, json(["name": "payment error", "parent_id": usage.id.uuidString]))
            XCTAssertEqual(elsewhere.status, .created, elsewhere.raw)
        }
        let count = try await owner.queryScalar(Int.self, "SELECT count(*) FROM tags")
        XCTAssertEqual(count, 4, "only the three arranged tags and the one valid create exist")
    }

    func testRenamingATagMovesItsDescendantsPaths() async throws {
        let a = try await makeTenant("alpha")
        let usage = try await services.tags.create(a.tenant.id, NewTag(name: "product usage"))
        let operation = try await services.tags.create(a.tenant.id, NewTag(name: "feature operation", parentId: usage.id))
        let payment = try await services.tags.create(a.tenant.id, NewTag(name: "payment error", parentId: operation.id))
        _ = try await services.tags.create(a.tenant.id, NewTag(name: "account", parentId: usage.id))
        let owner = ownerPool!
        try await withAPI { api in
            let renamed = try await api.patch("/v1/tags/\(operation.id)", key: a.apiKey, json(["name": "功能操作"]))
            XCTAssertEqual(renamed.status, .ok, renamed.raw)
            XCTAssertEqual(renamed["path"]?.string, "product usage › 功能操作")
            XCTAssertEqual(renamed["children"]?.array?.first?["path"]?.string, "product usage › 功能操作 › payment error")
            let leaf = try await api.get("/v1/tags/\(payment.id)", key: a.apiKey)
            XCTAssertEqual(leaf["path"]?.string, "product usage › 功能操作 › payment error")

            let clash = try await api.patch("/v1/tags/\(operation.id)", key: a.apiKey, json(["name": "account"]))
            XCTAssertEqual(clash.status, .conflict, clash.raw)
            let empty = try await api.patch("/v1/tags/\(operation.id)", key: a.apiKey, json(["name": ""]))
            XCTAssertEqual(empty.errorField, "name")
            let missing = try await api.patch("/v1/tags/\(UUID())", key: a.apiKey, json(["name": "x"]))
            XCTAssertEqual(missing.status, .notFound)
        }
        let name = try await owner.queryScalar(String.self, "SELECT name FROM tags WHERE id = \(operation.id)")
        XCTAssertEqual(name, "功能操作")
    }

    func testAnotherTenantsTagsAreNotFoundUnchangedAndUnusable() async throws {
        let a = try await makeTenant("alpha")
        let b = try await makeTenant("bravo")
        let usage = try await services.tags.create(a.tenant.id, NewTag(name: "product usage"))
        let owner = ownerPool!
        try await withAPI { api in
            let read = try await api.get("/v1/tags/\(usage.id)", key: b.apiKey)
            XCTAssertEqual(read.status, .notFound)
            let missing = try await api.get("/v1/tags/\(UUID())", key: b.apiKey)
            XCTAssertEqual(missing.raw, read.raw, "a foreign id must be indistinguishable from a missing one")
            let rename = try await api.patch("/v1/tags/\(usage.id)", key: b.apiKey, json(["name": "Hijacked"]))
            XCTAssertEqual(rename.status, .notFound)
            let child = try await api.post("/v1/tags", key: b.apiKey, json(["name": "smuggled", "parent_id": usage.id.uuidString]))
            XCTAssertEqual(child.status, .unprocessableContent)
            XCTAssertEqual(child.errorField, "parent_id")
            let tree = try await api.get("/v1/tags", key: b.apiKey)
            XCTAssertEqual(tree["items"]?.array?.count, 0)
            // Tenant B may use the same names for its own taxonomy.
            let own = try await api.post("/v1/tags", key: b.apiKey, json(["name": "product usage"]))
            XCTAssertEqual(own.status, .created)
        }
        let rows = try await owner.query("SELECT tenant_id, name FROM tags WHERE parent_id IS NOT NULL OR name = 'Hijacked'")
        XCTAssertEqual(rows.count, 0, "nothing was written below or over tenant A's tag")
        let name = try await owner.queryScalar(String.self, "SELECT name FROM tags WHERE id = \(usage.id)")
        XCTAssertEqual(name, "product usage")
    }

    func testAdminsAndSupervisorsManageTagsAndEveryoneReadsThem() async throws {
        let a = try await makeTenant("alpha")
        let agent = try await key(for: "agent", in: a)
        let qa = try await key(for: "qa", in: a)
        let supervisor = try await key(for: "supervisor", in: a)
        try await withAPI { api in
            let byAgent = try await api.post("/v1/tags", key: agent, json(["name": "by agent"]))
            XCTAssertEqual(byAgent.status, .forbidden)
            let byQA = try await api.post("/v1/tags", key: qa, json(["name": "by qa"]))
            XCTAssertEqual(byQA.status, .forbidden)
            let bySupervisor = try await api.post("/v1/tags", key: supervisor, json(["name": "billing"]))
            XCTAssertEqual(bySupervisor.status, .created)
            let id = try require(bySupervisor["id"]?.string)
            let agentRename = try await api.patch("/v1/tags/\(id)", key: agent, json(["name": "renamed"]))
            XCTAssertEqual(agentRename.status, .forbidden)
            let supervisorRename = try await api.patch("/v1/tags/\(id)", key: supervisor, json(["name": "payments"]))
            XCTAssertEqual(supervisorRename.status, .ok)
            let read = try await api.get("/v1/tags", key: qa)
            XCTAssertEqual(read["items"]?.array?.compactMap { $0["name"]?.string }, ["payments"])
            let value1 = try await api.get("/v1/tags/\(id)", key: agent).status
            XCTAssertEqual(value1, .ok)
        }
    }

    func testRequireLeavesAcceptsOnlyLevelThreeTagsOfTheTenant() async throws {
        let a = try await makeTenant("alpha")
        let b = try await makeTenant("bravo")
        let usage = try await services.tags.create(a.tenant.id, NewTag(name: "product usage"))
        let operation = try await services.tags.create(a.tenant.id, NewTag(name: "feature operation", parentId: usage.id))
        let payment = try await services.tags.create(a.tenant.id, NewTag(name: "payment error", parentId: operation.id))
        let login = try await services.tags.create(a.tenant.id, NewTag(name: "login error", parentId: operation.id))
        let bRoot = try await services.tags.create(b.tenant.id, NewTag(name: "product usage"))
        let bMiddle = try await services.tags.create(b.tenant.id, NewTag(name: "feature operation", parentId: bRoot.id))
        let bLeaf = try await services.tags.create(b.tenant.id, NewTag(name: "payment error", parentId: bMiddle.id))
        let database = services.database

        try await database.transaction(a.tenant.id) { tx in
            try await TagStore.requireLeaves(tx, [], field: "tag_ids")
            try await TagStore.requireLeaves(tx, [payment.id, login.id, payment.id], field: "tag_ids")
        }
        for ids in [[operation.id], [payment.id, usage.id], [bLeaf.id], [UUID()]] {
            do {
                try await database.transaction(a.tenant.id) { tx in try await TagStore.requireLeaves(tx, ids, field: "tag_ids") }
                XCTFail("\(ids) should be refused")
            } catch let error as KefuError {
                XCTAssertEqual(error.field, "tag_ids")
                XCTAssertEqual(error.code, .invalidField)
            }
        }
    }

    /// An API key of a new agent with `role`.
    private func key(for role: String, in tenant: TenantCreation) async throws -> String {
        let agent = try await services.agents.create(tenant.tenant.id, NewAgent(name: role, email: "\(role)@\(tenant.tenant.slug).cn", role: role))
        return try await services.apiKeys.create(tenant.tenant.id, agentID: agent.id, name: role).apiKey
    }
}
