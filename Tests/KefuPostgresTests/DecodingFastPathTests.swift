import Foundation
import XCTest

@testable import KefuPostgres

final class DecodingFastPathTests: XCTestCase {
    func testUUIDsParseFromCanonicalTextInEitherCase() {
        let uuid = UUID()
        XCTAssertEqual(UUID(hexText: uuid.uuidString), uuid)
        XCTAssertEqual(UUID(hexText: uuid.uuidString.lowercased()), uuid)
        XCTAssertEqual(uuid.canonicalText, uuid.uuidString)
        let edge = UUID(uuid: (0, 1, 0x0A, 0xFF, 0x10, 0x9B, 0, 0, 0xC0, 0xDE, 0, 0, 0, 0, 0xAB, 0xCD))
        XCTAssertEqual(edge.canonicalText, edge.uuidString)
        for bad in [
            "", "not-a-uuid", String(uuid.uuidString.dropLast()), uuid.uuidString + "0",
            uuid.uuidString.replacingOccurrences(of: "-", with: ""), "g" + uuid.uuidString.dropFirst(),
            "0000000-00000-0000-0000-000000000000",
        ] {
            XCTAssertNil(UUID(hexText: bad), bad)
        }
        for _ in 0..<200 {
            let random = UUID()
            XCTAssertEqual(UUID(hexText: random.uuidString.lowercased()), random)
            var buffer = Array("x".utf8)
            random.writeCanonicalText(into: &buffer)
            XCTAssertEqual(String(decoding: buffer, as: UTF8.self), "x" + random.uuidString)
        }
        XCTAssertEqual(UUID(hexText: "FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF")?.uuidString, "FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF")
        XCTAssertNil(UUID(hexText: "FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFF\u{00E9}"), "a non-ASCII digit")
    }

    func testNullableColumnsReadByPosition() throws {
        let columns = PostgresColumns(names: ["a", "b"], types: [.uuid, .timestamptz])
        let id = UUID()
        let row = PostgresRow(columns: columns, values: [id.uuidString, nil])
        XCTAssertEqual(try row.decode(UUID?.self, at: 0), id)
        XCTAssertNil(try row.decode(Date?.self, at: 1))
        XCTAssertThrowsError(try row.decode(Date.self, at: 1), "NULL into a non-optional")
        XCTAssertThrowsError(try row.decode(Date?.self, at: 0), "a UUID is not a timestamp")
        XCTAssertThrowsError(try row.decode(Date?.self, at: 2), "out of range")
        var iso: [UInt8] = []
        PostgresTimestamp.writeISO8601(Date(timeIntervalSince1970: 1_764_036_000.125_9), into: &iso)
        XCTAssertEqual(String(decoding: iso, as: UTF8.self), "2025-11-25T02:00:00.125Z")
    }

    func testPropertyNamesOfColumns() {
        XCTAssertEqual(PostgresColumns.propertyName("first_owner_id"), "firstOwnerId")
        XCTAssertEqual(PostgresColumns.propertyName("id"), "id")
        XCTAssertEqual(PostgresColumns.propertyName("p1_minutes"), "p1Minutes")
        let columns = PostgresColumns(names: ["tag_ids", "tagIds", "x"], types: [.text, .text, .text])
        XCTAssertEqual(columns.indexByPropertyName["tagIds"], 0, "the first column of a name wins")
    }

    func testRowsDecodeByPropertyNameAndFallBackToSnakeCase() throws {
        struct Item: Decodable, Equatable {
            var firstOwnerId: UUID
            var customerID: String
            var note: String?
        }
        let owner = UUID()
        let columns = PostgresColumns(names: ["first_owner_id", "customer_i_d", "note"], types: [.uuid, .text, .text])
        let row = PostgresRow(columns: columns, values: [owner.uuidString.lowercased(), "c1", nil])
        XCTAssertEqual(try row.decode(Item.self), Item(firstOwnerId: owner, customerID: "c1", note: nil))
        let missing = PostgresRow(columns: PostgresColumns(names: ["first_owner_id"], types: [.uuid]), values: [owner.uuidString])
        XCTAssertThrowsError(try missing.decode(Item.self)) { error in
            XCTAssertTrue("\(error)".contains("customer_i_d"), "\(error)")
        }
    }

    func testTimestampsFormatAsPostgreSQLAndISO8601() {
        let instant = Date(timeIntervalSince1970: 1_764_083_540.123456)
        XCTAssertEqual(PostgresTimestamp.format(instant), "2025-11-25 15:12:20.123456+00")
        XCTAssertEqual(PostgresTimestamp.formatISO8601(instant), "2025-11-25T15:12:20.123Z")
        let before1970 = Date(timeIntervalSince1970: -0.5)
        XCTAssertEqual(PostgresTimestamp.format(before1970), "1969-12-31 23:59:59.500000+00")
        XCTAssertEqual(PostgresTimestamp.formatISO8601(before1970), "1969-12-31T23:59:59.500Z")
        XCTAssertEqual(PostgresTimestamp.formatISO8601(Date(timeIntervalSince1970: 0.0999)), "1970-01-01T00:00:00.099Z", "milliseconds are truncated")
        XCTAssertEqual(PostgresTimestamp.format(.distantFuture), "infinity")
        XCTAssertEqual(PostgresTimestamp.formatISO8601(.distantPast), "-infinity")
        let farFuture = Date(timeIntervalSince1970: 253_402_300_800)  // 10000-01-01
        XCTAssertEqual(PostgresTimestamp.format(farFuture), "10000-01-01 00:00:00.000000+00")
        XCTAssertEqual(
            PostgresTimestamp.parse(PostgresTimestamp.format(instant))?.timeIntervalSince1970 ?? 0,
            instant.timeIntervalSince1970,
            accuracy: 0.000001
        )
    }
}
