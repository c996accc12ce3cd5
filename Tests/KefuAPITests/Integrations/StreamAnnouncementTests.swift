import Foundation
import KefuCore
import KefuPostgres
import KefuRuntime
import KefuTestSupport
import XCTest

/// How the live stream is woken without a trigger: a committed write announces its tenant after
/// the commit (`StreamAnnouncer`), coalesced per tenant with a trailing send. The heartbeat is a
/// minute here, so an event that arrives within seconds came through the announcement.
final class StreamAnnouncementTests: TicketTestCase {
    override func setUp() async throws {
        try await super.setUp()
        services = KefuServices(pool: appPool, clock: clock, streams: StreamSettings(heartbeat: .seconds(60)))
    }

    /// Everything a stream receives, collected in the background until the stream closes.
    private final class Received: @unchecked Sendable {
        private let lock = NSLock()
        private var events: [StreamEvent] = []
        func add(_ items: [StreamItem]) {
            lock.withLock { events += items.compactMap { if case .event(let event) = $0 { event } else { nil } } }
        }
        var all: [StreamEvent] { lock.withLock { events } }
    }

    private func open() async throws -> (StreamSubscription, Received) {
        let principal = try await services.apiKeys.authenticate(key)
        let stream = try await services.streams.subscribe(tenantID: tenantID, keyID: principal.keyID, after: nil)
        let received = Received()
        Task { while let items = await stream.next() { received.add(items) } }
        addTeardownBlock { await stream.close() }
        return (stream, received)
    }

    /// Waits up to `timeout` for `condition` on what the stream received.
    private func wait(
        _ received: Received,
        timeout: Duration = .seconds(5),
        until condition: ([StreamEvent]) -> Bool
    ) async throws -> [StreamEvent] {
        let deadline = ContinuousClock.now + timeout
        while !condition(received.all), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        return received.all
    }

    private func kinds(_ events: [StreamEvent]) throws -> [String] {
        try events.map { event in
            let value = try JSONDecoder().decode(JSONValue.self, from: Data(event.json.utf8))
            return try require(value["kind"]?.string)
        }
    }

    /// One write transaction through `TenantDatabase`, adding one event to `ticketID`.
    private func writeEvent(_ ticketID: UUID, kind: String) async throws {
        try await services.database.transaction(tenantID) { tx in
            _ = try await tx.execute(
                """
                INSERT INTO ticket_events (tenant_id, ticket_id, actor_kind, kind, after, created_at)
                VALUES (\(tx.tenantID), \(ticketID), 'system', \(kind), '{}', now())
                """
            )
        }
    }

    private func assignedEvents() async throws -> [UUID] {
        try await services.database.transaction(tenantID, readOnly: true) { tx in
            try await tx.query("SELECT id FROM ticket_events WHERE tenant_id = \(tx.tenantID) AND kind = 'assigned' ORDER BY seq").map {
                try $0.decode(UUID.self, "id")
            }
        }
    }

    func testNoTriggerOnTicketEventsNotifies() async throws {
        let notifying = try await ownerPool.query(
            """
            SELECT t.tgname FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid
            WHERE t.tgrelid = 'ticket_events'::regclass AND p.prosrc ~* '(pg_notify|\\mnotify\\M)'
            """
        ).map { try $0.decode(String.self, "tgname") }
        XCTAssertEqual(notifying, [], "a NOTIFY inside the writers' transactions serialises their commits")
        let triggers = try await ownerPool.queryScalar(
            Int.self,
            "SELECT count(*)::int8 FROM pg_trigger WHERE tgrelid = 'ticket_events'::regclass AND NOT tgisinternal"
        )
        XCTAssertGreaterThan(triggers ?? 0, 0, "the check saw the table's other triggers (the webhook outbox)")
    }

    func testATicketActionReachesAnOpenStreamThroughTheAnnouncement() async throws {
        let created = try await intake([
            "customer": ["name": "Chen Jing"], "channel": "in_app", "category": "fault", "priority": "P2", "description": "退款未到账",
        ])
        let ticketID = try require(created["id"]?.string)
        let alice = try await addAgent("Alice")
        let before = try await assignedEvents()
        let (_, received) = try await open()
        let started = ContinuousClock.now
        let assigned = try await act(ticketID, "assign", ["agent_id": alice.id.uuidString])
        XCTAssertEqual(assigned.status, .ok, assigned.raw)
        let events = try await wait(received) { $0.contains { $0.type == "ticket.assigned" } }
        let got = try kinds(events)
        XCTAssertTrue(events.contains { $0.type == "ticket.assigned" }, "got \(got)")
        XCTAssertLessThan(started.duration(to: .now), .seconds(5), "well before the minute's heartbeat re-read")
        let stored = try await assignedEvents().filter { !before.contains($0) }
        XCTAssertEqual(stored.count, 1)
        let sent = try events.filter { $0.type == "ticket.assigned" }.map { event in
            try require(UUID(uuidString: try require(JSONDecoder().decode(JSONValue.self, from: Data(event.json.utf8))["id"]?.string)))
        }
        XCTAssertEqual(sent, stored, "the stored event, once")
    }

