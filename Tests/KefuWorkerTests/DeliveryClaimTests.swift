import Foundation
import KefuCore
import KefuPostgres
import KefuTestSupport
import XCTest

/// The delivery claim in the form Citus can run (sql/044, docs/SCALING.md): a read without locks
/// ranks the due deliveries of every tenant per lane and finds the tenants holding the oldest,
/// then each tenant's share is ranked again, locked and leased by statements that name the tenant.
/// It claims what the one-statement claim (sql/036) claimed: the oldest due deliveries of any
/// tenant, each once, a few per lane (a webhook, or a tenant's email relay) in order, none of a
/// lane that has a leased delivery, skipping what another transaction holds.
final class DeliveryClaimTests: TicketTestCase {
    private var tenants: [UUID] = []
    /// Every due delivery made: its tenant, lane (the webhook, or the tenant for email) and due time.
    private var made: [Delivery] = []

    private struct Delivery: Hashable {
        let tenant: UUID
        let id: UUID
        let lane: UUID
        let due: Date
    }

    override func setUp() async throws {
        try await super.setUp()
        tenants = [tenantID, try await makeTenant("beta").tenant.id, try await makeTenant("gamma").tenant.id]
        // Each tenant: two webhooks and its email lane, three deliveries each, due at past minutes
        // with the tenants taking turns.
        var lanes: [UUID: [UUID]] = [:]
        for tenant in tenants { lanes[tenant] = try await webhooks(of: tenant) + [tenant] }
        var minute = 0
        for _ in 0..<3 {
            for lane in 0..<3 {
                for tenant in tenants {
                    minute += 1
                    let due = clock.now().addingTimeInterval(-Double(100 - minute) * 60)
                    let target = lanes[tenant]?[lane] ?? tenant
                    made.append(try await enqueue(tenant, lane: target, email: target == tenant, due: due))
                }
            }
        }
    }

    /// The tenant's two webhooks, made on first use.
    private func webhooks(of tenant: UUID) async throws -> [UUID] {
        let existing = try await ownerPool.query("SELECT id FROM webhooks WHERE tenant_id = \(tenant) ORDER BY created_at, id")
            .map { try $0.decode(UUID.self, at: 0) }
        if !existing.isEmpty { return existing }
        return try await ownerPool.query(
            """
            INSERT INTO webhooks (tenant_id, url, events, secret, created_at, updated_at)
            SELECT \(tenant), 'https://crm.example.com/hook/' || n, ARRAY['ticket.created'], 'whsec_' || n,
                   \(clock.now()) + n * interval '1 second', \(clock.now())
            FROM generate_series(1, 2) n
            RETURNING id
            """
        ).map { try $0.decode(UUID.self, at: 0) }
    }

    private func enqueue(_ tenant: UUID, lane: UUID, email: Bool, due: Date) async throws -> Delivery {
        let webhook: UUID? = email ? nil : lane
        let id = try await ownerPool.queryScalar(
            UUID.self,
            """
            INSERT INTO deliveries (tenant_id, webhook_id, email, event_type, next_attempt_at, created_at)
            VALUES (\(tenant), \(webhook), \(email), 'ticket.created', \(due), \(due)) RETURNING id
            """
        )
        return Delivery(tenant: tenant, id: try require(id), lane: lane, due: due)
    }

    private struct Claimed: Equatable {
        let id: UUID
        let tenant: UUID
        let lane: UUID
        let kind: String
        let url: String
    }

    private func claim(_ limit: Int32, perTarget: Int32 = 2) async throws -> [Claimed] {
        try await workerPool.query(
            """
            SELECT tenant_id, id, target_id, target_kind, url
            FROM kefu_claim_due_deliveries(\(clock.now()), \(limit), \(perTarget), '120 seconds')
            """
        ).map {
            Claimed(
                id: try $0.decode(UUID.self, "id"),
                tenant: try $0.decode(UUID.self, "tenant_id"),
                lane: try $0.decode(UUID.self, "target_id"),
                kind: try $0.decode(String.self, "target_kind"),
                url: try $0.decode(String.self, "url")
            )
        }
    }

    /// What the one-statement claim took: the first `perTarget` of each lane not in `busy`, the
    /// oldest `limit` of those.
    private func expected(_ limit: Int, perTarget: Int = 2, busy: Set<UUID> = []) -> [Delivery] {
        let lanes = Dictionary(grouping: made.filter { !busy.contains($0.lane) }, by: \.lane)
        let eligible = lanes.values.flatMap { $0.sorted { $0.due < $1.due }.prefix(perTarget) }
        return Array(eligible.sorted { $0.due < $1.due }.prefix(limit))
    }

