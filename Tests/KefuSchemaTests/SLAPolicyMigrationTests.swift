import Foundation
import KefuPostgres
import KefuTestSupport
import XCTest

/// sql/023 moves the per-priority targets a tenant had set in its settings into its SLA policies.
final class SLAPolicyMigrationTests: XCTestCase {
    func testTargetsSetInTheSettingsBecomeTheTenantsPolicies() async throws {
        let database = try await TestCluster.shared.makeDatabase(migrated: false)
        let all = try Migration.load(from: TestCluster.sqlDirectory)
        try await Migrator(database.ownerConfiguration, migrations: all.filter { $0.version < 23 }).migrate()
        let owner = ConnectionPool(database.ownerConfiguration, configuration: .init(maxConnections: 1))
        let customised = UUID()
        let untouched = UUID()
        do {
            _ = try await owner.execute(
                """
                INSERT INTO tenants (id, slug, name, settings) VALUES
                    (\(customised), 'custom', 'Custom Ltd',
                     '{"sla": {"first_response_minutes": {"p2": 20, "p3": 1e9}, "plan_minutes": {"p1": "soon"},
                               "progress_update_minutes": 90, "chat_first_response_seconds": 10}}'),
                    (\(untouched), 'plain', 'Plain Ltd', '{"auto_reply_enabled": false}')
                """
            )

            try await Migrator(database.ownerConfiguration, migrations: all).migrate()

            let rows = try await owner.query(
                """
                SELECT priority, segment, calendar, first_response_minutes, plan_minutes, progress_minutes, resolution_minutes
                FROM sla_policies WHERE tenant_id = \(customised) ORDER BY priority
                """
            )
            XCTAssertEqual(try rows.map { try $0.decode(String.self, "priority") }, ["P1", "P2", "P3", "P4"])
            XCTAssertEqual(try rows.map { try $0.decode(String?.self, "segment") }, [nil, nil, nil, nil])
            XCTAssertEqual(try rows.map { try $0.decode(String.self, "calendar") }, ["24x7", "business_hours", "business_hours", "business_hours"])
            XCTAssertEqual(
                try rows.map { try $0.decode(Int.self, "first_response_minutes") },
                [10, 20, 43_200, 1_440],
                "set values kept, out of range clamped, the rest as before"
            )
            XCTAssertEqual(try rows.map { try $0.decode(Int.self, "plan_minutes") }, [120, 240, 0, 0], "not a number: the old default")
            XCTAssertEqual(try rows.map { try $0.decode(Int.self, "progress_minutes") }, [90, 90, 90, 90])
            XCTAssertEqual(try rows.map { try $0.decode(Int.self, "resolution_minutes") }, [1_440, 1_080, 2_700, 5_400])
            let settings = try await owner.queryScalar(String.self, "SELECT (settings -> 'sla')::text FROM tenants WHERE id = \(customised)")
            XCTAssertEqual(settings, #"{"chat_first_response_seconds": 10}"#, "the moved keys are gone, the others stay")
            let plain = try await owner.queryScalar(Int.self, "SELECT count(*) FROM sla_policies WHERE tenant_id = \(untouched)")
            XCTAssertEqual(plain, 0, "a tenant that set nothing follows the defaults")
        } catch {
            await owner.shutdown()
            await database.drop()
            throw error
        }
        await owner.shutdown()
        await database.drop()
    }
}
