import Foundation
import KefuCore
import KefuPostgres
import KefuTestSupport
import XCTest

/// The worker's timers at exact instants (Tuesday 10:00 Shanghai, business hours 09:00–18:00).
final class WorkerTimerTests: TicketTestCase {
    private func ticket(priority: String = "P1", category: String = "fault", customer: [String: Any] = ["name": "Li Na"]) async throws -> String {
        let created = try await intake([
            "customer": customer, "channel": "phone", "category": category, "priority": priority,
            "description": "Orders page is empty",
        ])
        XCTAssertEqual(created.status, .created, created.raw)
        return try require(created["id"]?.string)
    }

    private func sweep() async throws -> SweepReport { try await worker.timers.sweep() }

    private func count(_ sql: String) async throws -> Int {
        try await ownerPool.queryScalar(Int.self, PostgresQuery(unsafeSQL: sql)) ?? -1
    }

    func testAMissedFirstResponseEscalatesOnceAtItsDueTimeAndNotBefore() async throws {
        let supervisor = try await addAgent("Sup Su", tier: "senior", role: "supervisor", duty: "on_duty")
        try await addAgent("Agent An", tier: "mid")
        let id = try await ticket(priority: "P2")  // first response due 10:30
        clock.set(minutes(29))
        let early = try await sweep()
        XCTAssertEqual(early.performed, 0, "nothing fires before its due time")
        clock.set(minutes(30.5))
        let due = try await sweep()
        XCTAssertEqual(due.performed, 1)
        let again = try await sweep()
        XCTAssertEqual(again.claimed, 0, "done once, never again")
        let breach = try await ownerPool.queryFirst("SELECT clock, due_at, met_at FROM ticket_sla_breaches WHERE clock = 'first_response'")
        XCTAssertEqual(try breach?.decode(Date.self, "due_at"), minutes(30))
        XCTAssertNil(try breach?.decode(Date?.self, "met_at"))
        let escalations = try await count(
            "SELECT count(*) FROM notifications WHERE kind = 'sla_breach' AND recipient_id = '\(supervisor.id.uuidString)'"
        )
        XCTAssertEqual(escalations, 1)
        // The supervisor also got the P2 escalation at intake.
        let supervisorKey = try await keyFor(supervisor)
        let inbox = try await withAPI { api in try await api.get("/v1/notifications", key: supervisorKey) }
        XCTAssertEqual(Set((inbox["items"]?.array ?? []).compactMap { $0["kind"]?.string }), ["priority_escalation", "sla_breach"])
        let events = try await get("/v1/tickets/\(id)/events")
        XCTAssertTrue((events["items"]?.array ?? []).contains { $0["kind"]?.string == "sla_escalated" })
    }

    func testAPausedClockDoesNotFireAndFiresAtItsShiftedTimeAfterResume() async throws {
        let agent = try await addAgent("Agent An", tier: "mid")
        let agentKey = try await keyFor(agent)
        let id = try await ticket(priority: "P2")  // plan due 14:00
        clock.set(minutes(5))
        _ = try await act(id, "request-info", ["body": "Which order?"], as: agentKey)
        clock.set(minutes(300))  // 15:00: past the original plan due, but the clock is paused
        let paused = try await sweep()
        XCTAssertEqual(paused.performed, 0)
        _ = try await act(id, "customer-reply", ["body": "Order 42"])  // paused 295 min → plan due 18:55 → Wed 09:55
        let planDue = try await ownerPool.queryScalar(Date.self, "SELECT due_at FROM ticket_timers WHERE kind = 'sla:plan' AND done_at IS NULL")
        XCTAssertEqual(planDue, minutes(240 + 295 + 15 * 60))
        clock.set(minutes(240 + 295 + 15 * 60 - 1))
        _ = try await sweep()
        let planBefore = try await count("SELECT count(*) FROM ticket_sla_breaches WHERE clock = 'plan'")
        XCTAssertEqual(planBefore, 0, "the plan clock kept the business time it had left")
        clock.set(minutes(240 + 295 + 15 * 60 + 1))
        _ = try await sweep()
        let planAfter = try await count("SELECT count(*) FROM ticket_sla_breaches WHERE clock = 'plan'")
        XCTAssertEqual(planAfter, 1)
    }

    func testAnOverdueProgressUpdateRemindsTheOwner() async throws {
        let agent = try await addAgent("Agent An", tier: "mid")
        let agentKey = try await keyFor(agent)
        let id = try await ticket(priority: "P3")
        clock.set(minutes(10))
        _ = try await act(id, "respond", ["body": "Checking"], as: agentKey)  // progress due 12:10
        clock.set(minutes(131))
        _ = try await sweep()
        let reminders = try await count(
            "SELECT count(*) FROM notifications WHERE kind = 'progress_reminder' AND recipient_id = '\(agent.id.uuidString)'"
        )
        XCTAssertEqual(reminders, 1)
    }

