import Foundation
import KefuCore
import KefuPostgres
import KefuTestSupport
import XCTest

/// The database roles mean what the design says (issue 12 §2): each attack below worked from the
/// API's role before sql/017 and is refused now, by the database itself.
final class DatabaseRoleTests: TicketTestCase {
    /// Runs `body` on a fresh connection as `configuration`'s role inside `tenant`'s scope, as the
    /// API (or the worker) would.
    private func inScope<T>(
        _ configuration: PostgresConfiguration,
        _ tenant: UUID,
        _ body: (PostgresTransaction) async throws -> T
    ) async throws -> T {
        let connection = try await PostgresConnection.connect(configuration)
        do {
            let value = try await connection.transaction(
                setup: [PostgresQuery(unpreparedSQL: "SET LOCAL app.tenant_id = '\(tenant.uuidString)'")],
                body
            )
            await connection.close()
            return value
        } catch {
            await connection.close()
            throw error
        }
    }

    private func expectSQLState(
        _ state: String,
        _ what: String,
        file: StaticString = #filePath,
        line: UInt = #line,
        _ body: () async throws -> Void
    ) async {
        do {
            try await body()
            XCTFail("\(what): expected SQLSTATE \(state), it succeeded", file: file, line: line)
        } catch let error as PostgresError {
            XCTAssertEqual(error.sqlState, state, "\(what): \(error)", file: file, line: line)
        } catch {
            XCTFail("\(what): \(error)", file: file, line: line)
        }
    }

    private func count(_ query: PostgresQuery) async throws -> Int {
        try await ownerPool.queryScalar(Int.self, query) ?? -1
    }

    /// A P1 phone ticket of `tenant`; its id.
    private func ticket(of tenant: UUID) async throws -> UUID {
        let customer = try await services.customers.create(tenant, NewCustomer(name: "Li Na"))
        return try await services.intake.intake(
            tenant,
            NewTicket(
                customerId: customer.id,
                channel: "phone",
                description: "order is missing",
                category: "fault",
                priority: "P1"
            )
        ).ticket.id
    }

    func testTheAPIRoleCannotCallTheCrossTenantWorkerFunctions() async throws {
        let other = try await makeTenant("globex").tenant.id
        let theirs = try await ticket(of: other)
        let attacks: [(String, PostgresQuery)] = [
            (
                "claim every tenant's timers for 100 years",
                "SELECT * FROM kefu_claim_due_timers(now() + interval '10 years', 100000, interval '100 years')"
            ),
            (
                "breach another tenant's ticket early",
                "SELECT * FROM kefu_act_on_sla_timers(now() + interval '3 days', ARRAY[\(other)]::uuid[], ARRAY[\(theirs)]::uuid[], ARRAY['sla:first_response'], '[]')"
            ),
            (
                "claim every tenant's record deadlines",
                "SELECT * FROM kefu_claim_due_record_timers(now() + interval '10 years', 100000, interval '100 years')"
            ),
            ("prune every tenant's intake counters", "SELECT kefu_prune_intake_counters(now() + interval '100 years', 100000)"),
            ("read every tenant's surge settings and volumes", "SELECT * FROM kefu_surge_readings(now() - interval '1 day', now(), '{}')"),
            ("list surge candidates", "SELECT * FROM kefu_surge_candidates(now() - interval '1 day', now(), '{}')"),
            ("call the unclamped batch function", "SELECT * FROM kefu_act_on_sla_timers_at(now(), '{}', '{}', '{}', '[]')"),
        ]
        for (what, attack) in attacks {
            await expectSQLState("42501", what) { _ = try await inScope(database.appConfiguration, tenantID) { try await $0.query(attack) } }
        }
        let leased = try await count("SELECT count(*) FROM ticket_timers WHERE claimed_until IS NOT NULL")
        XCTAssertEqual(leased, 0)
        // The worker role may call them.
        let claimed = try await inScope(database.workerConfiguration, tenantID) {
            try await $0.query("SELECT * FROM kefu_claim_due_timers(now(), 10, interval '1 minute')")
        }
        XCTAssertEqual(claimed.count, 3, "the ticket's three due clocks: first response, plan, resolution (intake was in 2025)")
    }

