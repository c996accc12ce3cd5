import Foundation
import KefuCore
import KefuPostgres
import KefuTestSupport
import XCTest

/// The timer claim in the form Citus can run (sql/040, docs/SCALING.md): a read without locks
/// finds the oldest due timers, then each tenant's share is locked and leased by a statement that
/// names the tenant. It claims what the one-statement claim claimed: the oldest due timers of any
/// tenant, each once, skipping what another transaction holds. The checks are shared by the ticket
/// timers' claim (`TimerClaimTests`) and the record timers' (`RecordTimerClaimTests`, sql/044).
class TimerClaimTestCase: TicketTestCase {
    /// The timers' table, their claim, and the column that names a timer's record (trusted
    /// identifiers, written into the statements).
    class var table: String { "ticket_timers" }
    class var claimFunction: String { "kefu_claim_due_timers" }
    class var recordColumn: String { "ticket_id" }

    var tenants: [UUID] = []

    override func setUp() async throws {
        try await super.setUp()
        tenants = [tenantID, try await makeTenant("beta").tenant.id, try await makeTenant("gamma").tenant.id]
        for tenant in tenants { try await arm(tenant) }
        // Every open timer due at its own past minute, the tenants taking turns.
        try await ownerPool.execute(
            """
            WITH turns AS (
                SELECT tenant_id, \(unescaped: Self.recordColumn) AS record, kind,
                       row_number() OVER (PARTITION BY tenant_id ORDER BY \(unescaped: Self.recordColumn), kind) AS turn
                FROM \(unescaped: Self.table) WHERE done_at IS NULL AND failed_at IS NULL),
            r AS (SELECT tenant_id, record, kind, row_number() OVER (ORDER BY turn, tenant_id) AS n FROM turns)
            UPDATE \(unescaped: Self.table) t SET due_at = \(clock.now()) - r.n * interval '1 minute'
            FROM r WHERE t.tenant_id = r.tenant_id AND t.\(unescaped: Self.recordColumn) = r.record AND t.kind = r.kind
            """
        )
    }

    /// Arms three or more open timers of `tenant`: three tickets' SLA clocks.
    func arm(_ tenant: UUID) async throws {
        let customer = try await services.customers.create(tenant, NewCustomer(name: "Li Na"))
        for n in 0..<3 {
            _ = try await services.intake.intake(
                tenant,
                NewTicket(customerId: customer.id, channel: "phone", description: "order \(n) is missing", category: "fault", priority: "P2")
            )
        }
    }

    private struct Timer: Hashable {
        let tenant: UUID
        let record: UUID
        let kind: String
    }

    private func timers(_ result: [PostgresRow]) throws -> [Timer] {
        try result.map {
            Timer(
                tenant: try $0.decode(UUID.self, "tenant_id"),
                record: try $0.decode(UUID.self, "record"),
                kind: try $0.decode(String.self, "kind")
            )
        }
    }

    private func claim(_ limit: Int32) async throws -> [Timer] {
        try timers(
            try await workerPool.query(
                """
                SELECT tenant_id, \(unescaped: Self.recordColumn) AS record, kind
                FROM \(unescaped: Self.claimFunction)(\(clock.now()), \(limit), '60 seconds')
                """
            )
        )
    }

    func checkAClaimTakesTheOldestDueTimersOfAllTenantsEachOnce() async throws {
        let due = try timers(
            try await ownerPool.query(
                """
                SELECT tenant_id, \(unescaped: Self.recordColumn) AS record, kind FROM \(unescaped: Self.table)
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
        let leased = try await ownerPool.queryScalar(Int.self, "SELECT count(*) FROM \(unescaped: Self.table) WHERE claimed_until > \(clock.now())")
        XCTAssertEqual(leased, due.count)
        let none = try await claim(1000)
        XCTAssertEqual(none, [], "leased timers are not claimed again while the lease runs")
    }

    func checkTimersAnotherTransactionHoldsAreSkippedAndTheOtherTenantsAreClaimed() async throws {
        let holder = try await PostgresConnection.connect(database.ownerConfiguration)
        try await holder.simpleQuery("BEGIN")
        let held = try await holder.query("SELECT kind FROM \(unescaped: Self.table) WHERE tenant_id = \(tenants[0]) FOR UPDATE")
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

/// The ticket timers' claim (sql/040, sql/044).
final class TimerClaimTests: TimerClaimTestCase {
    func testAClaimTakesTheOldestDueTimersOfAllTenantsEachOnce() async throws {
        try await checkAClaimTakesTheOldestDueTimersOfAllTenantsEachOnce()
    }

    func testTimersAnotherTransactionHoldsAreSkippedAndTheOtherTenantsAreClaimed() async throws {
        try await checkTimersAnotherTransactionHoldsAreSkippedAndTheOtherTenantsAreClaimed()
    }
}

/// The record timers' claim (sql/044) in the same form: the same checks on `record_timers`.
final class RecordTimerClaimTests: TimerClaimTestCase {
    override class var table: String { "record_timers" }
    override class var claimFunction: String { "kefu_claim_due_record_timers" }
    override class var recordColumn: String { "record_id" }

    /// Three deadlines of `tenant`'s problem reports and post-incident reviews (the claim does not
    /// read the records; the worker finds a missing one gone).
    override func arm(_ tenant: UUID) async throws {
        try await ownerPool.execute(
            """
            INSERT INTO record_timers (tenant_id, kind, record_id, due_at)
            SELECT \(tenant), kind, gen_random_uuid(), \(clock.now()) FROM unnest(ARRAY['problem_report', 'incident_review', 'problem_report']) AS k(kind)
            """
        )
    }

    func testAClaimTakesTheOldestDueRecordTimersOfAllTenantsEachOnce() async throws {
        try await checkAClaimTakesTheOldestDueTimersOfAllTenantsEachOnce()
    }

    func testRecordTimersAnotherTransactionHoldsAreSkippedAndTheOtherTenantsAreClaimed() async throws {
        try await checkTimersAnotherTransactionHoldsAreSkippedAndTheOtherTenantsAreClaimed()
    }
}