    func testSurveysAnsweredInTimeExpiredOrTwice() async throws {
        let agent = try await addAgent("Agent An", tier: "mid")
        let agentKey = try await keyFor(agent)
        let first = try await ticket(priority: "P3")
        let second = try await ticket(priority: "P3")
        for id in [first, second] {
            _ = try await act(id, "respond", ["body": "Hello"], as: agentKey)
            _ = try await act(id, "resolve", ["solution_summary": "Done"], as: agentKey)
        }
        let survey = try await get("/v1/tickets/\(first)/survey")
        let token = try surveyToken(first)
        XCTAssertEqual(date(survey["expires_at"]), minutes(24 * 60))
        let answer = json(["overall": 5, "timeliness": 5, "professionalism": 4, "resolution": 5, "attitude": 5, "comment": "很满意"])
        let answered = try await withAPI { api in try await api.post("/v1/surveys/\(token)", key: nil, answer) }
        XCTAssertEqual(answered.status, .ok, answered.raw)
        let twice = try await withAPI { api in try await api.post("/v1/surveys/\(token)", key: nil, answer) }
        XCTAssertEqual(twice.status, .conflict)
        let unknown = try await withAPI { api in try await api.post("/v1/surveys/\(String(repeating: "x", count: 32))", key: nil, answer) }
        XCTAssertEqual(unknown.status, .notFound)
        let badRating = try await withAPI { api in
            try await api.post(
                "/v1/surveys/\(token)",
                key: nil,
                json(["overall": 6, "timeliness": 5, "professionalism": 5, "resolution": 5, "attitude": 5])
            )
        }
        XCTAssertEqual(badRating.errorField, "overall")

        let secondToken = try surveyToken(second)
        clock.set(minutes(24 * 60 + 1))
        _ = try await sweep()
        let expired = try await withAPI { api in try await api.post("/v1/surveys/\(secondToken)", key: nil, answer) }
        XCTAssertEqual(expired.status, .conflict)
        let stored = try await ownerPool.queryFirst(
            """
            SELECT count(*) FILTER (WHERE answered_at IS NOT NULL) AS answered, count(*) FILTER (WHERE expired_at IS NOT NULL) AS expired FROM surveys
            """
        )
        XCTAssertEqual(try stored?.decode(Int.self, "answered"), 1)
        XCTAssertEqual(try stored?.decode(Int.self, "expired"), 1)
    }

    func testALowRatingReopensTheTicketAndEscalatesToASupervisor() async throws {
        let supervisor = try await addAgent("Sup Su", tier: "senior", role: "supervisor")
        try await addAgent("Agent An", tier: "mid")
        let id = try await ticket(priority: "P3")
        // Routing chose the owner (the agent or the supervisor); the admin may resolve any ticket.
        _ = try await act(id, "resolve", ["solution_summary": "Done"])
        let token = try surveyToken(id)
        let answer = json(["overall": 2, "timeliness": 1, "professionalism": 3, "resolution": 1, "attitude": 4])
        let reply = try await withAPI { api in try await api.post("/v1/surveys/\(token)", key: nil, answer) }
        XCTAssertEqual(reply.status, .ok, reply.raw)
        let reopened = try await get("/v1/tickets/\(id)")
        XCTAssertEqual(reopened["status"]?.string, "in_progress")
        XCTAssertEqual(reopened["reopen_count"]?.number, 1)
        let alerts = try await count("SELECT count(*) FROM notifications WHERE kind = 'low_rating' AND recipient_id = '\(supervisor.id.uuidString)'")
        XCTAssertEqual(alerts, 1)
    }

    func testResolvedTicketsAreArchivedAfterOneWorkingDayAndThenReadOnly() async throws {
        let agent = try await addAgent("Agent An", tier: "mid")
        let agentKey = try await keyFor(agent)
        let id = try await ticket(priority: "P3")
        clock.set(minutes(30))
        _ = try await act(id, "resolve", ["solution_summary": "Replaced the part"], as: agentKey)  // Tue 10:30
        let token = try surveyToken(id)
        _ = try await withAPI { api in
            try await api.post(
                "/v1/surveys/\(token)",
                key: nil,
                json(["overall": 4, "timeliness": 4, "professionalism": 4, "resolution": 4, "attitude": 4])
            )
        }
        clock.set(minutes(24 * 60 + 29))  // Wed 10:29
        _ = try await sweep()
        let value1 = try await get("/v1/tickets/\(id)")["status"]?.string
        XCTAssertEqual(value1, "resolved")
        clock.set(minutes(24 * 60 + 31))  // Wed 10:31
        _ = try await sweep()
        let archived = try await get("/v1/tickets/\(id)")
        XCTAssertEqual(archived["status"]?.string, "archived")
        XCTAssertEqual(date(archived["archived_at"]), minutes(24 * 60 + 31))

        let edit = try await act(id, "notes", ["body": "late note"], as: agentKey)
        XCTAssertEqual(edit.status, .conflict)
        let app = try await PostgresConnection.connect(database.appConfiguration)
        do {
            try await app.transaction(setup: ["SELECT set_config('app.tenant_id', \(tenantID.uuidString), true)"]) { tx in
                try await tx.execute("UPDATE tickets SET description = 'rewritten'")
            }
            XCTFail("archived tickets must be read-only in the database")
        } catch let error as PostgresError {
            XCTAssertEqual(error.sqlState, "55000")
        }
        await app.close()
        let description = try await ownerPool.queryScalar(String.self, "SELECT description FROM tickets")
        XCTAssertEqual(description, "Orders page is empty")
    }

