import Foundation
import KefuPostgres
import KefuTestSupport
import XCTest

final class TypeRoundTripTests: PostgresTestCase {
    func testScalarsRoundTripIncludingNullUnicodeAndHostileText() async throws {
        try await pool.execute(
            """
            CREATE TABLE sample (
                id uuid PRIMARY KEY, label text, small int4, big int8, ratio float8, flag bool,
                at timestamptz, blob bytea, maybe text)
            """
        )
        let id = UUID()
        let hostile = "'; DROP TABLE sample; -- 退款失败 \"quoted\" \\ backslash"
        let at = Date(timeIntervalSince1970: 1_764_000_000.123456)
        let blob = Data([0, 1, 2, 255, 39, 92])
        let nothing: String? = nil
        let inserted = try await pool.execute(
            """
            INSERT INTO sample VALUES (\(id), \(hostile), \(Int32(-7)), \(Int64.max), \(3.25), \(true), \(at), \(blob), \(nothing))
            """
        )
        XCTAssertEqual(inserted, 1)

        let row = try require(try await pool.queryFirst("SELECT * FROM sample WHERE id = \(id)"))
        XCTAssertEqual(try row.decode(UUID.self, "id"), id)
        XCTAssertEqual(try row.decode(String.self, "label"), hostile)
        XCTAssertEqual(try row.decode(Int32.self, "small"), -7)
        XCTAssertEqual(try row.decode(Int64.self, "big"), Int64.max)
        XCTAssertEqual(try row.decode(Double.self, "ratio"), 3.25)
        XCTAssertEqual(try row.decode(Bool.self, "flag"), true)
        XCTAssertEqual(try row.decode(Date.self, "at").timeIntervalSince1970, at.timeIntervalSince1970, accuracy: 0.000001)
        XCTAssertEqual(try row.decode(Data.self, "blob"), blob)
        XCTAssertNil(try row.decode(String?.self, "maybe"))
        XCTAssertEqual(try row.decode(Int.self, at: 2), -7)
        // The table still exists: the hostile text was data, not SQL.
        let value1 = try await pool.queryScalar(Int.self, "SELECT count(*) FROM sample")
        XCTAssertEqual(value1, 1)
    }

    func testArraysRoundTrip() async throws {
        let texts = ["a", "b c", "引号\"", "back\\slash", "NULL", ""]
        let numbers = [1, -2, 3]
        let ids = [UUID(), UUID()]
        let row = try require(
            try await pool.queryFirst(
                "SELECT \(texts)::text[] AS texts, \(numbers)::int8[] AS numbers, \(ids)::uuid[] AS ids, '{}'::text[] AS empty"
            )
        )
        XCTAssertEqual(try row.decode([String].self, "texts"), texts)
        XCTAssertEqual(try row.decode([Int].self, "numbers"), numbers)
        XCTAssertEqual(try row.decode([UUID].self, "ids"), ids)
        XCTAssertEqual(try row.decode([String].self, "empty"), [])
    }

    struct Settings: Codable, Equatable, Sendable {
        var autoReply: Bool
        var targets: [String: Int]
        var note: String?
    }

    func testJSONRoundTrip() async throws {
        let settings = Settings(autoReply: true, targets: ["p1": 600], note: "客服")
        let row = try require(try await pool.queryFirst("SELECT \(json: settings) AS settings"))
        XCTAssertEqual(try row.decode(PostgresJSON<Settings>.self, "settings").value, settings)
        let raw = try row.decode(String.self, "settings")
        XCTAssertTrue(raw.contains("\"auto_reply\""), "stored with snake_case keys: \(raw)")
    }

    enum Status: String, Codable { case open, closed }

    struct Record: Decodable, Equatable {
        var id: UUID
        var displayName: String
        var status: Status
        var tags: [String]
        var score: Double?
        var settings: Settings
    }

    func testRowDecodesIntoStructBySnakeCaseColumns() async throws {
        let id = UUID()
        let settings = Settings(autoReply: false, targets: [:], note: nil)
        let record = try require(
            try await pool.queryFirst(
                Record.self,
                """
                SELECT \(id) AS id, 'Ann' AS display_name, 'closed' AS status, ARRAY['x','y'] AS tags,
                       NULL::float8 AS score, \(json: settings) AS settings
                """
            )
        )
        XCTAssertEqual(record, Record(id: id, displayName: "Ann", status: .closed, tags: ["x", "y"], score: nil, settings: settings))
    }

    func testTypeMismatchNamesTheColumn() async throws {
        let row = try require(try await pool.queryFirst("SELECT 'abc'::text AS word, NULL::int AS missing"))
        XCTAssertThrowsError(try row.decode(Int.self, "word")) { error in
            let error = error as? PostgresError
            XCTAssertEqual(error?.kind, .decoding)
            XCTAssertTrue(error?.message.contains("word") == true, "\(String(describing: error?.message))")
        }
        XCTAssertThrowsError(try row.decode(Int.self, "missing"))
        XCTAssertThrowsError(try row.decode(Int.self, "nope"))
        XCTAssertThrowsError(try row.decode(String.self, at: 9))
    }

    func testTimestampsAreExactToTheMicrosecond() async throws {
        for seconds in [0.0, 1_700_000_000.5, 1_764_000_000.000001, -86_400.25] {
            let date = Date(timeIntervalSince1970: seconds)
            let back = try await pool.queryScalar(Date.self, "SELECT \(date)::timestamptz")
            XCTAssertEqual(try XCTUnwrap(back).timeIntervalSince1970, seconds, accuracy: 0.000001)
        }
        XCTAssertEqual(
            PostgresTimestamp.parse("2026-11-25T15:32:20+08:00")?.timeIntervalSince1970,
            PostgresTimestamp.parse("2026-11-25 07:32:20+00")?.timeIntervalSince1970
        )
        XCTAssertNil(PostgresTimestamp.parse("2026-13-01 00:00:00"))
        XCTAssertNil(PostgresTimestamp.parse("yesterday"))
    }
}