    func testWritesInsideTheCoalescingWindowAreStillDelivered() async throws {
        let created = try await intake([
            "customer": ["name": "Chen Jing"], "channel": "in_app", "category": "fault", "priority": "P2", "description": "连续写入",
        ])
        let ticketID = try require(UUID(uuidString: try require(created["id"]?.string)))
        let (_, received) = try await open()
        // A send opens the tenant's 50 ms window; the writes commit inside it (milliseconds
        // apart), so only the trailing send at the window's end announces them.
        let started = ContinuousClock.now
        StreamAnnouncer.announce(tenantID, on: appPool)
        try await writeEvent(ticketID, kind: "window_first")
        try await writeEvent(ticketID, kind: "window_second")
        try await writeEvent(ticketID, kind: "window_third")
        let written = started.duration(to: .now)
        let events = try await wait(received) { (try? self.kinds($0).contains("window_third")) == true }
        XCTAssertEqual(try kinds(events), ["window_first", "window_second", "window_third"], "written in \(written)")
    }

    func testAnSLABreachTheWorkerRecordsReachesAnOpenStream() async throws {
        let created = try await intake([
            "customer": ["name": "Chen Jing"], "channel": "in_app", "category": "fault", "priority": "P1", "description": "系统宕机",
        ])
        XCTAssertEqual(created.status, .created, created.raw)
        let (_, received) = try await open()
        clock.advance(by: 30 * 86_400)
        let report = try await worker.timers.sweep()
        XCTAssertGreaterThan(report.performed, 0, "\(report)")
        // The worker's set-based SLA batch (not a tenant transaction) announces the tenants it touched.
        let stored = try await ownerPool.queryScalar(
            Int.self,
            "SELECT count(*)::int8 FROM ticket_events WHERE tenant_id = \(tenantID) AND kind = 'sla_breached'"
        )
        let events = try await wait(received) { events in
            (try? self.kinds(events).filter { $0 == "sla_breached" }.count) == stored
        }
        XCTAssertGreaterThan(stored ?? 0, 0)
        XCTAssertEqual(try kinds(events).filter { $0 == "sla_breached" }.count, stored)
    }

    func testTheAnnouncerSendsAtOnceThenOnceAtTheWindowsEnd() async throws {
        let channel = "kefu_test_announcer"
        let announcer = CommitAnnouncer(channel: channel, window: .milliseconds(300))
        let listener = try PostgresListener(appPool.database, channels: [channel])
        let (ready, readyContinuation) = AsyncStream<Void>.makeStream()
        let times = LockedTimes()
        let listening = Task {
            for await event in listener.events(ready: { readyContinuation.yield() }) {
                if case .notification(let notification) = event, notification.payload == "t1" { times.add(.now) }
            }
        }
        defer { listening.cancel() }
        for await _ in ready { break }

        let first = ContinuousClock.now
        announcer.announce("t1", on: appPool)  // leading: sent at once
        announcer.announce("t1", on: appPool)  // inside the window: trailing
        announcer.announce("t1", on: appPool)  // covered by the same trailing send
        announcer.announce("t2", on: appPool)  // another payload has its own window
        try await Task.sleep(for: .milliseconds(900))
        let got = times.all
        XCTAssertEqual(got.count, 2, "one at once and one trailing send, none dropped, none extra")
        if got.count == 2 {
            XCTAssertLessThan(first.duration(to: got[0]), .milliseconds(250), "the first is not delayed")
            XCTAssertGreaterThanOrEqual(first.duration(to: got[1]), .milliseconds(290), "the trailing send waits for the window's end")
        }
        // After a quiet window the next write is announced at once again.
        let again = ContinuousClock.now
        announcer.announce("t1", on: appPool)
        try await Task.sleep(for: .milliseconds(200))
        XCTAssertEqual(times.all.count, 3)
        if let last = times.all.last { XCTAssertLessThan(again.duration(to: last), .milliseconds(200)) }
    }

    private final class LockedTimes: @unchecked Sendable {
        private let lock = NSLock()
        private var times: [ContinuousClock.Instant] = []
        func add(_ time: ContinuousClock.Instant) { lock.withLock { times.append(time) } }
        var all: [ContinuousClock.Instant] { lock.withLock { times } }
    }
}
