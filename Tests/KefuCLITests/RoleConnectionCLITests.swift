import Foundation
import KefuCLI
import KefuCore
import KefuPostgres
import KefuTestSupport
import XCTest

/// Owner credentials never reach the API or the worker unless explicitly allowed; the worker
/// has its own URL (`KEFU_WORKER_DATABASE_URL`, `kefu db url --worker`); failed timers are
/// listed by `kefu timers --failed`.
final class RoleConnectionCLITests: CLITestCase {
    private var ownerOnly: [String: String] {
        [
            "DATABASE_URL": database.ownerConfiguration.url(revealingPassword: true),
            "KEFU_SQL_DIR": TestCluster.sqlDirectory.path, "KEFU_LOG_LEVEL": "critical",
        ]
    }

    func testTheWorkerAndTheAPIRefuseOwnerCredentialsUnlessAllowed() async throws {
        CommandContext.environmentOverride = ownerOnly
        do {
            try await kefu("worker", "--once")
            XCTFail("the worker ran with the owner's credentials")
        } catch {
            XCTAssertTrue("\(error)".contains("KEFU_WORKER_DATABASE_URL"), "\(error)")
        }
        do {
            try await kefu("serve")
            XCTFail("the API served with the owner's credentials")
        } catch {
            XCTAssertTrue("\(error)".contains("KEFU_APP_DATABASE_URL"), "\(error)")
        }
        await XCTAssertThrowsErrorAsync(try await self.kefu("db", "url", "--worker"))

        CommandContext.environmentOverride = ownerOnly.merging(["KEFU_ALLOW_OWNER_CONNECTION": "1"]) { $1 }
        let swept = try JSONDecoder().decode(JSONValue.self, from: Data(try await kefu("worker", "--once", "--json").utf8))
        XCTAssertEqual(swept["failed"]?.number, 0, "allowed explicitly, it switches to kefu_worker and works")
    }

    func testDbURLPrintsTheWorkersOwnURL() async throws {
        let url = try await kefu("db", "url", "--worker")
        XCTAssertEqual(try PostgresConfiguration(url).user, "kefu_worker")
        let app = try await kefu("db", "url", "--app")
        XCTAssertEqual(try PostgresConfiguration(app).user, "kefu_app")
    }

    func testTimersFailedListsTheTimersTheWorkerGaveUpOn() async throws {
        try await kefu("tenant", "create", "--slug", "acme", "--name", "Acme")
        try await kefu("surge", "simulate", "--tenant", "acme", "--rate", "2", "--minutes", "1")
        try await ownerPool.execute(
            """
            UPDATE ticket_timers SET failures = 8, failed_at = now(), last_error = 'poisoned'
            WHERE (tenant_id, ticket_id) = (SELECT tenant_id, id FROM tickets WHERE number = 1) AND kind = 'sla:first_response'
            """
        )
        let failed = try JSONDecoder().decode(JSONValue.self, from: Data(try await kefu("timers", "--failed", "--json").utf8)).array ?? []
        XCTAssertEqual(failed.count, 1)
        XCTAssertEqual(failed.first?["tenant"]?.string, "acme")
        XCTAssertEqual(failed.first?["ticket"]?.string, "T-000001")
        XCTAssertEqual(failed.first?["failures"]?.number, 8)
        XCTAssertEqual(failed.first?["last_error"]?.string, "poisoned")
        let pending = try JSONDecoder().decode(JSONValue.self, from: Data(try await kefu("timers", "--json").utf8)).array ?? []
        XCTAssertEqual(pending.first { $0["kind"]?.string == "sla:first_response" }?["pending"]?.number, 1, "a failed timer is not pending")
        let table = try await kefu("timers", "--failed")
        XCTAssertTrue(table.contains("T-000001") && table.contains("poisoned"), table)
    }
}
