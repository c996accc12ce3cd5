import Foundation
import KefuCore
import KefuPostgres
import KefuTestSupport
import XCTest

/// The worker acts on a claimed batch of SLA clocks set-based (`kefu_act_on_sla_timers`), one
/// transaction per tenant: each tenant's own supervisors, re-checks, isolation and atomicity.
/// P2 tickets taken at Tuesday 10:00 Shanghai have their first response due at 10:30.
final class WorkerBatchTests: TicketTestCase {
    @discardableResult
    private func agent(_ tenant: UUID, _ name: String, role: String = "agent", duty: String = "on_duty") async throws -> Agent {
        try await services.agents.create(
            tenant,
            NewAgent(
                name: name,
                email: "\(name.lowercased().replacingOccurrences(of: " ", with: "."))@\(tenant.uuidString.prefix(8)).cn",
                role: role,
                tier: "senior",
                skills: [],
                dutyStatus: duty
            )
        )
    }

    /// `count` P2 phone tickets of `tenant`; their ids.
    private func tickets(_ tenant: UUID, _ count: Int) async throws -> [UUID] {
        let customer = try await services.customers.create(tenant, NewCustomer(name: "Li Na"))
        var ids: [UUID] = []
        for n in 0..<count {
            ids.append(
                try await services.intake.intake(
                    tenant,
                    NewTicket(
                        customerId: customer.id,
                        channel: "phone",
                        description: "order \(n) is missing",
                        category: "fault",
                        priority: "P2"
                    )
                ).ticket.id
            )
        }
        return ids
    }

    private func count(_ query: PostgresQuery) async throws -> Int {
        try await ownerPool.queryScalar(Int.self, query) ?? -1
    }

    /// The `sla_breach` recipients of each ticket.
    private func escalations() async throws -> [UUID: Set<UUID>] {
        var recipients: [UUID: Set<UUID>] = [:]
        for row in try await ownerPool.query(
            """
            SELECT n.ticket_id, n.recipient_id FROM notifications n
            JOIN tickets t ON t.tenant_id = n.tenant_id AND t.id = n.ticket_id
            WHERE n.kind = 'sla_breach'
            """
        ) {
            recipients[try row.decode(UUID.self, "ticket_id"), default: []].insert(try row.decode(UUID.self, "recipient_id"))
        }
        return recipients
    }

    /// Calls the batch function as the worker role in `tenant`'s scope with the given timer keys.
    private func actAsWorker(in tenant: UUID, _ keys: [(tenant: UUID, ticket: UUID, kind: String)]) async throws -> (performed: Int, rescheduled: Int)
    {
        let app = try await PostgresConnection.connect(database.workerConfiguration)
        let now = clock.now()
        let row: PostgresRow?
        do {
            row = try await app.transaction(setup: ["SELECT set_config('app.tenant_id', \(tenant.uuidString), true)"]) { tx in
                try await tx.queryFirst(
                    """
                    SELECT performed, rescheduled FROM kefu_act_on_sla_timers(\(now),
                        \(keys.map(\.tenant))::uuid[], \(keys.map(\.ticket))::uuid[], \(keys.map(\.kind))::text[],
                        \(SLAClockRule.document)::jsonb)
                    """
                )
            }
        } catch {
            await app.close()
            throw error
        }
        await app.close()
        return (try row?.decode(Int.self, "performed") ?? -1, try row?.decode(Int.self, "rescheduled") ?? -1)
    }

    /// Leased timers wait for their 60-second lease; then one sweep performs `performing` of
    /// them and every ticket in `tickets` has been escalated exactly to `supervisor`.
    private func expectDoneOnceAfterTheLease(
        performing: Int,
        escalating tickets: [UUID],
        to supervisor: UUID,
        file: StaticString = #filePath,
        line: UInt = #line
    ) async throws {
        let during = try await worker.timers.sweep()
        XCTAssertEqual(during.claimed, 0, "leased timers wait for their lease", file: file, line: line)
        clock.advance(by: 61)
        let after = try await worker.timers.sweep()
        XCTAssertEqual(after.performed, performing, file: file, line: line)
        let escalated = try await escalations()
        XCTAssertEqual(escalated, Dictionary(uniqueKeysWithValues: tickets.map { ($0, Set([supervisor])) }), file: file, line: line)
    }

