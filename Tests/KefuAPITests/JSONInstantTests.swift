import Foundation
import KefuCore
import KefuPostgres
import KefuTestSupport
import XCTest

/// Events written by SQL (the worker's SLA batch) carry instants in the text the API writes:
/// `kefu_json_instant` (sql/012) must agree with `KefuJSON.format` to the character.
final class JSONInstantTests: APITestCase {
    func testSQLWritesInstantsAsTheAPIDoes() async throws {
        let instants = [
            Date(timeIntervalSince1970: 0), Date(timeIntervalSince1970: 1_764_037_800),
            Date(timeIntervalSince1970: 1_764_037_800.123), Date(timeIntervalSince1970: 1_764_037_800.9995),
            Date(timeIntervalSince1970: 7_258_118_399.999),
        ]
        for instant in instants {
            let written = try await ownerPool.queryScalar(String.self, "SELECT kefu_json_instant(\(instant))")
            XCTAssertEqual(written, KefuJSON.format(instant), "\(instant.timeIntervalSince1970)")
        }
    }
}
