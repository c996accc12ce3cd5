import Foundation
import KefuCore
import KefuPostgres
import KefuRuntime
import KefuTestSupport
import XCTest

/// `GET /v1/stream` through the real HTTP server and a real SSE client: events arrive as they
/// commit, a resumed stream gets exactly what it missed, a transaction committing late is not
/// skipped, tenants and keys see only what they may, heartbeats, limits and a clean end.
final class LiveStreamTests: TicketTestCase {
    var server: LiveServer!

    override func setUp() async throws {
        try await super.setUp()
        services = KefuServices(pool: appPool, clock: clock, streams: StreamSettings(heartbeat: .milliseconds(300), maxPerKey: 3))
        server = try await LiveServer(services: services)
    }

    override func tearDown() async throws {
        await server?.stop()
        try await super.tearDown()
    }

    /// Opens the stream as `caller` and waits until it is connected.
    private func connect(
        key caller: String? = nil,
        query: String = "",
        headers: [String: String] = [:]
    ) async throws -> EventStreamClient {
        var all = headers
        all["Authorization"] = "Bearer \(caller ?? key)"
        let client = try await EventStreamClient("\(server.baseURL)/v1/stream\(query)", headers: all)
        addTeardownBlock { client.close() }
        if client.status == 200 {
            try await client.wait { $0.contains(.comment("connected")) }
        }
        return client
    }

    private func ticket(_ description: String, key caller: String? = nil) async throws -> String {
        let body = json([
            "customer": ["name": "Chen Jing"], "channel": "in_app", "category": "fault", "priority": "P2", "description": description,
        ])
        let created = try await withAPI { [key] api in try await api.post("/v1/tickets", key: caller ?? key, body) }
        XCTAssertEqual(created.status, .created, created.raw)
        return try require(created["id"]?.string)
    }

    /// The stream's events, decoded.
    private func events(_ client: EventStreamClient) -> [(id: String, type: String, event: JSONValue)] {
        EventStreamClient.events(client.frames).compactMap { event in
            guard let id = event.id, let type = event.name, type != "close",
                let value = try? JSONDecoder().decode(JSONValue.self, from: Data(event.data.utf8))
            else { return nil }
            return (id, type, value)
        }
    }

    /// The tenant's events in the log, as (ticket id, seq), in commit-safe stream order.
    private func logged(_ tenant: UUID) async throws -> [String] {
        try await services.database.transaction(tenant, readOnly: true) { tx in
            try await tx.query("SELECT id FROM ticket_events WHERE tenant_id = \(tenant) ORDER BY xid, seq")
                .map { try $0.decode(UUID.self, "id").uuidString.lowercased() }
        }
    }

    private func eventIDs(_ client: EventStreamClient) -> [String] {
        events(client).compactMap { $0.event["id"]?.string?.lowercased() }
    }

    func testAnIntakeAppearsOnAConnectedStream() async throws {
        let stream = try await connect()
        XCTAssertEqual(stream.status, 200)
        XCTAssertEqual(stream.contentType, "text/event-stream; charset=utf-8")
        let id = try await ticket("支付失败：银行卡状态异常")
        try await stream.wait { _ in self.events(stream).contains { $0.event["kind"]?.string == "created" } }
        let created = try require(events(stream).first { $0.event["kind"]?.string == "created" })
        XCTAssertEqual(created.type, "ticket.created")
        XCTAssertEqual(created.event["ticket_id"]?.string?.lowercased(), id.lowercased())
        XCTAssertNotNil(StreamPosition(created.id), "the SSE id is a stream position: \(created.id)")
        // The data is the event exactly as GET /v1/tickets/{id}/events returns it.
        let listed = try await get("/v1/tickets/\(id)/events")
        let first = try require(listed["items"]?.array?.first)
        XCTAssertEqual(created.event, first)
    }

