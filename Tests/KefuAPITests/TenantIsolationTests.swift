import Foundation
import KefuCore
import KefuPostgres
import KefuTestSupport
import XCTest

/// Tenant B's key must never see, change or learn of tenant A's data — checked through a live server.
final class TenantIsolationTests: APITestCase {
    func testTenantBCannotReadOrChangeTenantAData() async throws {
        let a = try await makeTenant("alpha")
        let b = try await makeTenant("bravo")
        let owner = ownerPool!
        try await withAPI(live: true) { api in
            let agent = try await api.post("/v1/agents", key: a.apiKey, json(["name": "A Agent", "email": "a@alpha.cn", "role": "agent"]))
            XCTAssertEqual(agent.status, .created)
            let agentID = try require(agent["id"]?.string)
            let department = try await api.post("/v1/departments", key: a.apiKey, json(["name": "Legal"]))
            let departmentID = try require(department["id"]?.string)
            let key = try await api.post("/v1/api-keys", key: a.apiKey, json(["name": "integration"]))
            let keyID = try require(key["key"]?["id"]?.string)

            // Reads of A's ids with B's key: 404, exactly like ids that do not exist.
            for path in ["/v1/agents/\(agentID)", "/v1/departments/\(departmentID)", "/v1/agents/\(a.admin.id)"] {
                let reply = try await api.get(path, key: b.apiKey)
                XCTAssertEqual(reply.status, .notFound, path)
                XCTAssertEqual(reply.errorCode, "not_found")
            }
            let missing = try await api.get("/v1/agents/\(UUID())", key: b.apiKey)
            let foreign = try await api.get("/v1/agents/\(agentID)", key: b.apiKey)
            XCTAssertEqual(missing.raw, foreign.raw, "a foreign id must be indistinguishable from a missing one")

            // Writes of A's ids with B's key: 404 and nothing changed.
            let patchAgent = try await api.patch("/v1/agents/\(agentID)", key: b.apiKey, json(["name": "Hijacked", "duty_status": "away"]))
            XCTAssertEqual(patchAgent.status, .notFound)
            let patchDepartment = try await api.patch("/v1/departments/\(departmentID)", key: b.apiKey, json(["name": "Hijacked"]))
            XCTAssertEqual(patchDepartment.status, .notFound)
            let revoke = try await api.delete("/v1/api-keys/\(keyID)", key: b.apiKey)
            XCTAssertEqual(revoke.status, .notFound)
            // Assigning A's department to B's agent is refused without revealing it exists.
            let crossLink = try await api.patch("/v1/agents/\(b.admin.id)", key: b.apiKey, json(["department_id": departmentID]))
            XCTAssertEqual(crossLink.status, .unprocessableContent)
            XCTAssertEqual(crossLink.errorField, "department_id")

            // Lists with B's key hold only B's rows.
            for path in ["/v1/agents", "/v1/departments", "/v1/api-keys"] {
                let list = try await api.get(path, key: b.apiKey)
                XCTAssertEqual(list.status, .ok)
                let tenants = Set((list["items"]?.array ?? []).compactMap { $0["tenant_id"]?.string?.lowercased() })
                XCTAssertTrue(tenants.isSubset(of: [b.tenant.id.uuidString.lowercased()]), path)
            }
            let me = try await api.get("/v1/me", key: b.apiKey)
            XCTAssertEqual(me["tenant"]?["slug"]?.string, "bravo")

            let stored = try await owner.queryFirst(
                """
                SELECT a.name, a.duty_status, d.name AS department, k.revoked_at IS NULL AS key_active
                FROM agents a, departments d, api_keys k
                WHERE a.id = \(try require(UUID(uuidString: agentID))) AND d.id = \(try require(UUID(uuidString: departmentID)))
                  AND k.id = \(try require(UUID(uuidString: keyID)))
                """
            )
            XCTAssertEqual(try stored?.decode(String.self, "name"), "A Agent")
            XCTAssertEqual(try stored?.decode(String.self, "duty_status"), "on_duty")
            XCTAssertEqual(try stored?.decode(String.self, "department"), "Legal")
            XCTAssertEqual(try stored?.decode(Bool.self, "key_active"), true)
        }
    }

