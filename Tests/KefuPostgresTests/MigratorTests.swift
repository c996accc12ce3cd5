import Foundation
import KefuPostgres
import KefuTestSupport
import XCTest

final class MigratorTests: XCTestCase {
    var database: TestDatabase!
    var directory: URL!

    override func setUp() async throws {
        database = try await TestCluster.shared.makeDatabase(migrated: false)
        directory = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("kefu-migrations-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try write("001_first.sql", "CREATE TABLE first (id int PRIMARY KEY); INSERT INTO first VALUES (1);")
        try write("002_second.sql", "CREATE TABLE second (id int PRIMARY KEY REFERENCES first (id)); INSERT INTO second VALUES (1);")
    }

    override func tearDown() async throws {
        await database?.drop()
        try? FileManager.default.removeItem(at: directory)
    }

    private func write(_ name: String, _ sql: String) throws {
        try sql.write(to: directory.appendingPathComponent(name), atomically: true, encoding: .utf8)
    }

    private func migrator() throws -> Migrator {
        Migrator(database.ownerConfiguration, migrations: try Migration.load(from: directory))
    }

    func testAppliesInOrderAndIsIdempotent() async throws {
        let applied = try await migrator().migrate()
        XCTAssertEqual(applied.map(\.version), [1, 2])
        let value1 = try await migrator().migrate()
        XCTAssertEqual(value1, [])
        let status = try await migrator().status()
        XCTAssertEqual(status.map(\.version), [1, 2])
        XCTAssertTrue(status.allSatisfy(\.isApplied))

        try write("003_third.sql", "ALTER TABLE first ADD COLUMN note text;")
        let value2 = try await migrator().status().last?.isApplied
        XCTAssertEqual(value2, false)
        let value3 = try await migrator().migrate().map(\.version)
        XCTAssertEqual(value3, [3])
    }

    func testRejectsAnEditedAppliedFile() async throws {
        try await migrator().migrate()
        try write("001_first.sql", "CREATE TABLE first (id bigint PRIMARY KEY);")
        do {
            try await migrator().migrate()
            XCTFail("expected a checksum mismatch")
        } catch let error as MigrationError {
            XCTAssertEqual(error, .checksumMismatch(version: 1, name: "first"))
        }
    }

    func testFailedMigrationLeavesNothingHalfApplied() async throws {
        try write("003_broken.sql", "CREATE TABLE third (id int); SELECT no_such_function();")
        do {
            try await migrator().migrate()
            XCTFail("expected the broken migration to fail")
        } catch let error as PostgresError {
            XCTAssertEqual(error.sqlState, "42883")
        }
        let pool = ConnectionPool(database.ownerConfiguration)
        defer { Task { await pool.shutdown() } }
        let value4 = try await pool.queryScalar(Int.self, "SELECT max(version) FROM schema_migrations")
        XCTAssertEqual(value4, 2)
        let value5 = try await pool.queryScalar(String.self, "SELECT to_regclass('third')::text")
        XCTAssertEqual(value5, nil)
    }

    func testConcurrentRunsApplyEachMigrationOnce() async throws {
        let migrations = try Migration.load(from: directory)
        let configuration = database.ownerConfiguration
        let counts = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<4 {
                group.addTask { try await Migrator(configuration, migrations: migrations).migrate().count }
            }
            var total: [Int] = []
            for try await count in group { total.append(count) }
            return total
        }
        XCTAssertEqual(counts.reduce(0, +), 2)
        let pool = ConnectionPool(configuration)
        defer { Task { await pool.shutdown() } }
        let value6 = try await pool.queryScalar(Int.self, "SELECT count(*) FROM first")
        XCTAssertEqual(value6, 1)
        let value7 = try await pool.queryScalar(Int.self, "SELECT count(*) FROM schema_migrations")
        XCTAssertEqual(value7, 2)
    }

    func testBadFileNamesAreRejected() throws {
        try write("create_things.sql", "SELECT 1;")
        XCTAssertThrowsError(try Migration.load(from: directory)) { error in
            XCTAssertEqual(error as? MigrationError, .badFileName("create_things.sql"))
        }
    }

    func testRepositoryMigrationsLoad() throws {
        let migrations = try Migration.load(from: TestCluster.sqlDirectory)
        XCTAssertEqual(migrations.first?.version, 1)
    }
}