    func testTheWorkerCannotActEarlyNorLeaseForLong() async throws {
        try await addAgent("Sup Su", tier: "senior", role: "supervisor")
        let id = try await ticket(of: tenantID)
        // The ticket's clocks run out in three days of real time.
        try await ownerPool.execute(
            """
            UPDATE tickets SET channel_response_due_at = NULL, first_response_due_at = now() + interval '3 days',
                               resolution_due_at = now() + interval '3 days' WHERE id = \(id)
            """
        )
        try await ownerPool.execute("UPDATE ticket_timers SET due_at = now() + interval '3 days' WHERE ticket_id = \(id)")
        let claimed = try await inScope(database.workerConfiguration, tenantID) {
            try await $0.query("SELECT * FROM kefu_claim_due_timers(now() + interval '10 years', 100000, interval '100 years')")
        }
        XCTAssertEqual(claimed.count, 0, "a worker's clock is taken at most 5 seconds ahead of the database's")
        let acted = try await inScope(database.workerConfiguration, tenantID) {
            try await $0.queryFirst(
                """
                SELECT performed FROM kefu_act_on_sla_timers(now() + interval '3 days', ARRAY[\(tenantID)]::uuid[],
                                                             ARRAY[\(id)]::uuid[], ARRAY['sla:first_response'],
                                                             \(SLAClockRule.document)::jsonb)
                """
            )
        }
        XCTAssertEqual(try acted?.decode(Int.self, "performed"), 0)
        let breaches = try await count("SELECT count(*) FROM ticket_sla_breaches")
        XCTAssertEqual(breaches, 0, "no breach recorded early")

        // Due now: a lease asked for 100 years lasts 10 minutes.
        try await ownerPool.execute("UPDATE ticket_timers SET due_at = now() - interval '1 minute' WHERE ticket_id = \(id)")
        let leased = try await inScope(database.workerConfiguration, tenantID) {
            try await $0.query("SELECT * FROM kefu_claim_due_timers(now(), 100000, interval '100 years')")
        }
        XCTAssertGreaterThan(leased.count, 0)
        let longest = try await ownerPool.queryScalar(
            Bool.self,
            """
            SELECT max(claimed_until) <= now() + interval '10 minutes 5 seconds' FROM ticket_timers WHERE ticket_id = \(id)
            """
        )
        XCTAssertEqual(longest, true)
    }

    func testPruningCannotReachIntoTheFuture() async throws {
        try await ownerPool.execute(
            """
            INSERT INTO intake_minutes (tenant_id, channel, minute, count) VALUES (\(tenantID), 'phone', date_trunc('minute', now()), 3)
            """
        )
        let deleted = try await inScope(database.workerConfiguration, tenantID) {
            try await $0.queryScalar(Int.self, "SELECT kefu_prune_intake_counters(now() + interval '100 years', 100000)")
        }
        XCTAssertEqual(deleted, 0)
        let kept = try await count("SELECT count(*) FROM intake_minutes")
        XCTAssertEqual(kept, 1)
    }

