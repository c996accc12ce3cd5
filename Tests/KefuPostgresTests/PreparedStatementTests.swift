import Foundation
import KefuTestSupport
import XCTest

@testable import KefuPostgres

/// Statements are prepared once per connection and reused; errors and schema changes behave as
/// they do for unnamed statements.
final class PreparedStatementTests: PostgresTestCase {
    private func preparedCount(_ connection: PostgresConnection, like pattern: String) async throws -> Int {
        try await connection.queryScalar(
            Int.self,
            """
            SELECT count(*)::int FROM pg_prepared_statements WHERE statement LIKE \(pattern)
            """
        ) ?? -1
    }

    func testAStatementIsPreparedOnceAndReused() async throws {
        let connection = try await PostgresConnection.connect(database.ownerConfiguration)
        addTeardownBlock { await connection.close() }
        for n in 1...5 {
            let value = try await connection.queryScalar(Int.self, "SELECT \(n) + 40 AS answer_marker")
            XCTAssertEqual(value, n + 40)
        }
        let count = try await preparedCount(connection, like: "%answer_marker%")
        XCTAssertEqual(count, 1, "five calls of one text share one prepared statement")
    }

    func testPrepareErrorsAreServerErrorsAndTheConnectionStaysUsable() async throws {
        let connection = try await PostgresConnection.connect(database.ownerConfiguration)
        addTeardownBlock { await connection.close() }
        do {
            _ = try await connection.query("SELECT * FROM no_such_table WHERE id = \(1)")
            XCTFail("expected an error")
        } catch let error as PostgresError {
            XCTAssertEqual(error.sqlState, "42P01")
            XCTAssertEqual(error.kind, .server)
        }
        let count = try await preparedCount(connection, like: "%no_such_table%")
        XCTAssertEqual(count, 0, "a failed prepare is not cached")
        let value = try await connection.queryScalar(Int.self, "SELECT \(7)")
        XCTAssertEqual(value, 7)
    }

    func testAPreparedStatementSeesSchemaChanges() async throws {
        let connection = try await PostgresConnection.connect(database.ownerConfiguration)
        addTeardownBlock { await connection.close() }
        try await connection.execute("CREATE TABLE notes (id int PRIMARY KEY, body text)")
        try await connection.execute("INSERT INTO notes VALUES (\(1), \("one"))")
        let before = try await connection.queryScalar(String.self, "SELECT body FROM notes WHERE id = \(1)")
        XCTAssertEqual(before, "one")
        try await connection.execute("ALTER TABLE notes ADD COLUMN extra int DEFAULT 3")
        try await connection.execute("CREATE INDEX notes_body_idx ON notes (body)")
        let after = try await connection.queryScalar(String.self, "SELECT body FROM notes WHERE id = \(1)")
        XCTAssertEqual(after, "one")
        let inserted = try await connection.execute("INSERT INTO notes VALUES (\(2), \("two"))")
        XCTAssertEqual(inserted, 1)
        let extra = try await connection.queryScalar(Int.self, "SELECT extra FROM notes WHERE id = \(2)")
        XCTAssertEqual(extra, 3)
    }

    func testTheCacheIsBounded() {
        var cache = PreparedStatementCache(capacity: 2)
        for n in 0..<2 {
            let name = cache.reserveName()
            XCTAssertNotNil(name)
            cache.insert(.init(sql: "SELECT \(n)", types: []), name: name!)
        }
        XCTAssertNil(cache.reserveName(), "a full cache sends new statements unnamed")
        XCTAssertEqual(cache.count, 2)
        XCTAssertNotNil(cache.name(for: .init(sql: "SELECT 1", types: [])))
        XCTAssertNil(cache.name(for: .init(sql: "SELECT 1", types: [25])), "parameter types are part of the key")
    }
}

/// Several statements in one round trip.
final class PipelineTests: PostgresTestCase {
    func testStatementsRunInOrderAndReturnTheirResults() async throws {
        try await pool.execute("CREATE TABLE items (id int PRIMARY KEY, label text NOT NULL)")
        let connection = try await PostgresConnection.connect(database.ownerConfiguration)
        addTeardownBlock { await connection.close() }
        for round in 0..<2 {  // the second round runs on statements prepared by the first
            let base = round * 10
            let results = try await connection.transaction { tx in
                try await tx.pipeline([
                    "INSERT INTO items VALUES (\(base + 1), \("一"))",
                    "INSERT INTO items VALUES (\(base + 2), \("two's"))",
                    "UPDATE items SET label = label || \("!") WHERE id = \(base + 1)",
                    "SELECT label FROM items WHERE id >= \(base) ORDER BY id",
                ])
            }
            XCTAssertEqual(results.map(\.affectedRows), [1, 1, 1, 2])
            XCTAssertEqual(try results[3].rows.map { try $0.decode(String.self, "label") }, ["一!", "two's"])
        }
        let prepared = try await connection.queryScalar(
            Int.self,
            "SELECT count(*)::int FROM pg_prepared_statements WHERE statement LIKE \("INSERT INTO items%")"
        )
        XCTAssertEqual(prepared, 1, "both inserts, in both rounds, use one prepared statement")
    }

    func testAFailingStatementThrowsAndNothingOfThePipelineStays() async throws {
        try await pool.execute("CREATE TABLE items (id int PRIMARY KEY, label text NOT NULL)")
        let connection = try await PostgresConnection.connect(database.ownerConfiguration)
        addTeardownBlock { await connection.close() }
        do {
            try await connection.transaction { tx in
                try await tx.pipeline([
                    "INSERT INTO items VALUES (\(1), \("kept?"))",
                    "INSERT INTO items VALUES (\(1), \("duplicate"))",
                    "INSERT INTO items VALUES (\(2), \("after the error"))",
                ])
            }
            XCTFail("expected a unique violation")
        } catch let error as PostgresError {
            XCTAssertTrue(error.isUniqueViolation, "\(error)")
        }
        XCTAssertFalse(connection.inTransaction)
        XCTAssertFalse(connection.isBroken)
        let count = try await connection.queryScalar(Int.self, "SELECT count(*)::int FROM items")
        XCTAssertEqual(count, 0, "the transaction was rolled back")
        let failedPrepare = try await connection.pipeline(["SELECT \(1)", "SELECT \(2) + 1"])
        XCTAssertEqual(try failedPrepare.map { try $0.rows[0].decode(Int.self, at: 0) }, [1, 3])
        do {
            _ = try await connection.pipeline(["SELECT \(1)", "SELECT * FROM missing_table WHERE id = \(1)", "SELECT \(3)"])
            XCTFail("expected an undefined table")
        } catch let error as PostgresError {
            XCTAssertEqual(error.sqlState, "42P01")
        }
        let prepared = try await connection.queryScalar(
            Int.self,
            "SELECT count(*)::int FROM pg_prepared_statements WHERE statement LIKE \("%missing_table%")"
        )
        XCTAssertEqual(prepared, 0, "a failed prepare is forgotten")
        let after = try await connection.queryScalar(Int.self, "SELECT \(5)")
        XCTAssertEqual(after, 5)
    }
}
