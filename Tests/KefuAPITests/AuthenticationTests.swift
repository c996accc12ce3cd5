import Foundation
import KefuCore
import KefuPostgres
import KefuTestSupport
import XCTest

final class AuthenticationTests: APITestCase {
    func testKeysAreStoredOnlyAsHashes() async throws {
        let a = try await makeTenant("alpha")
        let secret = String(a.apiKey.dropFirst(5))
        let leaks = try await ownerPool.queryScalar(
            Int.self,
            """
            SELECT count(*) FROM api_keys k WHERE to_jsonb(k)::text LIKE '%' || \(secret) || '%'
            """
        )
        XCTAssertEqual(leaks, 0)
        let hashed = try await ownerPool.queryScalar(
            Int.self,
            """
            SELECT count(*) FROM api_keys WHERE key_hash = digest(\(a.apiKey), 'sha256')
            """
        )
        XCTAssertEqual(hashed, 1, "the stored hash is SHA-256 of the key")
    }

    func testMissingMalformedUnknownAndRevokedKeysAreRefused() async throws {
        let a = try await makeTenant("alpha")
        let other = try await services.apiKeys.create(a.tenant.id, agentID: a.admin.id, name: "to revoke")
        try await withAPI { api in
            let none = try await api.get("/v1/me", key: nil)
            XCTAssertEqual(none.status, .unauthorized)
            XCTAssertEqual(none.errorCode, "unauthorized")
            let unknown = try await api.get("/v1/me", key: "kefu_" + String(repeating: "x", count: 40))
            XCTAssertEqual(unknown.status, .unauthorized)
            let garbage = try await api.get("/v1/me", key: "not-a-key")
            XCTAssertEqual(garbage.status, .unauthorized)
            let value1 = try await api.get("/v1/me", key: other.apiKey).status
            XCTAssertEqual(value1, .ok)
            let revoked = try await api.delete("/v1/api-keys/\(other.key.id)", key: a.apiKey)
            XCTAssertEqual(revoked.status, .ok)
            XCTAssertNotNil(revoked["revoked_at"]?.string)
            let value2 = try await api.get("/v1/me", key: other.apiKey).status
            XCTAssertEqual(value2, .unauthorized)
            let value3 = try await api.get("/v1/me", key: a.apiKey).status
            XCTAssertEqual(value3, .ok)
        }
    }

    func testSuspendedTenantIsRefusedUntilResumed() async throws {
        let a = try await makeTenant("alpha")
        let admin = TenantAdminService(ownerPool: ownerPool)
        _ = try await admin.setStatus(slug: "alpha", .suspended)
        try await withAPI { api in
            let refused = try await api.get("/v1/me", key: a.apiKey)
            XCTAssertEqual(refused.status, .forbidden)
            XCTAssertEqual(refused.errorCode, "tenant_suspended")
        }
        _ = try await admin.setStatus(slug: "alpha", .active)
        try await withAPI { api in
            let value4 = try await api.get("/v1/me", key: a.apiKey).status
            XCTAssertEqual(value4, .ok)
        }
        let agents = try await ownerPool.queryScalar(Int.self, "SELECT count(*) FROM agents WHERE tenant_id = \(a.tenant.id)")
        XCTAssertEqual(agents, 1, "suspension deletes nothing")
    }

    func testLastUseIsRecorded() async throws {
        let a = try await makeTenant("alpha")
        try await withAPI { api in _ = try await api.get("/v1/me", key: a.apiKey) }
        let used = try await ownerPool.queryScalar(Bool.self, "SELECT last_used_at IS NOT NULL FROM api_keys WHERE tenant_id = \(a.tenant.id)")
        XCTAssertEqual(used, true)
    }

    func testRolesAreEnforced() async throws {
        let a = try await makeTenant("alpha")
        let agent = try await services.agents.create(a.tenant.id, NewAgent(name: "Zhang San", email: "zs@alpha.cn", role: "agent"))
        let supervisor = try await services.agents.create(a.tenant.id, NewAgent(name: "Boss", email: "boss@alpha.cn", role: "supervisor"))
        let agentKey = try await services.apiKeys.create(a.tenant.id, agentID: agent.id, name: "agent").apiKey
        let supervisorKey = try await services.apiKeys.create(a.tenant.id, agentID: supervisor.id, name: "sup").apiKey
        try await withAPI { api in
            let create = try await api.post("/v1/agents", key: agentKey, json(["name": "X", "email": "x@alpha.cn", "role": "agent"]))
            XCTAssertEqual(create.status, .forbidden)
            let value5 = try await api.get("/v1/api-keys", key: agentKey).status
            XCTAssertEqual(value5, .forbidden)
            let value6 = try await api.patch("/v1/settings", key: supervisorKey, json(["name": "X"])).status
            XCTAssertEqual(value6, .forbidden)
            // Agents set their own duty status, not others'; supervisors set anyone's; profiles are admin-only.
            let value7 = try await api.patch("/v1/agents/\(agent.id)", key: agentKey, json(["duty_status": "away"])).status
            XCTAssertEqual(value7, .ok)
            let value8 = try await api.patch("/v1/agents/\(supervisor.id)", key: agentKey, json(["duty_status": "away"])).status
            XCTAssertEqual(value8, .forbidden)
            let value9 = try await api.patch("/v1/agents/\(agent.id)", key: supervisorKey, json(["duty_status": "reserve"])).status
            XCTAssertEqual(value9, .ok)
            let value10 = try await api.patch("/v1/agents/\(agent.id)", key: supervisorKey, json(["tier": "senior"])).status
            XCTAssertEqual(value10, .forbidden)
        }
        let duty = try await ownerPool.queryScalar(String.self, "SELECT duty_status FROM agents WHERE id = \(agent.id)")
        XCTAssertEqual(duty, "reserve")
    }
}
