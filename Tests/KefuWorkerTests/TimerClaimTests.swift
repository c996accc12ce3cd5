import Foundation
import KefuCore
import KefuPostgres
import KefuTestSupport
import XCTest

/// The timer claim in the form Citus can run (sql/040, docs/SCALING.md): a read without locks
/// finds the oldest due timers, then each tenant's share is locked and leased by a statement that
/// names the tenant. It claims what the one-statement claim claimed: the oldest due timers of any
/// tenant, each once, skipping what another transaction holds.
final class TimerClaimTests: TicketTestCase {
    private var tenants: [UUID] = []

    override func setUp() async throws {
        try await super.setUp()
        tenants = [tenantID, try await makeTenant("beta").tenant.id, try await makeTenant("gamma").tenant.id]
        for tenant in tenants {
            let customer = try await services.customers.create(tenant, NewCustomer(name: "Li Na"))
            for n in 0..<3 {
                _ = try await services.intake.intake(
                    tenant,
                    NewTicket(customerId: customer.id, channel: "phone", description: "order \(n) is missing", category: "fault", priority: "P2")
                )
            }
        }
        // Every open timer due at its own past minute, the tenants taking turns.
        try await ownerPool.execute(
            """
            WITH turns AS (
                SELECT tenant_id, ticket_id, kind, row_number() OVER (PARTITION BY tenant_id ORDER BY ticket_id, kind) AS turn
                FROM ticket_timers WHERE done_at IS NULL AND failed_at IS NULL),
            r AS (SELECT tenant_id, ticket_id, kind, row_number() OVER (ORDER BY turn, tenant_id) AS n FROM turns)
            UPDATE ticket_timers t SET due_at = \(clock.now()) - r.n * interval '1 minute'
            FROM r WHERE t.tenant_id = r.tenant_id AND t.ticket_id = r.ticket_id AND t.kind = r.kind
            """
        )
    }

    private struct Timer: Hashable {
        let tenant: UUID
        let ticket: UUID
        let kind: String
    }

    private func timers(_ result: [PostgresRow]) throws -> [Timer] {
        try result.map {
            Timer(
                tenant: try $0.decode(UUID.self, "tenant_id"),
                ticket: try $0.decode(UUID.self, "ticket_id"),
                kind: try $0.decode(String.self, "kind")
            )
        }
    }

    private func claim(_ limit: Int32) async throws -> [Timer] {
        try timers(
            try await workerPool.query(
                "SELECT tenant_id, ticket_id, kind FROM kefu_claim_due_timers(\(clock.now()), \(limit), '60 seconds')"
            )
        )
    }

    func testAClaimTakesTheOldestDueTimersOfAllTenantsEachOnce() async throws {
        let due = try timers(
            try await ownerPool.query(
                """
                SELECT tenant_id, ticket_id, kind FROM ticket_timers
                WHERE done_at IS NULL AND failed_at IS NULL AND due_at <= \(clock.now()) ORDER BY due_at
                """
            )
        )
        XCTAssertGreaterThanOrEqual(due.count, 9)
        XCTAssertEqual(Set(due.prefix(9).map(\.tenant)), Set(tenants), "the oldest nine span the three tenants")
        let first = try await claim(5)
        XCTAssertEqual(Set(first), Set(due.prefix(5)), "the five oldest, whichever tenant holds them")
        let second = try await claim(5)
        XCTAssertEqual(Set(second), Set(due.dropFirst(5).prefix(5)), "then the next five")
        let rest = try await claim(1000)
        XCTAssertEqual(Set(first + second + rest), Set(due))
        XCTAssertEqual(first.count + second.count + rest.count, due.count, "each timer once")
        let leased = try await ownerPool.queryScalar(Int.self, "SELECT count(*) FROM ticket_timers WHERE claimed_until > \(clock.now())")
        XCTAssertEqual(leased, due.count)
        let none = try await claim(1000)
        XCTAssertEqual(none, [], "leased timers are not claimed again while the lease runs")
    }

    func testTimersAnotherTransactionHoldsAreSkippedAndTheOtherTenantsAreClaimed() async throws {
        let holder = try await PostgresConnection.connect(database.ownerConfiguration)
        try await holder.simpleQuery("BEGIN")
        let held = try await holder.query("SELECT ticket_id FROM ticket_timers WHERE tenant_id = \(tenants[0]) FOR UPDATE")
        XCTAssertGreaterThan(held.count, 0)
        let claimed = try await claim(1000)
        XCTAssertFalse(claimed.contains { $0.tenant == tenants[0] }, "the held tenant's timers are skipped")
        XCTAssertEqual(Set(claimed.map(\.tenant)), Set(tenants.dropFirst()), "the others' are claimed")
        try await holder.simpleQuery("ROLLBACK")
        await holder.close()
        let after = try await claim(1000)
        XCTAssertEqual(Set(after.map(\.tenant)), [tenants[0]], "released, they are claimed")
    }
}
