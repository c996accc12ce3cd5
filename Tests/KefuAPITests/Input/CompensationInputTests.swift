import Foundation
import KefuCore
import KefuTestSupport
import XCTest

/// A resolution's compensation is checked field by field (found by API fuzzing: an empty note
/// and a currency with control characters were accepted or refused against the document).
final class CompensationInputTests: TicketTestCase {
    func testEachCompensationFieldHasItsRange() async throws {
        let created = try await intake(["customer": ["name": "Wu Lei"], "channel": "chat", "category": "fault", "description": "Broken"])
        let id = try require(created["id"]?.string)
        _ = try await act(id, "assign")
        let refused: [([String: Any], String)] = [
            (["kind": "coupon", "currency": "yuan"], "compensation.currency"),
            (["kind": "coupon", "note": "  "], "compensation.note"),
            (["kind": "coupon", "amount": 1_000_000_001], "compensation.amount"),
            (["kind": "coupon", "amount": -1], "compensation.amount"),
        ]
        for (compensation, field) in refused {
            let reply = try await act(id, "resolve", ["solution_summary": "Fixed", "compensation": compensation])
            XCTAssertEqual(reply.status, .unprocessableContent, reply.raw)
            XCTAssertEqual(reply["error"]?["field"]?.string, field, reply.raw)
        }
        let ticket = try await get("/v1/tickets/\(id)")
        XCTAssertEqual(ticket["status"]?.string, "assigned", "nothing was written")

        let resolved = try await act(
            id,
            "resolve",
            ["solution_summary": "Fixed", "compensation": ["kind": "coupon", "amount": 20, "currency": "CNY", "note": "Sorry"]]
        )
        XCTAssertEqual(resolved.status, .ok, resolved.raw)
        XCTAssertEqual(resolved["compensation"]?["currency"]?.string, "CNY")
        XCTAssertEqual(resolved["compensation"]?["note"]?.string, "Sorry")
    }
}