    func testOneBatchEscalatesEachTenantsTicketsToThatTenantsOwnSupervisors() async throws {
        // acme: two supervisors on duty and one away -> the two on duty.
        let acmeOnDuty = [try await agent(tenantID, "Sup One", role: "supervisor"), try await agent(tenantID, "Sup Two", role: "supervisor")]
        _ = try await agent(tenantID, "Sup Away", role: "supervisor", duty: "away")
        // globex: no supervisor on duty -> every active supervisor.
        let globex = try await makeTenant("globex").tenant.id
        let globexSupervisors = [
            try await agent(globex, "Gu Away", role: "supervisor", duty: "away"),
            try await agent(globex, "Ge Reserve", role: "supervisor", duty: "reserve"),
        ]
        // initech: no supervisor at all -> its admin.
        let initech = try await makeTenant("initech")
        let expected: [UUID: Set<UUID>] = [
            tenantID: Set(acmeOnDuty.map(\.id)), globex: Set(globexSupervisors.map(\.id)), initech.tenantId: [initech.admin.id],
        ]
        var ticketTenant: [UUID: UUID] = [:]
        for tenant in expected.keys {
            for id in try await tickets(tenant, 3) { ticketTenant[id] = tenant }
        }

        clock.set(minutes(29))
        let early = try await worker.timers.sweep()
        XCTAssertEqual(early.claimed, 0, "nothing is due before 10:30")
        clock.set(minutes(31))
        let report = try await worker.timers.sweep()
        XCTAssertEqual(report.claimed, 9, "one batch")
        XCTAssertEqual(report.performed, 9)
        XCTAssertEqual(report.failed + report.skipped + report.rescheduled, 0)

        let recipients = try await escalations()
        XCTAssertEqual(Set(recipients.keys), Set(ticketTenant.keys))
        for (ticket, tenant) in ticketTenant {
            XCTAssertEqual(recipients[ticket], expected[tenant], "ticket \(ticket) of tenant \(tenant)")
        }
        let breaches = try await count("SELECT count(*) FROM ticket_sla_breaches WHERE clock = 'first_response' AND due_at = \(minutes(30))")
        XCTAssertEqual(breaches, 9)
        let misplaced = try await count(
            """
            SELECT count(*) FROM notifications n JOIN agents a ON a.id = n.recipient_id WHERE a.tenant_id <> n.tenant_id
            """
        )
        XCTAssertEqual(misplaced, 0)
        let message = try await ownerPool.queryScalar(
            String.self,
            """
            SELECT n.message FROM notifications n JOIN tickets t ON t.tenant_id = n.tenant_id AND t.id = n.ticket_id
            WHERE n.kind = 'sla_breach' AND t.tenant_id = \(tenantID) AND t.number = 1 LIMIT 1
            """
        )
        XCTAssertEqual(message, "T-000001 (P2) missed its first response target")

        // The events read as the per-ticket action wrote them: breached, then escalated.
        let first = try require(ticketTenant.first { $0.value == globex }?.key)
        let events = try await get("/v1/tickets/\(first)/events")
        XCTAssertEqual(events.status, .notFound, "another tenant's ticket")
        let globexKey = try await services.apiKeys.create(globex, agentID: globexSupervisors[0].id, name: "k").apiKey
        let trail = try await withAPI { api in try await api.get("/v1/tickets/\(first)/events", key: globexKey) }
        let sla = (trail["items"]?.array ?? []).filter { $0["kind"]?.string?.hasPrefix("sla_") == true }
        XCTAssertEqual(sla.map { $0["kind"]?.string }, ["sla_breached", "sla_escalated"])
        XCTAssertEqual(sla.first?["after"]?["due_at"]?.string, "2025-11-25T02:30:00.000Z")
        XCTAssertEqual(sla.first?["after"]?["late_seconds"]?.number, 60)
        XCTAssertEqual(sla.last?["after"]?["supervisors"]?.number, 2)
        XCTAssertEqual(sla.last?["after"]?["clock"]?.string, "first_response")
        let flagged = try await get("/v1/tickets/\(try require(ticketTenant.first { $0.value == tenantID }?.key))")
        XCTAssertEqual(flagged["breached"]?.bool, true)

        let again = try await worker.timers.sweep()
        XCTAssertEqual(again.claimed, 0, "done once, never again")
    }

