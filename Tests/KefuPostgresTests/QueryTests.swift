import KefuPostgres
import XCTest

final class QueryTests: XCTestCase {
    func testInterpolatedValuesBecomeBinds() {
        let name = "x'; DROP TABLE t; --"
        let query: PostgresQuery = "SELECT * FROM t WHERE a = \(name) AND b = \(42)"
        XCTAssertEqual(query.sql, "SELECT * FROM t WHERE a = $1 AND b = $2")
        XCTAssertEqual(query.binds, [.text(name), .text("42")])
        XCTAssertEqual(query.types, [.unknown, .int8])
    }

    func testAppendingRenumbersPlaceholders() {
        let filter: PostgresQuery = "status = \("open") AND priority = \("P1")"
        let query: PostgresQuery = "SELECT 1 FROM t WHERE tenant_id = \(7) AND \(filter) LIMIT \(10)"
        XCTAssertEqual(query.sql, "SELECT 1 FROM t WHERE tenant_id = $1 AND status = $2 AND priority = $3 LIMIT $4")
        XCTAssertEqual(query.binds.count, 4)
        let joined = PostgresQuery("a = \(1)") + " AND " + "b = \(2)"
        XCTAssertEqual(joined.sql, "a = $1 AND b = $2")
    }

    func testNilBindsAsNull() {
        let missing: Int? = nil
        let query: PostgresQuery = "SELECT \(missing)"
        XCTAssertEqual(query.binds, [.null])
        XCTAssertEqual(query.types, [.int8])
    }
}
