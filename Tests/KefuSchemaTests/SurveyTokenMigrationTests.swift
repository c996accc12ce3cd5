import Foundation
import KefuPostgres
import KefuTestSupport
import XCTest

/// sql/018 hashes the plain survey tokens stored before it, archived tickets' surveys included.
final class SurveyTokenMigrationTests: XCTestCase {
    func testExistingPlainTokensAreHashedAndTheColumnDropped() async throws {
        let database = try await TestCluster.shared.makeDatabase(migrated: false)
        let all = try Migration.load(from: TestCluster.sqlDirectory)
        try await Migrator(database.ownerConfiguration, migrations: all.filter { $0.version < 18 }).migrate()
        let owner = ConnectionPool(database.ownerConfiguration, configuration: .init(maxConnections: 1))
        let tenant = UUID()
        let customer = UUID()
        let open = UUID()
        let archived = UUID()
        let openToken = "abcdefghijkmnopqrstuvwxyzABCDEFG"
        let archivedToken = "HJKLMNPQRSTUVWXYZ23456789abcdefg"
        do {
            _ = try await owner.execute("INSERT INTO tenants (id, slug, name) VALUES (\(tenant), 'legacy', 'Legacy Ltd')")
            _ = try await owner.execute(
                """
                INSERT INTO customers (tenant_id, id, name, first_seen_at) VALUES (\(tenant), \(customer), 'Old Customer', now())
                """
            )
            for (number, ticket, token) in [(1, open, openToken), (2, archived, archivedToken)] {
                _ = try await owner.execute(
                    """
                    INSERT INTO tickets (tenant_id, id, number, customer_id, channel, description, category, priority, status,
                                         created_at, updated_at)
                    VALUES (\(tenant), \(ticket), \(number), \(customer), 'chat', 'old', 'inquiry', 'P3', 'resolved', now(), now())
                    """
                )
                _ = try await owner.execute(
                    """
                    INSERT INTO surveys (tenant_id, ticket_id, token, created_at, expires_at)
                    VALUES (\(tenant), \(ticket), \(token), now(), now() + interval '1 day')
                    """
                )
            }
            _ = try await owner.execute("UPDATE tickets SET status = 'archived', archived_at = now() WHERE id = \(archived)")

            try await Migrator(database.ownerConfiguration, migrations: all).migrate()

            for (ticket, token) in [(open, openToken), (archived, archivedToken)] {
                let stored = try await owner.queryScalar(String.self, "SELECT encode(token_hash, 'hex') FROM surveys WHERE ticket_id = \(ticket)")
                XCTAssertEqual(stored, SHA256.hex(Array(token.utf8)))
                let found = try await owner.queryScalar(
                    UUID.self,
                    "SELECT tenant_id FROM kefu_survey_tenant(\(Data(SHA256.hash(Array(token.utf8)))))"
                )
                XCTAssertEqual(found, tenant)
            }
            let plain = try await owner.queryScalar(
                Int.self,
                """
                SELECT count(*) FROM information_schema.columns WHERE table_name = 'surveys' AND column_name = 'token'
                """
            )
            XCTAssertEqual(plain, 0)
        } catch {
            await owner.shutdown()
            await database.drop()
            throw error
        }
        await owner.shutdown()
        await database.drop()
    }
}