    func testABatchOfSeveralTenantsIsActedOnInOneTransactionPerTenant() async throws {
        let tenants = [tenantID, try await makeTenant("globex").tenant.id, try await makeTenant("initech").tenant.id]
        for tenant in tenants {
            try await agent(tenant, "Sup Su", role: "supervisor")
            _ = try await tickets(tenant, 3)
        }
        // Each breach written notes its transaction.
        try await ownerPool.execute("CREATE TABLE test_breach_transactions (tenant_id uuid, xid bigint)")
        try await ownerPool.execute("GRANT INSERT ON test_breach_transactions TO PUBLIC")
        try await ownerPool.execute(
            PostgresQuery(
                unsafeSQL: """
                    CREATE FUNCTION test_note_transaction() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN
                        INSERT INTO test_breach_transactions VALUES (NEW.tenant_id, txid_current());
                        RETURN NEW;
                    END $$
                    """
            )
        )
        try await ownerPool.execute(
            "CREATE TRIGGER test_note_transaction AFTER INSERT ON ticket_sla_breaches FOR EACH ROW EXECUTE FUNCTION test_note_transaction()"
        )
        clock.set(minutes(31))
        let report = try await worker.timers.sweep()
        XCTAssertEqual(report.claimed, 9, "one claimed batch of three tenants")
        XCTAssertEqual(report.performed, 9)
        var tenantsOf: [Int64: Set<UUID>] = [:]
        for row in try await ownerPool.query("SELECT tenant_id, xid FROM test_breach_transactions") {
            tenantsOf[try row.decode(Int64.self, "xid"), default: []].insert(try row.decode(UUID.self, "tenant_id"))
        }
        XCTAssertEqual(tenantsOf.count, 3, "three transactions")
        XCTAssertEqual(Set(tenantsOf.values.flatMap { $0 }), Set(tenants))
        XCTAssertTrue(tenantsOf.values.allSatisfy { $0.count == 1 }, "each of one tenant: \(tenantsOf)")
    }

    func testClaimedClocksAreReCheckedAnsweredMetOrMovedTicketsAreNotEscalated() async throws {
        try await agent(tenantID, "Sup Su", role: "supervisor")
        try await addAgent("Agent An", tier: "mid")
        let ids = try await tickets(tenantID, 4)
        clock.set(minutes(31))
        // A worker leases the four due timers …
        let app = try await PostgresConnection.connect(database.workerConfiguration)
        let leased = try await app.query("SELECT tenant_id, ticket_id, kind FROM kefu_claim_due_timers(\(clock.now()), 100, '60 seconds')")
        await app.close()
        XCTAssertEqual(leased.count, 4)
        // … and before it acts: ticket 0 is answered, ticket 1's first response is recorded without
        // its timer hearing of it, ticket 2's clock moves to 11:00.
        // (Routing chose the owner; the admin may answer any ticket.)
        let answered = try await act(ids[0].uuidString, "respond", ["body": "Looking into it"])
        XCTAssertEqual(answered.status, .ok, answered.raw)
        try await ownerPool.execute("UPDATE tickets SET first_response_at = \(minutes(30.5)) WHERE id = \(ids[1])")
        try await ownerPool.execute("UPDATE tickets SET first_response_due_at = \(minutes(60)) WHERE id = \(ids[2])")

        let keys = try leased.map {
            (tenant: try $0.decode(UUID.self, "tenant_id"), ticket: try $0.decode(UUID.self, "ticket_id"), kind: try $0.decode(String.self, "kind"))
        }
        let outcome = try await actAsWorker(in: tenantID, keys)
        XCTAssertEqual(outcome.performed, 2, "ticket 1 (met: finished without acting) and ticket 3 (escalated)")
        XCTAssertEqual(outcome.rescheduled, 1, "ticket 2 re-armed at its new due instant")
        let escalatedBefore = try await escalations().keys
        XCTAssertEqual(Set(escalatedBefore), [ids[3]])
        let breached = try await ownerPool.query("SELECT ticket_id FROM ticket_sla_breaches WHERE met_at IS NULL").map {
            try $0.decode(UUID.self, "ticket_id")
        }
        XCTAssertEqual(breached, [ids[3]])
        let moved = try await ownerPool.queryFirst(
            "SELECT due_at, done_at, claimed_until FROM ticket_timers WHERE ticket_id = \(ids[2]) AND kind = 'sla:first_response'"
        )
        XCTAssertEqual(try moved?.decode(Date.self, "due_at"), minutes(60))
        XCTAssertNil(try moved?.decode(Date?.self, "done_at"))
        XCTAssertNil(try moved?.decode(Date?.self, "claimed_until"), "a re-armed timer is free for any worker")

        let repeated = try await actAsWorker(in: tenantID, keys)
        XCTAssertEqual(repeated.performed + repeated.rescheduled, 0, "a second call for the same timers changes nothing")
        clock.set(minutes(61))
        let later = try await worker.timers.sweep()
        XCTAssertEqual(later.performed, 1)
        let escalatedLater = try await escalations().keys
        XCTAssertEqual(Set(escalatedLater), [ids[2], ids[3]])
    }