    func testComplaintsGetAQAFollowUpWithItsOutcomeRecorded() async throws {
        let qa = try await addAgent("Quality Qiu", role: "qa")
        let agent = try await addAgent("Agent An", tier: "mid")
        let agentKey = try await keyFor(agent)
        let id = try await ticket(priority: "P2", category: "complaint")
        _ = try await act(id, "resolve", ["solution_summary": "Refunded"], as: agentKey)
        let qaKey = try await keyFor(qa)
        let open = try await withAPI { api in try await api.get("/v1/followups", key: qaKey) }
        let followup = try require(open["items"]?.array?.first)
        XCTAssertEqual(followup["ticket_id"]?.string, id)
        XCTAssertEqual(date(followup["due_at"]), minutes(24 * 60))
        let followupID = try require(followup["id"]?.string)
        let done = try await withAPI { api in
            try await api.post("/v1/followups/\(followupID)/complete", key: qaKey, json(["solved": true, "satisfied": true, "notes": "happy"]))
        }
        XCTAssertEqual(done.status, .ok, done.raw)
        clock.set(minutes(24 * 60 + 1))
        _ = try await sweep()
        let overdue = try await count("SELECT count(*) FROM notifications WHERE kind = 'followup_overdue'")
        XCTAssertEqual(overdue, 0, "a completed follow-up is not chased")
    }

    func testTwoWorkersOverManyDueActionsPerformEachExactlyOnce() async throws {
        try await addAgent("Sup Su", tier: "senior", role: "supervisor")
        let customer = try await services.customers.create(tenantID, NewCustomer(name: "Bulk"))
        for n in 0..<300 {
            _ = try await services.intake.intake(
                tenantID,
                NewTicket(
                    customerId: customer.id,
                    channel: "phone",
                    description: "t\(n)",
                    category: "fault",
                    priority: "P4"
                )
            )
        }
        clock.set(minutes(60 * 24 * 7))
        let expected = try await ownerPool.queryScalar(
            Int.self,
            "SELECT count(*) FROM ticket_timers WHERE done_at IS NULL AND kind LIKE 'sla:%' AND due_at <= \(clock.now())"
        )
        XCTAssertEqual(expected, 300, "each ticket's first response (the resolution targets lie further out)")
        let one = TimerSweeper(database: TenantDatabase(pool: workerPool), clock: clock)
        let two = TimerSweeper(
            database: TenantDatabase(pool: ConnectionPool(database.workerConfiguration, configuration: .init(maxConnections: 4))),
            clock: clock
        )
        async let first = one.sweep(batchSize: 25)
        async let second = two.sweep(batchSize: 25)
        let reports = try await [first, second]
        XCTAssertEqual(reports.map(\.performed).reduce(0, +), 300)
        XCTAssertEqual(reports.map(\.failed).reduce(0, +), 0)
        let breaches = try await count("SELECT count(*) FROM ticket_sla_breaches")
        let escalations = try await count("SELECT count(*) FROM notifications WHERE kind = 'sla_breach'")
        XCTAssertEqual(breaches, 300)
        XCTAssertEqual(escalations, 300)
    }

    func testAWorkerKilledAfterClaimingLosesNothingAndDoublesNothing() async throws {
        try await addAgent("Sup Su", tier: "senior", role: "supervisor")
        for _ in 0..<5 { _ = try await ticket(priority: "P1") }
        clock.set(minutes(60 * 24 * 3))
        // A worker leases every due timer, then dies before acting.
        let dead = try await PostgresConnection.connect(database.workerConfiguration)
        let leased = try await dead.query("SELECT * FROM kefu_claim_due_timers(\(clock.now()), 1000, '60 seconds')")
        XCTAssertGreaterThan(leased.count, 0)
        await dead.close()
        let during = try await sweep()
        XCTAssertEqual(during.performed, 0, "leased work is left alone while the lease runs")
        clock.advance(by: 61)
        let after = try await sweep()
        XCTAssertEqual(after.performed, leased.count)
        let again = try await sweep()
        XCTAssertEqual(again.claimed, 0)
        let breaches = try await count("SELECT count(*) FROM ticket_sla_breaches")
        XCTAssertEqual(breaches, leased.count)
    }
}
