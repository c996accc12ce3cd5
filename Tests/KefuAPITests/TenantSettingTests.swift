import Foundation
import KefuCore
import KefuPostgres
import KefuTestSupport
import XCTest

/// Each tenant transaction is scoped with `SET LOCAL app.tenant_id = '<uuid>'` (SPEC §8: Citus
/// forwards SET LOCAL, not set_config), sent unprepared so the prepared-statement cache does not
/// grow with the number of tenants.
final class TenantSettingTests: APITestCase {
    func testEachTransactionSetsItsTenantLocallyWithoutAPreparedStatementPerTenant() async throws {
        let pool = ConnectionPool(database.appConfiguration, configuration: .init(maxConnections: 1))
        let tenants = TenantDatabase(pool: pool)
        var statementCounts: [Int] = []
        for _ in 0..<20 {
            let tenant = UUID()
            let setting = try await tenants.read(tenant, "SELECT current_setting('app.tenant_id')")
            XCTAssertEqual(try setting.first?.decode(String.self, at: 0), tenant.uuidString)
            let statements = try await tenants.read(tenant, "SELECT count(*) FROM pg_prepared_statements")
            statementCounts.append(try statements.first?.decode(Int.self, at: 0) ?? -1)
        }
        XCTAssertEqual(Set(statementCounts).count, 1, "prepared statements per tenant: \(statementCounts)")
        let tenantStatements = try await pool.queryScalar(
            Int.self,
            """
            SELECT count(*) FROM pg_prepared_statements
            WHERE statement LIKE '%set_config(''app.tenant_id''%' OR statement ILIKE 'SET LOCAL%'
            """
        )
        XCTAssertEqual(tenantStatements, 0, "the tenant is set by SET LOCAL text, not a prepared set_config")
        let afterwards = try await pool.queryScalar(String.self, "SELECT coalesce(current_setting('app.tenant_id', true), '')")
        XCTAssertEqual(afterwards, "", "the setting ends with its transaction")
        await pool.shutdown()
    }
}
