import Foundation
import KefuAPI
import KefuCore
import KefuTestSupport
import XCTest

/// A cursor is checked field by field: one holding Int64.max microseconds used to trap the
/// process on every list endpoint.
final class CursorTests: TicketTestCase {
    /// base64url of `9223372036854775807|00000000-0000-0000-0000-000000000000`, the issue's reproducer.
    static let int64MaxCursor = "OTIyMzM3MjAzNjg1NDc3NTgwN3wwMDAwMDAwMC0wMDAwLTAwMDAtMDAwMC0wMDAwMDAwMDAwMDA"

    static func encode(_ text: String) -> String {
        Data(text.utf8).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    /// Every documented operation that takes `cursor`, with `{id}` filled in.
    func paginatedPaths(id: String) throws -> [String] {
        var paths: [String] = []
        var current: String?
        for line in try OpenAPIDocument.text().split(separator: "\n") {
            if line.hasPrefix("  /") && line.hasSuffix(":") { current = String(line.dropFirst(2).dropLast()) }
            if line.contains("parameters/cursor"), let path = current, !paths.contains(path) { paths.append(path) }
        }
        return paths.map { $0.replacingOccurrences(of: "{id}", with: id) }
    }

    func testABadCursorIs422OnEveryListEndpoint() async throws {
        let customer = try await intake(["customer": ["name": "A"], "channel": "chat", "category": "inquiry", "description": "x"])
        let customerID = try XCTUnwrap(customer["customer_id"]?.string, customer.raw)
        let paths = try paginatedPaths(id: customerID)
        XCTAssertGreaterThanOrEqual(paths.count, 8, "\(paths)")
        let zero = "00000000-0000-0000-0000-000000000000"
        let cursors = [
            Self.int64MaxCursor, Self.encode("-9223372036854775808|\(zero)"), Self.encode("-62135596800000000|\(zero)"),
            Self.encode("7258118400000000|\(zero)"), Self.encode("+1|\(zero)"), Self.encode("1|not-a-uuid"),
            Self.encode("1|\(zero)|x"), "!!!", String(repeating: "A", count: 4_000),
        ]
        for path in paths {
            for cursor in cursors {
                let reply = try await get("\(path)?cursor=\(cursor)")
                XCTAssertEqual(reply.status, .unprocessableContent, "\(path) \(cursor.prefix(40)): \(reply.raw)")
                XCTAssertEqual(reply.errorField, "cursor", path)
            }
            let fine = try await get("\(path)?cursor=\(Self.encode("1764000000000000|\(zero)"))")
            XCTAssertEqual(fine.status, .ok, "\(path): \(fine.raw)")
        }
    }
}
