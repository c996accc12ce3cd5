import Foundation
import KefuPostgres
import KefuTestSupport
import XCTest

@testable import KefuCore

/// The API writes its JSON with `CompactJSONEncoder`; the documents must be the ones Foundation's
/// encoder writes with Kefu's conventions (the reference the rest of the code and the CLI use).
final class ResponseDocumentTests: TicketTestCase {
    private func object(_ data: Data) throws -> NSObject {
        try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? NSObject)
    }

    func testTicketsAndTheirEventsAreFoundationsDocuments() async throws {
        let mine = try await addAgent("Mine Ma")
        let key = try await keyFor(mine)
        let created = try await intake([
            "customer": ["name": "Wang \"Quote\" 王", "segment": "vip"], "channel": "chat", "category": "fault",
            "subject": "退款失败 / refund", "description": "line one\nline two\t\\ end", "attachments": ["files/a.png"],
        ])
        let id = try require(created["id"]?.string)
        _ = try await act(id, "respond", ["body": "we are on it"], as: key)
        let resolved = try await act(
            id,
            "resolve",
            [
                "solution_summary": "fixed", "solution_options": ["retry", "refund"],
                "compensation": ["kind": "coupon", "amount": 12.5, "currency": "CNY"],
            ],
            as: key
        )
        XCTAssertEqual(resolved.status, .ok, resolved.raw)

        let ticketID = try require(UUID(uuidString: id))
        let ticket = try await services.tickets.get(tenantID, id: ticketID)
        let api = try await get("/v1/tickets/\(id)")
        XCTAssertEqual(try object(Data(api.raw.utf8)), try object(KefuJSON.encoder().encode(ticket)), api.raw)

        // The hand-written row reader gives the value the by-name `Decodable` path gives.
        let row = try require(try await ownerPool.queryFirst("SELECT \(TicketStore.columns) FROM tickets t WHERE t.id = \(ticketID)"))
        XCTAssertEqual(row.columns.names, Ticket.columnNames)
        XCTAssertEqual(try Ticket(row: row), try row.decode(Ticket.self))
        XCTAssertEqual(try Ticket(row: row), ticket)
        XCTAssertNotNil(ticket.compensation)
        XCTAssertEqual(ticket.solutionOptions, ["retry", "refund"])
        // A row of another shape still decodes, through `Decodable`.
        let reordered = try require(
            try await ownerPool.queryFirst("SELECT \(TicketStore.columns), 1 AS extra FROM tickets t WHERE t.id = \(ticketID)")
        )
        XCTAssertEqual(try Ticket(row: reordered), ticket)

        let page = try await get("/v1/tickets?limit=10")
        let listed = try await services.tickets.list(tenantID, filter: TicketFilter(), page: PageRequest(limit: 10))
        XCTAssertEqual(try object(Data(page.raw.utf8)), try object(KefuJSON.encoder().encode(listed)), page.raw)

        let events = try await services.tickets.events(tenantID, ticketID: ticketID)
        XCTAssertGreaterThan(events.count, 3)
        let apiEvents = try await get("/v1/tickets/\(id)/events")
        struct Items: Encodable { var items: [TicketEvent] }
        XCTAssertEqual(try object(Data(apiEvents.raw.utf8)), try object(KefuJSON.encoder().encode(Items(items: events))), apiEvents.raw)
    }
}
