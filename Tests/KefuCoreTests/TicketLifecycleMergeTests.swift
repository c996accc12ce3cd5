import Foundation
import XCTest

@testable import KefuCore

/// `merge` without a database: the duplicate's whole change, and the target's.
final class TicketLifecycleMergeTests: XCTestCase {
    typealias F = LifecycleFixture

    func testMergeClosesTheDuplicateWithAPointerAndStopsEveryTimer() throws {
        let target = MergeTarget(id: UUID(), reference: "T-000043")
        let duplicate = F.ticket(.inProgress)
        let change = try F.apply(.merge(into: target), to: duplicate)
        XCTAssertEqual(change.ticket.status, .closed)
        XCTAssertEqual(change.ticket.closeReason, .merged)
        XCTAssertEqual(change.ticket.mergedInto, target.id)
        XCTAssertEqual(change.ticket.closedAt, F.now)
        XCTAssertNil(change.ticket.resolvedAt)
        XCTAssertEqual(change.timers.filter(\.running), [], "no clock runs and no archive is due")
        XCTAssertEqual(change.messages.map(\.visibility), [.internal, .public])
        XCTAssertEqual(change.messages.last?.author, .system)
        XCTAssertTrue(change.messages.last?.body.contains("T-000043") ?? false)
        XCTAssertEqual(change.events.first?.after?["merged_into"], .string(target.id.uuidString))
    }

    func testTheTargetOnlyRecordsTheDuplicate() {
        let target = F.ticket(.assigned)
        let duplicate = F.ticket(.new)
        let change = TicketChange.receivingMerge(of: duplicate, into: target, by: .agent(F.alice.id), at: F.now)
        XCTAssertEqual(change.ticket, target)
        XCTAssertEqual(change.eventKinds, ["merged_from"])
        XCTAssertTrue(change.timers.isEmpty, "its timers are left as they are")
        XCTAssertTrue(change.messages.isEmpty)
    }

    func testAnOrdinaryCloseSaysResolvedAndReopeningClearsTheReason() throws {
        let closed = try F.apply(.close, to: F.ticket(.resolved))
        XCTAssertEqual(closed.ticket.closeReason, .resolved)
        let merged = try F.apply(.merge(into: MergeTarget(id: UUID(), reference: "T-000043")), to: F.ticket(.assigned))
        let reopened = try F.apply(.secondHandling(LowRating(overall: 1, supervisors: [])), to: merged.ticket, by: .customer)
        XCTAssertNil(reopened.ticket.closeReason)
        XCTAssertNil(reopened.ticket.mergedInto)
    }
}
