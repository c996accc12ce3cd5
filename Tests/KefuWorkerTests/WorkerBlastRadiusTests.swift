import Foundation
import KefuPostgres
import KefuTestSupport
import XCTest

@testable import KefuCore

/// One tenant's poisoned data never stops the worker for the others (issue 12 §1 "Blast
/// radius", §3 timers): its failures are logged, counted, retried with backoff up to a cap, then
/// marked failed and visible — while other tenants' work goes on in the same sweeps.
final class WorkerBlastRadiusTests: TicketTestCase {
    private func count(_ query: PostgresQuery) async throws -> Int {
        try await ownerPool.queryScalar(Int.self, query) ?? -1
    }

    /// A P2 phone ticket of `tenant` (first response due 10:30) with a supervisor to escalate to.
    private func dueTicket(of tenant: UUID) async throws -> UUID {
        _ = try await services.agents.create(
            tenant,
            NewAgent(
                name: "Sup",
                email: "sup@\(tenant.uuidString.prefix(8)).cn",
                role: "supervisor",
                tier: "senior",
                skills: [],
                dutyStatus: "on_duty"
            )
        )
        let customer = try await services.customers.create(tenant, NewCustomer(name: "Li Na"))
        return try await services.intake.intake(
            tenant,
            NewTicket(
                customerId: customer.id,
                channel: "phone",
                description: "order is missing",
                category: "fault",
                priority: "P2"
            )
        ).ticket.id
    }

    /// Makes every notification of `tenant` fail to be written, as a bad stored row would.
    private func poison(_ tenant: UUID) async throws {
        try await ownerPool.execute(
            PostgresQuery(
                unsafeSQL: """
                    CREATE FUNCTION test_poison() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN
                        IF NEW.tenant_id = '\(tenant.uuidString)' THEN RAISE EXCEPTION 'poisoned tenant'; END IF;
                        RETURN NEW;
                    END $$
                    """
            )
        )
        try await ownerPool.execute("CREATE TRIGGER test_poison BEFORE INSERT ON notifications FOR EACH ROW EXECUTE FUNCTION test_poison()")
    }

    func testAPoisonedTenantsTimerIsRetriedWithBackoffThenMarkedFailedWhileOthersFire() async throws {
        let poisoned = try await makeTenant("globex").tenant.id
        let healthy = try await dueTicket(of: tenantID)
        let bad = try await dueTicket(of: poisoned)
        try await poison(poisoned)
        var timers = worker.timers
        timers.retry = TimerRetryPolicy(maxFailures: 3, firstDelay: .seconds(10), maxDelay: .seconds(15))
        clock.set(minutes(31))

        let first = try await timers.sweep()
        XCTAssertEqual(first.claimed, 2)
        XCTAssertEqual(first.performed, 1, "the healthy tenant's escalation happens in the same sweep")
        XCTAssertEqual(first.failed, 1)
        let escalated = try await count("SELECT count(*) FROM notifications WHERE kind = 'sla_breach' AND ticket_id = \(healthy)")
        XCTAssertEqual(escalated, 1)
        let state = try await ownerPool.queryFirst(
            """
            SELECT failures, last_error, claimed_until, failed_at FROM ticket_timers WHERE ticket_id = \(bad) AND kind = 'sla:first_response'
            """
        )
        XCTAssertEqual(try state?.decode(Int.self, "failures"), 1)
        XCTAssertEqual(try state?.decode(String.self, "last_error"), "P0001: poisoned tenant", "the error is kept on the timer")
        XCTAssertEqual(try state?.decode(Date?.self, "claimed_until"), minutes(31).addingTimeInterval(10), "next attempt after 10 s")
        XCTAssertNil(try state?.decode(Date?.self, "failed_at"))

        clock.advance(by: 5)
        let backingOff = try await timers.sweep()
        XCTAssertEqual(backingOff.claimed, 0, "not retried before its backoff")
        clock.advance(by: 6)
        let second = try await timers.sweep()
        XCTAssertEqual(second.failed, 1)
        let secondDelay = try await ownerPool.queryScalar(
            Date.self,
            "SELECT claimed_until FROM ticket_timers WHERE ticket_id = \(bad) AND kind = 'sla:first_response'"
        )
        XCTAssertEqual(secondDelay, clock.now().addingTimeInterval(15), "doubled, capped at 15 s")
        clock.advance(by: 16)
        let third = try await timers.sweep()
        XCTAssertEqual(third.failed, 1)
        XCTAssertEqual(third.gaveUp, 1, "the third failure is the last one allowed")
        let failedAt = try await ownerPool.queryScalar(
            Date.self,
            "SELECT failed_at FROM ticket_timers WHERE ticket_id = \(bad) AND kind = 'sla:first_response'"
        )
        XCTAssertEqual(failedAt, clock.now())

        clock.advance(by: 60)
        let later = try await timers.sweep()
        XCTAssertEqual(later.claimed, 0, "a failed timer is never retried again")
        let failedCount = try await services.timerHealth.failedTimers()
        XCTAssertEqual(failedCount, 1)
        let metrics = try await withAPI { api in try await api.get("/metrics", key: nil) }
        XCTAssertTrue(metrics.raw.contains("kefu_timers_failed 1"), metrics.raw)
        let healthyTwice = try await count("SELECT count(*) FROM notifications WHERE kind = 'sla_breach' AND ticket_id = \(healthy)")
        XCTAssertEqual(healthyTwice, 1, "the healthy tenant's escalation happened once")
    }

