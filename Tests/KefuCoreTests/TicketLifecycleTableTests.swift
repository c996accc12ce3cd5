import Foundation
import KefuCore
import XCTest

/// The transition table in docs/ARCHITECTURE.md is `TicketLifecycle.next`, not a copy that drifts.
final class TicketLifecycleTableTests: XCTestCase {
    func testTheArchitectureDocumentPrintsTheTransitionTable() throws {
        let docs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../docs/ARCHITECTURE.md")
        let text = try String(contentsOf: docs, encoding: .utf8)
        let table = TicketLifecycle.markdownTable()
        XCTAssertTrue(text.contains(table), "replace the table in docs/ARCHITECTURE.md with:\n\(table)")
    }

    func testTheTableShowsALowRatingReopeningAClosedTicket() {
        let row = TicketLifecycle.markdownTable().split(separator: "\n").first { $0.hasPrefix("| `second_handling`") }
        XCTAssertEqual(row, "| `second_handling` | 409 | 409 | 409 | 409 | 409 | `in_progress` | `in_progress` | 409 |")
    }
}