    func testLastEventIDResumesWithExactlyTheMissedEvents() async throws {
        let first = try await connect()
        _ = try await ticket("第一张工单")
        try await first.wait { _ in !self.events(first).isEmpty }
        let seen = try await first.wait(timeout: .milliseconds(500)) { _ in false }
        let lastID = try require(EventStreamClient.events(seen).last?.id)
        let before = eventIDs(first)
        first.close()

        let missedTicket = try await ticket("第二张工单")
        _ = try await act(missedTicket, "assign", [:])
        _ = try await ticket("第三张工单")
        let all = try await logged(tenantID)
        let missed = Array(all.dropFirst(before.count))
        XCTAssertEqual(Array(all.prefix(before.count)), before)
        XCTAssertGreaterThanOrEqual(missed.count, 3)

        let byHeader = try await connect(headers: ["Last-Event-ID": lastID])
        try await byHeader.wait { _ in self.events(byHeader).count >= missed.count }
        try await byHeader.wait(timeout: .milliseconds(600)) { _ in false }
        XCTAssertEqual(eventIDs(byHeader), missed, "exactly the missed events, in order, each once")

        let byQuery = try await connect(query: "?last_event_id=\(lastID)")
        try await byQuery.wait { _ in self.events(byQuery).count >= missed.count }
        XCTAssertEqual(eventIDs(byQuery), missed)
    }

    func testAnEventWhoseTransactionCommitsLateIsNotSkipped() async throws {
        let ticketID = try await ticket("先开的事务")
        let stream = try await connect()
        let startCount = events(stream).count
        // A transaction writes an event first and commits last; meanwhile a later event commits.
        let lateID = try await services.database.transaction(tenantID) { tx -> String in
            let id = try await tx.queryScalar(
                UUID.self,
                """
                INSERT INTO ticket_events (tenant_id, ticket_id, actor_kind, kind, after, created_at)
                VALUES (\(tenantID), \(UUID(uuidString: ticketID)!), 'system', 'late_test', '{}', now()) RETURNING id
                """
            )
            _ = try await self.ticket("后提交的事务")
            // The later event is committed, but the stream holds it back behind the open transaction.
            try await stream.wait(timeout: .milliseconds(800)) { _ in self.events(stream).count > startCount }
            XCTAssertEqual(self.events(stream).count, startCount, "nothing is sent past a transaction still open")
            return try require(id).uuidString.lowercased()
        }
        let all = try await logged(tenantID)
        let expected = Array(all.drop { $0 != lateID })
        try await stream.wait { _ in self.eventIDs(stream).count >= expected.count }
        XCTAssertEqual(eventIDs(stream), expected, "the early-written, late-committed event first, then the later one")
        // A client resuming from the late event's id gets the rest, and from the last one nothing.
        let lateEvent = try require(events(stream).first { $0.event["id"]?.string?.lowercased() == lateID })
        let resumed = try await connect(headers: ["Last-Event-ID": lateEvent.id])
        try await resumed.wait { _ in self.eventIDs(resumed).count >= expected.count - 1 }
        XCTAssertEqual(eventIDs(resumed), Array(expected.dropFirst()))
    }

    func testTenantBNeverSeesTenantAsEvents() async throws {
        let other = try await makeTenant("globex")
        let streamA = try await connect()
        let streamB = try await connect(key: other.apiKey)
        let ticketA = try await ticket("Acme 的工单")
        let ticketB = try await ticket("Globex 的工单", key: other.apiKey)
        try await streamA.wait { _ in !self.events(streamA).isEmpty }
        try await streamB.wait { _ in !self.events(streamB).isEmpty }
        try await streamA.wait(timeout: .milliseconds(500)) { _ in false }
        XCTAssertEqual(Set(events(streamA).compactMap { $0.event["ticket_id"]?.string?.lowercased() }), [ticketA.lowercased()])
        XCTAssertEqual(Set(events(streamB).compactMap { $0.event["ticket_id"]?.string?.lowercased() }), [ticketB.lowercased()])
        let loggedB = try await logged(other.tenant.id)
        XCTAssertEqual(eventIDs(streamB), loggedB)
        // Tenant A's position does not open tenant B's log either: B's stream stays B's.
        let lastA = try require(events(streamA).last?.id)
        let resumedB = try await connect(key: other.apiKey, headers: ["Last-Event-ID": lastA])
        try await resumedB.wait(timeout: .milliseconds(500)) { _ in false }
        let logB = Set(try await logged(other.tenant.id))
        XCTAssertTrue(Set(eventIDs(resumedB)).isSubset(of: logB), "only tenant B's events")
    }

