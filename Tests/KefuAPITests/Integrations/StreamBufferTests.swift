import Foundation
import KefuCore
import KefuRuntime
import KefuTestSupport
import XCTest

/// The live stream's bounds, through the service against real PostgreSQL: a stream never holds
/// more than its buffer, a client that takes nothing while events wait is cut off (and resumes
/// from its last event without a gap), and one that keeps taking catches up batch by batch.
final class StreamBufferTests: TicketTestCase {
    override func setUp() async throws {
        try await super.setUp()
        services = KefuServices(
            pool: appPool,
            clock: clock,
            streams: StreamSettings(heartbeat: .milliseconds(200), batchSize: 2, bufferLimit: 4)
        )
    }

    private func intakeTickets(_ count: Int) async throws {
        for n in 0..<count {
            let reply = try await intake([
                "customer": ["name": "Chen Jing"], "channel": "in_app", "category": "fault", "priority": "P3", "description": "第 \(n) 张",
            ])
            XCTAssertEqual(reply.status, .created, reply.raw)
        }
    }

    private func loggedCount() async throws -> Int {
        try await services.database.transaction(tenantID, readOnly: true) { tx in
            try await tx.queryScalar(Int.self, "SELECT count(*)::int8 FROM ticket_events WHERE tenant_id = \(tx.tenantID)") ?? 0
        }
    }

    private func events(_ items: [StreamItem]) -> [StreamEvent] {
        items.compactMap { if case .event(let event) = $0 { event } else { nil } }
    }

    func testAClientThatTakesNothingIsCutOffWithinItsBufferAndResumesWithoutAGap() async throws {
        let principal = try await services.apiKeys.authenticate(key)
        let stream = try await services.streams.subscribe(tenantID: tenantID, keyID: principal.keyID, after: nil)
        try await intakeTickets(4)
        try await Task.sleep(for: .milliseconds(900))  // several heartbeats while nothing is taken
        var received: [StreamEvent] = []
        while let items = await stream.next() { received += events(items) }
        let reason = await stream.endReason()
        XCTAssertEqual(reason, .tooSlow)
        XCTAssertLessThanOrEqual(received.count, 4, "never more than the buffer waits for a client")
        XCTAssertFalse(received.isEmpty)
        await stream.close()

        // Resuming from the last event it got gives exactly the rest, in order.
        let total = try await loggedCount()
        let resumed = try await services.streams.subscribe(tenantID: tenantID, keyID: principal.keyID, after: received.last?.position)
        var rest: [StreamEvent] = []
        while received.count + rest.count < total, let items = await resumed.next() { rest += events(items) }
        XCTAssertEqual(received.count + rest.count, total)
        let positions = (received + rest).map(\.position)
        XCTAssertEqual(positions, positions.sorted())
        XCTAssertEqual(Set(positions).count, total, "each event once")
        await resumed.close()
        let open = await services.streams.openStreams
        XCTAssertEqual(open, 0)
    }
}
