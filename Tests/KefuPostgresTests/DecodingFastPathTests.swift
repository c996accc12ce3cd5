import Foundation
@testable import KefuPostgres
import XCTest

final class DecodingFastPathTests: XCTestCase {
    func testUUIDsParseFromCanonicalTextInEitherCase() {
        let uuid = UUID()
        XCTAssertEqual(UUID(hexText: uuid.uuidString), uuid)
        XCTAssertEqual(UUID(hexText: uuid.uuidString.lowercased()), uuid)
        for bad in ["", "not-a-uuid", String(uuid.uuidString.dropLast()), uuid.uuidString + "0",
                    uuid.uuidString.replacingOccurrences(of: "-", with: ""), "g" + uuid.uuidString.dropFirst(),
                    "0000000-00000-0000-0000-000000000000"] {
            XCTAssertNil(UUID(hexText: bad), bad)
        }
    }

    func testPropertyNamesOfColumns() {
        XCTAssertEqual(PostgresColumns.propertyName("first_owner_id"), "firstOwnerId")
        XCTAssertEqual(PostgresColumns.propertyName("id"), "id")
        XCTAssertEqual(PostgresColumns.propertyName("p1_minutes"), "p1Minutes")
        let columns = PostgresColumns(names: ["tag_ids", "tagIds", "x"], types: [.text, .text, .text])
        XCTAssertEqual(columns.indexByPropertyName["tagIds"], 0, "the first column of a name wins")
    }

    func testRowsDecodeByPropertyNameAndFallBackToSnakeCase() throws {
        struct Item: Decodable, Equatable { var firstOwnerId: UUID; var customerID: String; var note: String? }
        let owner = UUID()
        let columns = PostgresColumns(names: ["first_owner_id", "customer_i_d", "note"], types: [.uuid, .text, .text])
        let row = PostgresRow(columns: columns, values: [owner.uuidString.lowercased(), "c1", nil])
        XCTAssertEqual(try row.decode(Item.self), Item(firstOwnerId: owner, customerID: "c1", note: nil))
        let missing = PostgresRow(columns: PostgresColumns(names: ["first_owner_id"], types: [.uuid]), values: [owner.uuidString])
        XCTAssertThrowsError(try missing.decode(Item.self)) { error in
            XCTAssertTrue("\(error)".contains("customer_i_d"), "\(error)")
        }
    }
}
