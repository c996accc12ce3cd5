import Foundation
import KefuPostgres
import KefuTestSupport
import XCTest

/// A pipeline of typed statements answers each statement's value, in order, in one round trip;
/// a known value takes no place in it.
final class PostgresStatementTests: PostgresTestCase {
    struct Pair: Decodable, Equatable {
        var code: String
        var rank: Int
    }

    struct Missing: Error {}

    func testAPipelineAnswersEachStatementsValueInOrder() async throws {
        let connection = try await pool.acquire()
        defer { pool.release(connection) }
        let (one, pairs, known, first) = try await connection.transaction { tx in
            try await tx.pipelineAndCommit(
                ("SELECT 41 + 1" as PostgresQuery).decoding { try $0.rows[0].decode(Int.self, at: 0) },
                ("SELECT * FROM (VALUES ('b', 2), ('a', 1)) AS v(code, rank) ORDER BY rank" as PostgresQuery).rows(Pair.self),
                PostgresStatement.known("not sent"),
                ("SELECT 'x' AS code WHERE false" as PostgresQuery).firstRow()
            )
        }
        XCTAssertEqual(one, 42)
        XCTAssertEqual(pairs, [Pair(code: "a", rank: 1), Pair(code: "b", rank: 2)])
        XCTAssertEqual(known, "not sent")
        XCTAssertNil(first)
        XCTAssertFalse(connection.inTransaction)
    }

    func testMapAndMapErrorTransformTheDecodedValueAndItsError() async throws {
        let connection = try await pool.acquire()
        defer { pool.release(connection) }
        let doubled = ("SELECT 21" as PostgresQuery).decoding { try $0.rows[0].decode(Int.self, at: 0) }.map { $0 * 2 }
        let missing = ("SELECT 1 WHERE false" as PostgresQuery)
            .decoding { result -> Int in
                guard let row = result.rows.first else { throw Missing() }
                return try row.decode(Int.self, at: 0)
            }
            .mapError { _ in PostgresError(kind: .client, message: "no such row") }
        let value = try await connection.transaction { tx in try await tx.pipeline(doubled) }
        XCTAssertEqual(value, 42)
        do {
            _ = try await connection.transaction { tx in try await tx.pipeline(missing) }
            XCTFail("expected the mapped error")
        } catch let error as PostgresError {
            XCTAssertEqual(error.message, "no such row")
        }
        XCTAssertFalse(connection.inTransaction)
    }
}