    func testOnlyKeysThatMayReadTicketEventsOpenTheStream() async throws {
        let gateway = try await keyFor(try await addAgent("Gateway WeChat", role: "integration"))
        let refused = try await EventStreamClient("\(server.baseURL)/v1/stream", headers: ["Authorization": "Bearer \(gateway)"])
        XCTAssertEqual(refused.status, 403)
        let events = try await withAPI { api in try await api.get("/v1/tickets/\(UUID())/events", key: gateway) }
        XCTAssertEqual(events.status, .forbidden, "the same rule as a ticket's events")
        let anonymous = try await EventStreamClient("\(server.baseURL)/v1/stream", headers: [:])
        XCTAssertEqual(anonymous.status, 401)
        let agent = try await keyFor(try await addAgent("Li Wei"))
        let allowed = try await connect(key: agent)
        XCTAssertEqual(allowed.status, 200)
    }

    func testHeartbeatsArriveOnAnIdleStream() async throws {
        let stream = try await connect()
        let frames = try await stream.wait(timeout: .seconds(5)) { $0.filter(\.isHeartbeat).count >= 2 }
        XCTAssertGreaterThanOrEqual(frames.filter(\.isHeartbeat).count, 2)
        XCTAssertFalse(stream.ended)
    }

    func testTheStreamEndsCleanlyWhenTheServerShutsDown() async throws {
        let stream = try await connect()
        let started = ContinuousClock.now
        await server.stop()
        server = nil
        let ended = try await stream.waitForEnd(timeout: .seconds(5))
        XCTAssertTrue(ended)
        XCTAssertLessThan(started.duration(to: .now), .seconds(5))
        let last = try require(EventStreamClient.events(stream.frames).last)
        XCTAssertEqual(last.name, "close")
        XCTAssertEqual(last.data, #"{"reason":"shutdown"}"#)
        XCTAssertNil(last.id, "the close carries no id: the client resumes after its last event")
    }

    func testStreamsBeyondTheKeyLimitAreRefusedWith429() async throws {
        var open: [EventStreamClient] = []
        for _ in 0..<3 { open.append(try await connect()) }
        let refused = try await EventStreamClient("\(server.baseURL)/v1/stream", headers: ["Authorization": "Bearer \(key)"])
        XCTAssertEqual(refused.status, 429)
        let agent = try await keyFor(try await addAgent("Li Wei"))
        let otherKey = try await connect(key: agent)
        XCTAssertEqual(otherKey.status, 200, "another key of the tenant still may")
        open[0].close()
        try await Task.sleep(for: .milliseconds(700))  // the server notices at the next heartbeat
        let again = try await connect()
        XCTAssertEqual(again.status, 200, "a closed stream frees its place")
    }

    func testAMalformedOrForeignLastEventIDIsRefused() async throws {
        for (query, headers, field) in [
            ("", ["Last-Event-ID": "12"], "Last-Event-ID"),
            ("?last_event_id=abc-1", [:], "last_event_id"),
            ("", ["Last-Event-ID": "99999999999-1"], "Last-Event-ID"),
        ] {
            let reply = try await withAPI { [key] api in
                try await api.send(.get, "/v1/stream\(query)", key: key, headers: headers)
            }
            XCTAssertEqual(reply.status, .unprocessableContent, reply.raw)
            XCTAssertEqual(reply.errorField, field)
        }
    }
}