    func testReArmingAFailedTimerGivesItAFreshStart() async throws {
        let id = try await dueTicket(of: tenantID)
        try await ownerPool.execute(
            """
            INSERT INTO ticket_timers (tenant_id, ticket_id, kind, due_at, failures, failed_at, last_error)
            VALUES (\(tenantID), \(id), \(TimerKind.followup), \(minutes(10)), 8, \(minutes(20)), 'x')
            """
        )
        try await services.database.transaction(tenantID) { tx in
            try await TicketTimers.arm(tx, ticket: id, kind: TimerKind.followup, due: minutes(60))
        }
        let row = try await ownerPool.queryFirst(
            "SELECT failures, failed_at, due_at FROM ticket_timers WHERE ticket_id = \(id) AND kind = \(TimerKind.followup)"
        )
        XCTAssertEqual(try row?.decode(Int.self, "failures"), 0)
        XCTAssertNil(try row?.decode(Date?.self, "failed_at"))
        XCTAssertEqual(try row?.decode(Date.self, "due_at"), minutes(60))
    }

    /// 25 phone tickets of each tenant now: a burst well above the minimum volume.
    private func burst(_ tenants: [UUID]) async throws {
        for tenant in tenants {
            let customer = try await services.customers.create(tenant, NewCustomer(name: "Burst"))
            for n in 0..<25 {
                _ = try await services.intake.intake(
                    tenant,
                    NewTicket(
                        customerId: customer.id,
                        channel: "phone",
                        description: "down \(n)",
                        category: "fault",
                        priority: "P3"
                    )
                )
            }
        }
    }

    func testATenantWithUnreadableSurgeSettingsDoesNotStopSurgeDetectionForOthers() async throws {
        let poisoned = try await makeTenant("globex").tenant.id
        try await burst([tenantID, poisoned])
        // A stored settings document the detector cannot read (written behind the API's back).
        try await ownerPool.execute(
            """
            UPDATE tenants SET settings = '"not a settings document"'::jsonb WHERE id = \(poisoned)
            """
        )
        let report = try await worker.surge.sweep()
        XCTAssertEqual(report.failed, 1, "the unreadable tenant is counted and skipped")
        XCTAssertEqual(report.started.count, 1, "the other tenant's surge starts in the same sweep")
        let incidents = try await ownerPool.query("SELECT tenant_id FROM incidents").map { try $0.decode(UUID.self, "tenant_id") }
        XCTAssertEqual(incidents, [tenantID])
    }

    func testAStoredSettingOutOfRangeCannotMakeTheDetectorsSQLFail() async throws {
        let poisoned = try await makeTenant("globex").tenant.id
        try await burst([tenantID])
        // Above 2^31: `::int` on it failed the one statement that reads every tenant. The
        // database refuses to store it (sql/019)…
        let poison =
            "UPDATE tenants SET settings = '{\"surge\": {\"minimum_volume\": 3000000000, \"window_minutes\": \"15\"}}' WHERE id = '\(poisoned)'"
        do {
            try await ownerPool.execute(PostgresQuery(unsafeSQL: poison))
            XCTFail("an out-of-range surge integer must be refused")
        } catch let error as PostgresError {
            XCTAssertEqual(error.sqlState, "23514", "\(error)")
        }
        // …and the detector's reads fall back to defaults for one that got there anyway (a
        // restore of an older dump, a constraint dropped by hand).
        try await ownerPool.execute("ALTER TABLE tenants DROP CONSTRAINT tenants_settings_surge_integers")
        try await ownerPool.execute(PostgresQuery(unsafeSQL: poison))
        let report = try await worker.surge.sweep()
        XCTAssertEqual(report.started.count, 1)
        let incidents = try await ownerPool.query("SELECT tenant_id FROM incidents").map { try $0.decode(UUID.self, "tenant_id") }
        XCTAssertEqual(incidents, [tenantID])
    }
}