    func testTheBatchFunctionCannotTouchAnotherTenantsTickets() async throws {
        try await agent(tenantID, "Sup Su", role: "supervisor")
        let other = try await makeTenant("globex").tenant.id
        try await agent(other, "Sup Gu", role: "supervisor")
        let mine = try await tickets(tenantID, 1)[0]
        let theirs = try await tickets(other, 1)[0]
        clock.set(minutes(31))
        // Tenant ids paired with the other tenant's ticket match no timer: nothing happens to either.
        let crossed = try await actAsWorker(in: tenantID, [(tenantID, theirs, "sla:first_response"), (other, mine, "sla:first_response")])
        XCTAssertEqual(crossed.performed + crossed.rescheduled, 0)
        let written = try await count(
            """
            SELECT (SELECT count(*) FROM ticket_sla_breaches) + (SELECT count(*) FROM notifications WHERE kind = 'sla_breach')
                 + (SELECT count(*) FROM ticket_events WHERE kind LIKE 'sla_%') + (SELECT count(*) FROM ticket_timers WHERE done_at IS NOT NULL AND kind = 'sla:first_response')
            """
        )
        XCTAssertEqual(written, 0)
        // A key that is not an SLA timer is ignored too.
        let survey = try await actAsWorker(in: tenantID, [(tenantID, mine, TimerKind.surveyExpiry)])
        XCTAssertEqual(survey.performed, 0)

        // Each tenant's due timer, acted on properly, writes only into that tenant.
        let both = try await actAsWorker(in: tenantID, [(tenantID, mine, "sla:first_response"), (other, theirs, "sla:first_response")])
        XCTAssertEqual(both.performed, 2)
        let foreign = try await count(
            """
            SELECT (SELECT count(*) FROM ticket_sla_breaches b JOIN tickets t ON t.id = b.ticket_id WHERE t.tenant_id <> b.tenant_id)
                 + (SELECT count(*) FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id WHERE t.tenant_id <> e.tenant_id)
                 + (SELECT count(*) FROM notifications n JOIN tickets t ON t.id = n.ticket_id WHERE t.tenant_id <> n.tenant_id)
                 + (SELECT count(*) FROM notifications n JOIN agents a ON a.id = n.recipient_id WHERE a.tenant_id <> n.tenant_id)
            """
        )
        XCTAssertEqual(foreign, 0)
        let otherBreaches = try await count("SELECT count(*) FROM ticket_sla_breaches WHERE tenant_id = \(other)")
        XCTAssertEqual(otherBreaches, 1)

        // Definer rights (kefu_definer), a fixed search_path, and EXECUTE for the worker role only.
        let function = try await ownerPool.queryFirst(
            """
            SELECT p.prosecdef, pg_get_userbyid(p.proowner) = 'kefu_definer' AS owned,
                   'search_path=public, pg_temp' = ANY (p.proconfig) AS fixed_path,
                   has_function_privilege('kefu_app', p.oid, 'EXECUTE') AS app,
                   has_function_privilege('kefu_worker', p.oid, 'EXECUTE') AS worker,
                   EXISTS (SELECT 1 FROM aclexplode(p.proacl) a WHERE a.grantee = 0) AS public
            FROM pg_proc p WHERE p.proname = 'kefu_act_on_sla_timers'
            """
        )
        XCTAssertEqual(try function?.decode(Bool.self, "prosecdef"), true)
        XCTAssertEqual(try function?.decode(Bool.self, "owned"), true)
        XCTAssertEqual(try function?.decode(Bool.self, "fixed_path"), true)
        XCTAssertEqual(try function?.decode(Bool.self, "app"), false)
        XCTAssertEqual(try function?.decode(Bool.self, "worker"), true)
        XCTAssertEqual(try function?.decode(Bool.self, "public"), false)
    }

