import Foundation
import XCTest

@testable import KefuCore

/// The clock rules the worker hands to SQL say what the Swift rules say.
final class SLAClockRuleTests: XCTestCase {
    struct Rule: Decodable, Equatable {
        var clock: String
        var due: String
        var statuses: [String]
        var pauses: Bool
        var met_by: String?
    }

    func testTheDocumentTheWorkerSendsDescribesEveryClock() throws {
        let rules = try JSONDecoder().decode([Rule].self, from: Data(SLAClockRule.document.utf8))
        XCTAssertEqual(rules.map(\.clock), SLAClockRule.all.map(\.clock))
        XCTAssertEqual(TimerKind.slaClocks, SLAClockRule.all.map(\.clock))
        let open = TicketStatus.open.map(\.rawValue).sorted()
        let byClock = Dictionary(uniqueKeysWithValues: rules.map { ($0.clock, $0) })
        XCTAssertEqual(
            byClock["acknowledgement"],
            Rule(clock: "acknowledgement", due: "acknowledgement_due_at", statuses: open, pauses: false, met_by: "acknowledged_at")
        )
        XCTAssertEqual(
            byClock["channel_response"],
            Rule(clock: "channel_response", due: "channel_response_due_at", statuses: open, pauses: true, met_by: "first_response_at")
        )
        XCTAssertEqual(
            byClock["first_response"],
            Rule(clock: "first_response", due: "first_response_due_at", statuses: open, pauses: true, met_by: "first_response_at")
        )
        XCTAssertEqual(byClock["plan"], Rule(clock: "plan", due: "plan_due_at", statuses: open, pauses: true, met_by: "plan_at"))
        XCTAssertEqual(byClock["progress"], Rule(clock: "progress", due: "progress_due_at", statuses: open, pauses: true, met_by: nil))
        XCTAssertEqual(
            byClock["department"],
            Rule(clock: "department", due: "department_due_at", statuses: ["escalated"], pauses: false, met_by: nil)
        )
        XCTAssertEqual(byClock["resolution"], Rule(clock: "resolution", due: "resolution_due_at", statuses: open, pauses: false, met_by: nil))
    }
}
