import Foundation
import KefuCLI
import KefuCore
import KefuPostgres
import KefuTestSupport
import XCTest

/// The operator CLI, run in-process against the test database with its output captured.
final class CLITests: CLITestCase {
    func testTenantCreateJSONGivesAWorkingKeyOnce() async throws {
        let text = try await kefu("tenant", "create", "--slug", "acme", "--name", "Acme Ltd", "--timezone", "Asia/Shanghai", "--json")
        let created = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
        let key = try require(created["api_key"]?.string)
        let tenantID = try require(created["tenant_id"]?.string)
        let principal = try await services.apiKeys.authenticate(key)
        XCTAssertEqual(principal.tenantID.uuidString, tenantID.uppercased())
        XCTAssertEqual(principal.role, .admin)
        let listed = try await kefu("tenant", "list")
        XCTAssertTrue(listed.contains("acme") && listed.contains("Asia/Shanghai"), listed)
        let keys = try await kefu("key", "list", "--tenant", "acme")
        XCTAssertFalse(keys.contains(String(key.dropFirst(12))), "listing never prints a key")
    }

    func testBadInputFailsClearlyAndWritesNothing() async throws {
        await XCTAssertThrowsErrorAsync(try await self.kefu("tenant", "create", "--slug", "Bad Slug", "--name", "X")) { error in
            XCTAssertTrue("\(error)".contains("slug"), "\(error)")
        }
        await XCTAssertThrowsErrorAsync(try await self.kefu("tenant", "create", "--slug", "acme", "--name", "X", "--timezone", "Nowhere/City"))
        try await kefu("tenant", "create", "--slug", "acme", "--name", "Acme")
        await XCTAssertThrowsErrorAsync(try await self.kefu("tenant", "create", "--slug", "acme", "--name", "Again")) { error in
            XCTAssertEqual(error as? KefuError, .conflict("a tenant with slug acme already exists"))
        }
        await XCTAssertThrowsErrorAsync(
            try await self.kefu("agent", "add", "--tenant", "acme", "--name", "X", "--email", "x@acme.cn", "--role", "boss")
        )
        await XCTAssertThrowsErrorAsync(try await self.kefu("tenant", "show", "nobody"))
        let tenants = try await ownerPool.queryScalar(Int.self, "SELECT count(*) FROM tenants")
        let agents = try await ownerPool.queryScalar(Int.self, "SELECT count(*) FROM agents")
        XCTAssertEqual(tenants, 1)
        XCTAssertEqual(agents, 1)
    }

    func testSuspendResumeExportAndConfirmedDelete() async throws {
        try await kefu("tenant", "create", "--slug", "acme", "--name", "Acme")
        try await kefu(
            "agent",
            "add",
            "--tenant",
            "acme",
            "--name",
            "Li Lei",
            "--email",
            "li@acme.cn",
            "--role",
            "supervisor",
            "--skills",
            "refund,billing"
        )
        let agents = try await kefu("agent", "list", "--tenant", "acme")
        XCTAssertTrue(agents.contains("li@acme.cn") && agents.contains("refund,billing"), agents)

        let suspended = try await kefu("tenant", "suspend", "acme", "--json")
        XCTAssertTrue(suspended.contains("\"suspended\""), suspended)
        try await kefu("tenant", "resume", "acme")
        let shown = try await kefu("tenant", "show", "acme")
        XCTAssertTrue(shown.contains("active"), shown)

        let export = try await kefu("tenant", "export", "acme")
        let document = try JSONDecoder().decode(JSONValue.self, from: Data(export.utf8))
        XCTAssertEqual(document["agents"]?.array?.count, 2)
        XCTAssertNil(document["api_keys"]?.array?.first?["key_hash"], "exports leave key hashes out")

        await XCTAssertThrowsErrorAsync(try await self.kefu("tenant", "delete", "acme", "--confirm", "acme-typo"))
        let stillThere = try await ownerPool.queryScalar(Int.self, "SELECT count(*) FROM tenants")
        XCTAssertEqual(stillThere, 1)
        try await kefu("tenant", "delete", "acme", "--confirm", "acme")
        let remaining = try await ownerPool.queryScalar(
            Int.self,
            "SELECT (SELECT count(*) FROM tenants) + (SELECT count(*) FROM agents) + (SELECT count(*) FROM api_keys)"
        )
        XCTAssertEqual(remaining, 0)
    }

    func testKeysAreCreatedForAnAgentAndRevoked() async throws {
        try await kefu("tenant", "create", "--slug", "acme", "--name", "Acme")
        try await kefu("agent", "add", "--tenant", "acme", "--name", "Li Lei", "--email", "li@acme.cn")
        let text = try await kefu("key", "create", "--tenant", "acme", "--agent", "li@acme.cn", "--name", "li laptop", "--json")
        let created = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
        let key = try require(created["api_key"]?.string)
        let keyID = try require(created["key"]?["id"]?.string)
        let role = try await services.apiKeys.authenticate(key).role
        XCTAssertEqual(role, .agent)
        try await kefu("key", "revoke", "--tenant", "acme", keyID)
        await XCTAssertThrowsErrorAsync(try await self.services.apiKeys.authenticate(key))
        await XCTAssertThrowsErrorAsync(try await self.kefu("key", "create", "--tenant", "acme", "--agent", "ghost@acme.cn", "--name", "x"))
    }

    func testMigrateStatusListsAppliedMigrations() async throws {
        let status = try await kefu("migrate", "--status", "--json")
        let entries = try JSONDecoder().decode(JSONValue.self, from: Data(status.utf8)).array ?? []
        XCTAssertGreaterThanOrEqual(entries.count, 2)
        XCTAssertTrue(entries.allSatisfy { $0["state"]?.string == "applied" })
        let applied = try await kefu("migrate")
        XCTAssertTrue(applied.contains("up to date"), applied)
    }
}

/// `XCTAssertThrowsError` for async expressions.
func XCTAssertThrowsErrorAsync<T>(
    _ expression: @autoclosure () async throws -> T,
    file: StaticString = #filePath,
    line: UInt = #line,
    _ handler: (any Error) -> Void = { _ in }
) async {
    do {
        _ = try await expression()
        XCTFail("expected an error", file: file, line: line)
    } catch {
        handler(error)
    }
}
