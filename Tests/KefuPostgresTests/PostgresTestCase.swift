import KefuPostgres
import KefuTestSupport
import XCTest

/// A test case with a fresh database of its own and a pool on it.
class PostgresTestCase: XCTestCase {
    var database: TestDatabase!
    var pool: ConnectionPool!

    override func setUp() async throws {
        database = try await TestCluster.shared.makeDatabase()
        pool = ConnectionPool(database.ownerConfiguration, configuration: .init(maxConnections: 4))
    }

    override func tearDown() async throws {
        await pool?.shutdown()
        await database?.drop()
    }
}
