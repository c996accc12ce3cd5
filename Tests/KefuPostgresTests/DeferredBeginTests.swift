import Foundation
import KefuPostgres
import KefuTestSupport
import XCTest

/// A transaction sends BEGIN and its setup with its first statement, and may send its last
/// statements with COMMIT; the outcome must be the same as with separate round trips.
final class DeferredBeginTests: PostgresTestCase {
    override func setUp() async throws {
        try await super.setUp()
        try await pool.connectionPoolSetup()
    }

    private func codes() async throws -> [String] {
        try await pool.query("SELECT code FROM parent ORDER BY code").map { try $0.decode(String.self, at: 0) }
    }

    func testSetupAndIsolationApplyToTheFirstStatementAndEndWithTheTransaction() async throws {
        let connection = try await pool.acquire()
        defer { pool.release(connection) }
        let inside = try await connection.transaction(
            isolation: .repeatableRead,
            readOnly: true,
            setup: ["SELECT set_config('kefu.test', 'on', true)"]
        ) { tx in
            try await tx.queryScalar(
                String.self,
                """
                SELECT current_setting('kefu.test') || ' ' || current_setting('transaction_isolation') || ' ' || current_setting('transaction_read_only')
                """
            )
        }
        XCTAssertEqual(inside, "on repeatable read on")
        let after = try await connection.run("SELECT current_setting('kefu.test', true)")
        XCTAssertEqual(try after.rows.first?.decode(String?.self, at: 0) ?? "", "", "set_config(…, true) is local to the transaction")
        XCTAssertFalse(connection.inTransaction)
    }

    func testABodyWithoutStatementsAndABodyThatThrowsFirstLeaveTheConnectionIdle() async throws {
        let connection = try await pool.acquire()
        defer { pool.release(connection) }
        let value = try await connection.transaction { _ in 42 }
        XCTAssertEqual(value, 42)
        XCTAssertFalse(connection.inTransaction)
        struct Refused: Error {}
        do {
            try await connection.transaction { _ in throw Refused() }
            XCTFail("expected the error")
        } catch is Refused {}
        XCTAssertFalse(connection.inTransaction)
        let one = try await connection.run("SELECT 1")
        XCTAssertEqual(one.rows.count, 1)
    }

    func testPipelineAndCommitCommitsOnceAndEndsTheTransaction() async throws {
        let connection = try await pool.acquire()
        defer { pool.release(connection) }
        let count = try await connection.transaction { tx in
            let results = try await tx.pipelineAndCommit([
                "INSERT INTO parent (id, code) VALUES (\(UUID()), 'one')",
                "INSERT INTO parent (id, code) VALUES (\(UUID()), 'two') RETURNING code",
            ])
            XCTAssertEqual(results.count, 2, "BEGIN, setup and COMMIT are not among the results")
            XCTAssertEqual(try results[1].rows.first?.decode(String.self, at: 0), "two")
            do {
                try await tx.execute("INSERT INTO parent (id, code) VALUES (\(UUID()), 'late')")
                XCTFail("a statement after the commit must be refused")
            } catch let error as PostgresError {
                XCTAssertEqual(error.kind, .client)
            }
            return results.count
        }
        XCTAssertEqual(count, 2)
        XCTAssertFalse(connection.inTransaction)
        let stored = try await codes()
        XCTAssertEqual(stored, ["one", "two"])
    }

    func testAFailureInTheCommittingPipelineStoresNothing() async throws {
        let duplicate = UUID()
        do {
            try await pool.transaction { tx in
                try await tx.execute("INSERT INTO parent (id, code) VALUES (\(UUID()), 'first')")
                try await tx.pipelineAndCommit([
                    "INSERT INTO parent (id, code) VALUES (\(duplicate), 'second')",
                    "INSERT INTO parent (id, code) VALUES (\(duplicate), 'third')",
                ])
            }
            XCTFail("expected a unique violation")
        } catch let error as PostgresError {
            XCTAssertTrue(error.isUniqueViolation, "\(error)")
        }
        let stored = try await codes()
        XCTAssertEqual(stored, [])
        // The pool's connections are still usable.
        try await pool.transaction { tx in try await tx.execute("INSERT INTO parent (id, code) VALUES (\(UUID()), 'after')") }
        let afterwards = try await codes()
        XCTAssertEqual(afterwards, ["after"])
    }
}