    func testAFailedBatchLeavesNothingHalfDoneAndEachTimerIsRetriedAlone() async throws {
        let supervisor = try await agent(tenantID, "Sup Su", role: "supervisor")
        let ids = try await tickets(tenantID, 3)
        // The second ticket's escalation cannot be written (say a bad row): the batch's
        // transaction fails after the first ticket's rows were written.
        try await ownerPool.execute(
            PostgresQuery(
                unsafeSQL: """
                    CREATE FUNCTION test_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN
                        IF NEW.ticket_id = '\(ids[1].uuidString)' AND NEW.kind = 'sla_breach' THEN RAISE EXCEPTION 'refused'; END IF;
                        RETURN NEW;
                    END $$
                    """
            )
        )
        try await ownerPool.execute("CREATE TRIGGER test_refuse BEFORE INSERT ON notifications FOR EACH ROW EXECUTE FUNCTION test_refuse()")
        clock.set(minutes(31))
        let report = try await worker.timers.sweep()
        XCTAssertEqual(report.claimed, 3)
        XCTAssertEqual(report.performed, 2, "the others, one at a time")
        XCTAssertEqual(report.failed, 1)
        let escalatedOnce = try await escalations()
        XCTAssertEqual(escalatedOnce, [ids[0]: [supervisor.id], ids[2]: [supervisor.id]], "nothing twice, nothing of the failed ticket")
        let escalatedEvents = try await count("SELECT count(*) FROM ticket_events WHERE kind = 'sla_escalated'")
        XCTAssertEqual(escalatedEvents, 2)
        let failedBreaches = try await count("SELECT count(*) FROM ticket_sla_breaches WHERE ticket_id = \(ids[1])")
        XCTAssertEqual(failedBreaches, 0)
        let error = try await ownerPool.queryScalar(
            String.self,
            "SELECT last_error FROM ticket_timers WHERE ticket_id = \(ids[1]) AND kind = 'sla:first_response'"
        )
        XCTAssertTrue(error?.contains("P0001") == true, String(describing: error))

        try await ownerPool.execute("DROP TRIGGER test_refuse ON notifications")
        try await expectDoneOnceAfterTheLease(performing: 1, escalating: ids, to: supervisor.id)
        let allEscalatedEvents = try await count("SELECT count(*) FROM ticket_events WHERE kind = 'sla_escalated'")
        XCTAssertEqual(allEscalatedEvents, 3)
        let clearedError = try await ownerPool.queryScalar(
            String.self,
            "SELECT last_error FROM ticket_timers WHERE ticket_id = \(ids[1]) AND kind = 'sla:first_response'"
        )
        XCTAssertNil(clearedError)
    }

    func testAWorkerKilledInTheMiddleOfABatchLeavesNothingHalfDone() async throws {
        let supervisor = try await agent(tenantID, "Sup Su", role: "supervisor")
        let ids = try await tickets(tenantID, 3)
        clock.set(minutes(31))
        // Another transaction holds the supervisor's row as a key change would: the batch's
        // foreign-key checks, which run after all its rows are written, wait for it.
        let blocker = try await PostgresConnection.connect(database.ownerConfiguration)
        try await blocker.execute("BEGIN")
        try await blocker.execute("SELECT 1 FROM agents WHERE tenant_id = \(tenantID) AND id = \(supervisor.id) FOR UPDATE")
        let worker = try await PostgresConnection.connect(database.workerConfiguration)
        let pid = try await worker.queryScalar(Int32.self, "SELECT pg_backend_pid()")
        let now = clock.now()
        let leased = try await worker.query("SELECT tenant_id, ticket_id, kind FROM kefu_claim_due_timers(\(now), 100, '60 seconds')")
        let tenants = try leased.map { try $0.decode(UUID.self, "tenant_id") }
        let tickets = try leased.map { try $0.decode(UUID.self, "ticket_id") }
        let kinds = try leased.map { try $0.decode(String.self, "kind") }
        XCTAssertEqual(Set(tickets), Set(ids))
        let acting = Task {
            try await worker.query(
                "SELECT * FROM kefu_act_on_sla_timers(\(now), \(tenants)::uuid[], \(tickets)::uuid[], \(kinds)::text[], \(SLAClockRule.document)::jsonb)"
            )
        }
        var waiting = 0
        for _ in 0..<100 where waiting == 0 {
            try await Task.sleep(for: .milliseconds(50))
            waiting = try await count("SELECT count(*) FROM pg_stat_activity WHERE pid = \(pid) AND wait_event_type = 'Lock'")
        }
        XCTAssertEqual(waiting, 1, "the batch has written its rows and waits to check their keys")
        // The worker dies there.
        try await ownerPool.execute("SELECT pg_terminate_backend(\(pid))")
        if case .success = await acting.result { XCTFail("the killed batch must not commit") }
        await worker.close()
        try await blocker.execute("ROLLBACK")
        await blocker.close()

        let written = try await count(
            """
            SELECT (SELECT count(*) FROM ticket_sla_breaches) + (SELECT count(*) FROM notifications WHERE kind = 'sla_breach')
                 + (SELECT count(*) FROM ticket_events WHERE kind LIKE 'sla_%') + (SELECT count(*) FROM ticket_timers WHERE done_at IS NOT NULL)
            """
        )
        XCTAssertEqual(written, 0, "nothing half-done")
        try await expectDoneOnceAfterTheLease(performing: 3, escalating: ids, to: supervisor.id)
        let breaches = try await count("SELECT count(*) FROM ticket_sla_breaches")
        XCTAssertEqual(breaches, 3)
    }