    /// Each lane's deliveries come in their order, with what sending them needs.
    private func assertLanesInOrder(_ claimed: [Claimed], file: StaticString = #filePath, line: UInt = #line) {
        let due = Dictionary(uniqueKeysWithValues: made.map { ($0.id, $0.due) })
        for (lane, rows) in Dictionary(grouping: claimed, by: \.lane) {
            XCTAssertEqual(
                rows.map { due[$0.id] ?? .distantPast },
                rows.map { due[$0.id] ?? .distantPast }.sorted(),
                "lane \(lane) in order",
                file: file,
                line: line
            )
        }
        for row in claimed {
            if row.lane == row.tenant {
                XCTAssertEqual([row.kind, row.url], ["email", "mailto:"], file: file, line: line)
            } else {
                XCTAssertEqual(row.kind, "webhook", file: file, line: line)
                XCTAssertTrue(row.url.hasPrefix("https://crm.example.com/hook/"), row.url, file: file, line: line)
            }
        }
    }

    func testAClaimTakesTheOldestDueDeliveriesOfAllTenantsEachOnceAFewPerLane() async throws {
        XCTAssertEqual(made.count, 27)
        let first = try await claim(5)
        let oldest = expected(5)
        XCTAssertEqual(Set(oldest.map(\.tenant)).count, 3, "the oldest five span the three tenants")
        XCTAssertEqual(Set(first.map(\.id)), Set(oldest.map(\.id)), "the five oldest, whichever tenant holds them")
        assertLanesInOrder(first)
        // A lane with a leased delivery is busy: the next claim passes it over.
        let busy = Set(first.map(\.lane))
        let second = try await claim(5)
        XCTAssertEqual(Set(second.map(\.id)), Set(expected(5, busy: busy).map(\.id)), "then the next five, of other lanes")
        assertLanesInOrder(second)
        let rest = try await claim(1000)
        let all = first + second + rest
        XCTAssertEqual(Set(all.map(\.lane)).count, 9, "every lane")
        XCTAssertEqual(Set(all.map(\.id)).count, all.count, "each delivery once")
        for (lane, rows) in Dictionary(grouping: all, by: \.lane) { XCTAssertLessThanOrEqual(rows.count, 2, "at most two of lane \(lane)") }
        let none = try await claim(1000)
        XCTAssertEqual(none, [], "every lane is leased")
        // The leases run out: each lane's next deliveries, after the ones claimed (not yet sent).
        clock.advance(by: 121)
        let again = try await claim(1000, perTarget: 10)
        XCTAssertEqual(Set(again.map(\.id)), Set(made.map(\.id)), "all of them, three a lane")
        assertLanesInOrder(again)
    }

    func testDeliveriesAnotherTransactionHoldsAreSkippedAndTheOtherTenantsAreClaimed() async throws {
        let holder = try await PostgresConnection.connect(database.ownerConfiguration)
        try await holder.simpleQuery("BEGIN")
        let held = try await holder.query("SELECT id FROM deliveries WHERE tenant_id = \(tenants[0]) FOR UPDATE")
        XCTAssertEqual(held.count, 9)
        let claimed = try await claim(1000)
        XCTAssertFalse(claimed.contains { $0.tenant == tenants[0] }, "the held tenant's deliveries are skipped")
        XCTAssertEqual(Set(claimed.map(\.tenant)), Set(tenants.dropFirst()), "the others' are claimed")
        XCTAssertEqual(claimed.count, 12, "two of each of their six lanes")
        try await holder.simpleQuery("ROLLBACK")
        await holder.close()
        let after = try await claim(1000)
        XCTAssertEqual(Set(after.map(\.tenant)), [tenants[0]], "released, they are claimed")
        XCTAssertEqual(after.count, 6)
    }

    func testAStuckLaneWithAnOldBacklogDoesNotHoldUpOtherTenants() async throws {
        // The first tenant's first webhook: a long backlog older than everything else, and one of
        // its deliveries leased (its receiver is slow).
        let stuck = try await webhooks(of: tenants[0])[0]
        for n in 0..<50 {
            _ = try await enqueue(tenants[0], lane: stuck, email: false, due: clock.now().addingTimeInterval(-Double(100_000 + n)))
        }
        try await ownerPool.execute(
            """
            UPDATE deliveries SET claimed_until = \(clock.now()) + interval '1 minute'
            WHERE tenant_id = \(tenants[0]) AND id = (SELECT id FROM deliveries WHERE webhook_id = \(stuck) ORDER BY next_attempt_at LIMIT 1)
            """
        )
        let claimed = try await claim(3)
        XCTAssertEqual(claimed.count, 3, "the backlog of a busy lane takes no room in the batch")
        XCTAssertFalse(claimed.contains { $0.lane == stuck })
        XCTAssertEqual(Set(claimed.map(\.id)), Set(expected(3, busy: [stuck]).map(\.id)))
    }
}