    func testASessionSettingDoesNotUnlockAnArchivedTicketOrItsRecord() async throws {
        let id = try await ticket(of: tenantID)
        try await ownerPool.execute(
            """
            INSERT INTO ticket_messages (tenant_id, ticket_id, author_kind, visibility, body, created_at)
            VALUES (\(tenantID), \(id), 'customer', 'public', 'hello', now())
            """
        )
        try await ownerPool.execute("UPDATE tickets SET status = 'archived', archived_at = now() WHERE id = \(id)")
        let deleting = PostgresQuery(unsafeSQL: "SELECT set_config('kefu.deleting_tenant', '\(tenantID.uuidString)', true)")
        await expectSQLState("55000", "rewrite an archived ticket with the deletion flag set") {
            try await inScope(database.appConfiguration, tenantID) { tx in
                try await tx.execute(deleting)
                try await tx.execute("UPDATE tickets SET description = 'rewritten' WHERE id = \(id)")
            }
        }
        await expectSQLState("55000", "rewrite an archived ticket's message") {
            try await inScope(database.appConfiguration, tenantID) { tx in
                try await tx.execute(deleting)
                try await tx.execute("UPDATE ticket_messages SET body = 'rewritten' WHERE ticket_id = \(id)")
            }
        }
        await expectSQLState("55000", "even the owner cannot delete an archived ticket's events outside a tenant deletion") {
            try await ownerPool.execute("DELETE FROM ticket_events WHERE ticket_id = \(id)")
        }
        let kept = try await count("SELECT count(*) FROM ticket_messages WHERE ticket_id = \(id) AND body = 'hello'")
        XCTAssertEqual(kept, 1, "the message is unchanged")
        // The operator's tenant deletion still removes everything.
        try await ownerPool.execute("SELECT kefu_delete_tenant(\(tenantID))")
        let left = try await count(
            "SELECT (SELECT count(*) FROM tickets) + (SELECT count(*) FROM ticket_messages) + (SELECT count(*) FROM tenants WHERE id = \(tenantID))"
        )
        XCTAssertEqual(left, 0)
    }

    func testTheAPIRoleDeletesOnlyRoutingRules() async throws {
        let id = try await ticket(of: tenantID)
        for table in ["tickets", "ticket_events", "ticket_messages", "customers", "agents", "notifications"] {
            await expectSQLState("42501", "DELETE FROM \(table)") {
                _ = try await inScope(database.appConfiguration, tenantID) { try await $0.execute(PostgresQuery(unsafeSQL: "DELETE FROM \(table)")) }
            }
        }
        let events = try await count("SELECT count(*) FROM ticket_events WHERE ticket_id = \(id)")
        XCTAssertGreaterThan(events, 0, "the ticket and its audit trail are still there")
        let deleted = try await inScope(database.appConfiguration, tenantID) { try await $0.execute("DELETE FROM routing_rules") }
        XCTAssertEqual(deleted, 0)
    }

    func testTheAPIRoleCannotChangeATenantsStatus() async throws {
        try await TenantAdminService(ownerPool: ownerPool).setStatus(slug: tenant.tenant.slug, .suspended)
        await expectSQLState("42501", "reactivate a suspended tenant") {
            _ = try await inScope(database.appConfiguration, tenantID) { try await $0.execute("UPDATE tenants SET status = 'active'") }
        }
        let renamed = try await inScope(database.appConfiguration, tenantID) { try await $0.execute("UPDATE tenants SET name = 'Renamed'") }
        XCTAssertEqual(renamed, 1, "the profile stays the tenant's own")
        let status = try await ownerPool.queryScalar(String.self, "SELECT status FROM tenants WHERE id = \(tenantID)")
        XCTAssertEqual(status, "suspended")
    }

    func testTwoKeysCannotShareAHash() async throws {
        await expectSQLState("23505", "a second key with the same hash") {
            try await ownerPool.execute(
                """
                INSERT INTO api_keys (tenant_id, agent_id, name, prefix, key_hash)
                SELECT tenant_id, agent_id, 'copy', prefix, key_hash FROM api_keys LIMIT 1
                """
            )
        }
    }

    func testTheWorkerRoleIsConfinedToItsTenantLikeTheAPI() async throws {
        let other = try await makeTenant("globex").tenant.id
        _ = try await ticket(of: tenantID)
        _ = try await ticket(of: other)
        let seen = try await inScope(database.workerConfiguration, tenantID) {
            try await $0.query("SELECT DISTINCT tenant_id FROM tickets").map { try $0.decode(UUID.self, at: 0) }
        }
        XCTAssertEqual(seen, [tenantID], "row-level security applies to the worker's tenant transactions")
        await expectSQLState("42501", "the worker deletes a ticket") {
            _ = try await inScope(database.workerConfiguration, tenantID) { try await $0.execute("DELETE FROM tickets") }
        }
    }
}