    func testASweepActsOnBatchesInConcurrentLanesWithinItsBudgetAndEachTimerOnce() async throws {
        let supervisor = try await agent(tenantID, "Sup Su", role: "supervisor")
        let ids = try await tickets(tenantID, 25)
        clock.set(minutes(31))
        let first = try await worker.timers.sweep(batchSize: 4, maxBatches: 3)
        XCTAssertEqual(first.claimed, 12, "3 batches of 4, however many lanes")
        XCTAssertEqual(first.performed, 12)
        let rest = try await worker.timers.sweep(batchSize: 4)
        XCTAssertEqual(rest.claimed, 13)
        XCTAssertEqual(rest.performed, 13)
        let escalated = try await escalations()
        XCTAssertEqual(escalated, Dictionary(uniqueKeysWithValues: ids.map { ($0, Set([supervisor.id])) }))
        let events = try await count("SELECT count(*) FROM ticket_events WHERE kind = 'sla_escalated'")
        XCTAssertEqual(events, 25)
    }

    func testAnOverdueDepartmentEscalatesAndRemindsTheOwner() async throws {
        let supervisor = try await agent(tenantID, "Sup Su", role: "supervisor")
        try await addAgent("Agent An", tier: "mid")
        let department = try await services.departments.create(tenantID, NewDepartment(name: "Warehouse"))
        let id = try await tickets(tenantID, 1)[0]
        // Routing chose the owner (the agent or the supervisor); the admin may act on any ticket.
        _ = try await act(id.uuidString, "respond", ["body": "Checking with the warehouse"])
        let escalated = try await act(id.uuidString, "escalate", ["department_id": department.id.uuidString, "note": "Parcel lost?"])
        XCTAssertEqual(date(escalated["department_due_at"]), minutes(120), escalated.raw)
        clock.set(minutes(119))
        _ = try await worker.timers.sweep()
        let earlyBreaches = try await count("SELECT count(*) FROM ticket_sla_breaches WHERE clock = 'department'")
        XCTAssertEqual(earlyBreaches, 0)
        clock.set(minutes(121))
        _ = try await worker.timers.sweep()
        let departmentBreaches = try await count("SELECT count(*) FROM ticket_sla_breaches WHERE clock = 'department' AND due_at = \(minutes(120))")
        XCTAssertEqual(departmentBreaches, 1)
        let reminders = try await ownerPool.query("SELECT recipient_id, message FROM notifications WHERE kind = 'department_overdue'")
        let ticketOwner = try await ownerPool.queryScalar(UUID.self, "SELECT owner_id FROM tickets WHERE id = \(id)")
        XCTAssertNotNil(ticketOwner)
        XCTAssertEqual(try reminders.map { try $0.decode(UUID.self, "recipient_id") }, [try require(ticketOwner)])
        XCTAssertEqual(try reminders.first?.decode(String.self, "message"), "T-000001: the department has not answered in time")
        let escalations = try await count(
            """
            SELECT count(*) FROM notifications WHERE kind = 'sla_breach' AND recipient_id = \(supervisor.id) AND message LIKE '%missed its department target'
            """
        )
        XCTAssertEqual(escalations, 1)
    }
}
