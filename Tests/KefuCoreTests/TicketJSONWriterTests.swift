import Foundation
import XCTest

@testable import KefuCore

/// `Ticket` and `Page` write their JSON by hand; the bytes must be those of their `Encodable`
/// conformance through the same encoder, field for field and in the same order.
final class TicketJSONWriterTests: XCTestCase {
    private let instant = Date(timeIntervalSince1970: 1_764_036_000.125)

    private func ticket(filled: Bool) -> Ticket {
        let later = instant.addingTimeInterval(3_600)
        return Ticket(
            id: UUID(),
            tenantId: UUID(),
            number: 123,
            reference: "T-000123",
            customerId: UUID(),
            contact: filled ? "wang@example.cn" : nil,
            channel: .webForm,
            subject: filled ? "退款 \"quoted\" / slash" : nil,
            description: "line one\nline two\t\\ 😀 \u{01}",
            attachments: filled ? ["files/a.png", "b \"c\""] : [],
            occurredAt: filled ? instant : nil,
            expectedResolutionAt: filled ? later : nil,
            expectedResolutionDefaulted: filled,
            category: .complaint,
            priority: .p1,
            slaSegment: filled ? .vip : nil,
            status: .waitingOnCustomer,
            skill: filled ? "refund" : nil,
            tier: filled ? .senior : nil,
            ownerId: filled ? UUID() : nil,
            firstOwnerId: filled ? UUID() : nil,
            departmentId: filled ? UUID() : nil,
            departmentDueAt: filled ? later : nil,
            tagIds: filled ? [UUID(), UUID()] : [],
            solutionSummary: filled ? "refunded" : nil,
            solutionOptions: filled ? ["retry", "refund"] : [],
            compensation: filled ? Compensation(kind: "coupon", amount: 12.5, currency: "CNY", note: nil) : nil,
            autoReply: filled ? "offline" : nil,
            humanAvailableAt: filled ? later : nil,
            reopenCount: filled ? 2 : 0,
            createdAt: instant,
            acknowledgedAt: filled ? instant : nil,
            assignedAt: filled ? later : nil,
            firstResponseAt: filled ? later : nil,
            planAt: filled ? later : nil,
            lastPublicUpdateAt: filled ? later : nil,
            resolvedAt: filled ? later : nil,
            closedAt: filled ? later : nil,
            archivedAt: filled ? later : nil,
            updatedAt: later,
            acknowledgementDueAt: filled ? later : nil,
            channelResponseDueAt: filled ? later : nil,
            firstResponseDueAt: filled ? later : nil,
            planDueAt: filled ? later : nil,
            progressDueAt: filled ? later : nil,
            resolutionDueAt: filled ? later : nil,
            slaPausedAt: filled ? later : nil,
            breached: filled,
            suggestedArticleIds: filled ? [UUID()] : []
        )
    }

    func testATicketWritesTheBytesOfItsEncodableConformance() throws {
        for filled in [true, false] {
            let value = ticket(filled: filled)
            let written = try CompactJSONEncoder().encode(value)
            XCTAssertEqual(
                String(decoding: written, as: UTF8.self),
                String(decoding: try CompactJSONEncoder().encodeTree(value), as: UTF8.self)
            )
            // And the document is Foundation's, key order aside.
            let ours = try JSONSerialization.jsonObject(with: Data(written)) as? NSDictionary
            let foundation = try JSONSerialization.jsonObject(with: KefuJSON.encoder().encode(value)) as? NSDictionary
            XCTAssertEqual(ours, foundation)
        }
    }

    func testAPageOfTicketsAndATicketInsideAnotherDocument() throws {
        for page in [Page(items: [ticket(filled: true), ticket(filled: false)], nextCursor: "abc"), Page(items: [], nextCursor: nil)] {
            XCTAssertEqual(
                String(decoding: try CompactJSONEncoder().encode(page), as: UTF8.self),
                String(decoding: try CompactJSONEncoder().encodeTree(page), as: UTF8.self)
            )
        }
        struct Wrapper: Encodable {
            var ticket: Ticket
            var created: Bool
        }
        let wrapped = Wrapper(ticket: ticket(filled: true), created: true)
        let ours = try JSONSerialization.jsonObject(with: Data(try CompactJSONEncoder().encode(wrapped))) as? NSDictionary
        let foundation = try JSONSerialization.jsonObject(with: KefuJSON.encoder().encode(wrapped)) as? NSDictionary
        XCTAssertEqual(ours, foundation)
    }
}