    func testApplicationRoleSeesNothingWithoutATenantAndOnlyItsOwnWithOne() async throws {
        let a = try await makeTenant("alpha")
        let b = try await makeTenant("bravo")
        let tables = try await SchemaCatalog.tenantTables(ownerPool)
        XCTAssertTrue(tables.contains("agents") && tables.contains("api_keys"))
        let app = try await PostgresConnection.connect(database.appConfiguration)
        for table in tables {
            // Table names come from the catalog, not from input.
            let unscoped = try await app.queryScalar(Int.self, PostgresQuery(unsafeSQL: "SELECT count(*) FROM \(table)"))
            XCTAssertEqual(unscoped, 0, "\(table) is visible without app.tenant_id")
        }
        // Partitions are reached only through their parent (its policy and grants apply there).
        let partitions = try await SchemaCatalog.partitions(ownerPool)
        XCTAssertTrue(partitions.contains("ticket_events_default"))
        for partition in partitions {
            do {
                _ = try await app.queryScalar(Int.self, PostgresQuery(unsafeSQL: "SELECT count(*) FROM \(partition)"))
                XCTFail("\(partition) is readable directly")
            } catch let error as PostgresError {
                XCTAssertTrue(error.isInsufficientPrivilege, "\(partition): \(error)")
            }
        }
        try await app.transaction(setup: ["SELECT set_config('app.tenant_id', \(b.tenant.id.uuidString), true)"]) { tx in
            for table in tables {
                let column = table == "tenants" ? "id" : "tenant_id"
                let foreign = try await tx.queryScalar(
                    Int.self,
                    PostgresQuery(unsafeSQL: "SELECT count(*) FROM \(table) WHERE \(column) <> '\(b.tenant.id.uuidString)'")
                )
                XCTAssertEqual(foreign, 0, "\(table) leaks another tenant's rows")
            }
        }
        // Writing a row for tenant A while scoped to B violates the policy.
        do {
            try await app.transaction(setup: ["SELECT set_config('app.tenant_id', \(b.tenant.id.uuidString), true)"]) { tx in
                try await tx.execute("INSERT INTO departments (tenant_id, name) VALUES (\(a.tenant.id), 'Smuggled')")
            }
            XCTFail("expected a row-level security violation")
        } catch let error as PostgresError {
            XCTAssertTrue(error.isInsufficientPrivilege, "\(error)")
        }
        do {
            try await app.execute("TRUNCATE agents")
            XCTFail("the application role must not truncate")
        } catch let error as PostgresError {
            XCTAssertTrue(error.isInsufficientPrivilege)
        }
        await app.close()
        let count = try await ownerPool.queryScalar(Int.self, "SELECT count(*) FROM departments WHERE name = 'Smuggled'")
        XCTAssertEqual(count, 0)
    }
}

/// `TenantDatabase.read`: one statement with its BEGIN, tenant setting and COMMIT in one round trip.
final class SingleRoundTripReadTests: APITestCase {
    func testReadsAreConfinedToTheirTenantAndFailuresLeaveNoTransactionOpen() async throws {
        let a = try await makeTenant("alpha")
        let b = try await makeTenant("beta")
        let database = TenantDatabase(pool: appPool)
        let own = try await database.read(a.tenant.id, "SELECT count(*)::int AS n FROM agents")
        XCTAssertEqual(try own.rows[0].decode(Int.self, "n"), 1, "alpha sees its own admin")
        // No tenant filter in the SQL: row-level security alone keeps beta's rows out.
        let all = try await database.read(a.tenant.id, "SELECT count(*)::int AS n FROM agents WHERE tenant_id = \(b.tenant.id)")
        XCTAssertEqual(try all.rows[0].decode(Int.self, "n"), 0)
        do {
            _ = try await database.read(a.tenant.id, "INSERT INTO tags (tenant_id, name, level) VALUES (\(a.tenant.id), \("x"), \(1))")
            XCTFail("a read-only transaction must refuse writes")
        } catch let error as PostgresError {
            XCTAssertEqual(error.sqlState, "25006", "\(error)")
        }
        let opened = appPool.statistics.open
        for _ in 0..<3 {
            let again = try await database.read(b.tenant.id, "SELECT current_setting('app.tenant_id') AS tenant")
            XCTAssertEqual(try again.rows[0].decode(String.self, "tenant").uppercased(), b.tenant.id.uuidString)
        }
        XCTAssertEqual(appPool.statistics.open, opened, "the failed read's connection went back to the pool, not in a transaction")
        let outside = try await appPool.queryScalar(String.self, "SELECT coalesce(current_setting('app.tenant_id', true), '')")
        XCTAssertEqual(outside, "", "the tenant setting ended with the read's transaction")
    }

    func testAPlanningReadKeepsItsSettingToItsTransaction() async throws {
        let a = try await makeTenant("alpha")
        let database = TenantDatabase(pool: appPool)
        let generic = try await database.read(a.tenant.id, "SELECT current_setting('plan_cache_mode') AS mode", planning: .generic)
        XCTAssertEqual(try generic.rows[0].decode(String.self, "mode"), "force_generic_plan")
        let custom = try await database.read(a.tenant.id, "SELECT current_setting('plan_cache_mode') AS mode", planning: .custom)
        XCTAssertEqual(try custom.rows[0].decode(String.self, "mode"), "force_custom_plan")
        let plain = try await database.read(a.tenant.id, "SELECT current_setting('plan_cache_mode') AS mode")
        XCTAssertEqual(try plain.rows[0].decode(String.self, "mode"), "auto")
        let outside = try await appPool.queryScalar(String.self, "SELECT current_setting('plan_cache_mode')")
        XCTAssertEqual(outside, "auto")
    }
}
