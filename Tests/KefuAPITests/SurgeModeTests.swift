import Foundation
import KefuCore
import KefuPostgres
import KefuTestSupport
import XCTest

/// Surge detection and level-1 response at exact instants, with synthetic intake history.
final class SurgeModeTests: TicketTestCase {
    private func openIncidents(_ tenant: UUID? = nil) async throws -> Int {
        let filter: PostgresQuery = tenant.map { " AND tenant_id = \($0)" } ?? ""
        return try await ownerPool.queryScalar(Int.self, "SELECT count(*) FROM incidents WHERE ended_at IS NULL" + filter) ?? -1
    }

    func testTriggersAtThreeTimesNormalAndNotAtTwoPointNine() async throws {
        try await seedHistory(tenantID)
        try await live(tenantID, 29)
        _ = try await sweeper().sweep()
        let quiet = try await openIncidents()
        XCTAssertEqual(quiet, 0)
        try await live(tenantID, 30)
        let result = try await sweeper().sweep()
        XCTAssertEqual(result.started.count, 1)
        let incident = try require(result.started.first)
        XCTAssertEqual(incident.channel, "chat")
        XCTAssertEqual(incident.liveCount, 30)
        XCTAssertEqual(incident.normalCount, 10, accuracy: 0.001)
        XCTAssertEqual(incident.baseline, "same_hour_of_week")
        XCTAssertEqual(incident.trigger, "detected")
    }

    func testLevelOneResponseAndExactRestoreKeepTheSupervisorsChoice() async throws {
        let supervisor = try await addAgent("Sup Su", tier: "senior", role: "supervisor")
        let offRotation = try await addAgent("Off Ou", duty: "off_rotation")
        let reserve = try await addAgent("Reserve Ren", duty: "reserve")
        let away = try await addAgent("Away Ai", duty: "away")
        let overridden = try await addAgent("Override Ou", duty: "off_rotation")
        try await seedHistory(tenantID)
        try await live(tenantID, 45)
        _ = try await sweeper().sweep()

        let status = try await get("/v1/surge")
        XCTAssertEqual(status["active"]?.bool, true)
        XCTAssertEqual(status["auto_replies_off"]?.bool, true)
        XCTAssertEqual(status["fast_transfer"]?.bool, true)
        func duty(_ agent: Agent) async throws -> String? {
            try await ownerPool.queryScalar(String.self, "SELECT duty_status FROM agents WHERE id = \(agent.id)")
        }
        for agent in [offRotation, reserve, overridden] {
            let status = try await duty(agent)
            XCTAssertEqual(status, "on_duty", agent.name)
        }
        let value2 = try await duty(away)
        XCTAssertEqual(value2, "away", "away agents are not called in")
        let notified = try await ownerPool.queryScalar(
            Int.self,
            "SELECT count(*) FROM notifications WHERE kind = 'surge_started' AND recipient_id = \(supervisor.id)"
        )
        XCTAssertEqual(notified, 1)
        let incidentID = try require(status["incident_id"]?.string)
        let incident = try await get("/v1/incidents/\(incidentID)")
        XCTAssertEqual(
            Set(incident["actions"]?.array?.compactMap(\.string) ?? []),
            ["auto_replies_off", "fast_transfer_on", "rotation_cancelled:2", "reserve_activated:1", "supervisors_notified:1"]
        )

        // During the incident a supervisor sends one agent away: that choice must survive the restore.
        let supervisorKey = try await keyFor(supervisor)
        let override = try await withAPI { api in
            try await api.patch("/v1/agents/\(overridden.id)", key: supervisorKey, json(["duty_status": "away"]))
        }
        XCTAssertEqual(override.status, .ok)

        // Calm (1.4×) for the 30-minute hold: restored.
        try await live(tenantID, 14)
        _ = try await sweeper().sweep()
        clock.advance(by: 29 * 60)
        try await live(tenantID, 14)
        _ = try await sweeper().sweep()
        let value3 = try await openIncidents()
        XCTAssertEqual(value3, 1, "not before the hold period")
        clock.advance(by: 61)
        try await live(tenantID, 14)
        let ended = try await sweeper().sweep()
        XCTAssertEqual(ended.ended.count, 1)
        let value4 = try await duty(offRotation)
        XCTAssertEqual(value4, "off_rotation")
        let value5 = try await duty(reserve)
        XCTAssertEqual(value5, "reserve")
        let value6 = try await duty(away)
        XCTAssertEqual(value6, "away")
        let value7 = try await duty(overridden)
        XCTAssertEqual(value7, "away", "the supervisor's choice stays")
        let after = try await get("/v1/surge")
        XCTAssertEqual(after["active"]?.bool, false)
        XCTAssertEqual(after["auto_replies_off"]?.bool, false)
        let review = try await get("/v1/incidents/\(incidentID)/review")
        XCTAssertEqual(date(review["due_at"]), clock.now().addingTimeInterval(48 * 3600))
    }

    func testNoFlappingInsideTheHysteresisBand() async throws {
        try await seedHistory(tenantID)
        try await live(tenantID, 30)
        _ = try await sweeper().sweep()
        for live in [29, 20, 16, 25, 16] {
            clock.advance(by: 10 * 60)
            try await self.live(tenantID, live)
            let result = try await sweeper().sweep()
            XCTAssertEqual(result.ended.count, 0, "\(live) per window is above 1.5×")
        }
        try await live(tenantID, 10)
        clock.advance(by: 10 * 60)
        _ = try await sweeper().sweep()
        try await live(tenantID, 20)  // back above 1.5× resets the hold
        clock.advance(by: 25 * 60)
        _ = try await sweeper().sweep()
        try await live(tenantID, 10)
        clock.advance(by: 10 * 60)
        _ = try await sweeper().sweep()
        let value8 = try await openIncidents()
        XCTAssertEqual(value8, 1)
        let total = try await ownerPool.queryScalar(Int.self, "SELECT count(*) FROM incidents")
        XCTAssertEqual(total, 1, "one incident for the whole surge")
    }

    func testTwoWorkersAndAKilledTransitionGiveExactlyOneIncidentAndOneRestore() async throws {
        try await seedHistory(tenantID)
        try await live(tenantID, 60)
        // A worker dies inside the transition: its transaction rolls back and nothing is left half-done.
        struct Killed: Error {}
        let database = TenantDatabase(pool: appPool)
        do {
            try await database.transaction(tenantID) { tx in
                try await tx.execute("INSERT INTO surge_modes (tenant_id) VALUES (\(tenantID)) ON CONFLICT DO NOTHING")
                try await tx.execute("UPDATE surge_modes SET active = true WHERE tenant_id = \(tenantID)")
                try await tx.execute("UPDATE agents SET duty_status = 'on_duty' WHERE tenant_id = \(tenantID)")
                throw Killed()
            }
        } catch is Killed {}
        let half = try await ownerPool.queryScalar(Bool.self, "SELECT coalesce(bool_or(active), false) FROM surge_modes")
        XCTAssertEqual(half, false)

        let one = sweeper()
        let two = SurgeSweeper(database: TenantDatabase(pool: ConnectionPool(self.database.workerConfiguration)), clock: clock)
        async let a = one.sweep()
        async let b = two.sweep()
        let results = try await [a, b]
        XCTAssertEqual(results.map(\.started.count).reduce(0, +), 1)
        let value9 = try await openIncidents()
        XCTAssertEqual(value9, 1)

        try await live(tenantID, 5)
        _ = try await one.sweep()
        clock.advance(by: 31 * 60)
        try await live(tenantID, 5)
        async let c = one.sweep()
        async let d = two.sweep()
        let ends = try await [c, d]
        XCTAssertEqual(ends.map(\.ended.count).reduce(0, +), 1)
        let reviews = try await ownerPool.queryScalar(Int.self, "SELECT count(*) FROM incident_reviews")
        XCTAssertEqual(reviews, 1)
    }

    func testASurgeInOneTenantChangesNothingInAnother() async throws {
        let other = try await makeTenant("quiet")
        let quietAgent = try await services.agents.create(
            other.tenant.id,
            NewAgent(name: "Quiet", email: "q@quiet.cn", role: "agent", dutyStatus: "reserve")
        )
        try await seedHistory(tenantID)
        try await seedHistory(other.tenant.id)
        try await live(tenantID, 90)
        try await live(other.tenant.id, 10)
        _ = try await sweeper().sweep()
        let value10 = try await openIncidents(tenantID)
        XCTAssertEqual(value10, 1)
        let value11 = try await openIncidents(other.tenant.id)
        XCTAssertEqual(value11, 0)
        let duty = try await ownerPool.queryScalar(String.self, "SELECT duty_status FROM agents WHERE id = \(quietAgent.id)")
        XCTAssertEqual(duty, "reserve")
        let otherSurge = try await withAPI { api in try await api.get("/v1/surge", key: other.apiKey) }
        XCTAssertEqual(otherSurge["active"]?.bool, false)
        let otherIncidents = try await withAPI { api in try await api.get("/v1/incidents", key: other.apiKey) }
        XCTAssertEqual(otherIncidents["items"]?.array?.count, 0)
    }

    func testIntakeCountsMinutesAndSurgeModeSilencesAutoRepliesAndFastTracksChat() async throws {
        let supervisor = try await addAgent("Sup Su", tier: "senior", role: "supervisor", duty: "away")
        let supervisorKey = try await keyFor(supervisor)
        try await addRule(["name": "billing", "keywords": ["invoice"], "skill": "billing"])
        let general = try await addAgent("General Ge", tier: "junior")
        // Saturday: outside service hours, so intake would normally auto-reply.
        clock.set(Date(timeIntervalSince1970: 1_764_385_200))
        let manual = try await withAPI { api in try await api.post("/v1/surge/activate", key: supervisorKey, "{}") }
        XCTAssertEqual(manual.status, .created, manual.raw)
        XCTAssertEqual(manual["trigger"]?.string, "manual")
        let again = try await withAPI { api in try await api.post("/v1/surge/activate", key: supervisorKey, "{}") }
        XCTAssertEqual(again.status, .conflict)
        let agentKey = try await keyFor(general)
        let forbidden = try await withAPI { api in try await api.post("/v1/surge/deactivate", key: agentKey, "{}") }
        XCTAssertEqual(forbidden.status, .forbidden)

        let ticket = try await intake(["customer": ["name": "X"], "channel": "chat", "category": "inquiry", "description": "invoice missing"])
        XCTAssertNil(ticket["auto_reply"]?.string, "bot replies are off in surge mode")
        XCTAssertEqual(ticket["owner_id"]?.string, general.id.uuidString, "chat goes straight to a free agent, no skill needed")
        let counted = try await ownerPool.queryScalar(Int.self, "SELECT sum(count) FROM intake_minutes WHERE tenant_id = \(tenantID)")
        XCTAssertEqual(counted, 1)
        let hour = Date(timeIntervalSince1970: (clock.now().timeIntervalSince1970 / 3600).rounded(.down) * 3600)
        let countedHour = try await ownerPool.queryScalar(
            Int.self,
            "SELECT count FROM intake_hours WHERE tenant_id = \(tenantID) AND channel = 'chat' AND hour = \(hour)"
        )
        XCTAssertEqual(countedHour, 1, "the hourly rollup is written with the minute bucket")

        // A manual incident is not ended by the detector, only by a supervisor.
        clock.advance(by: 3 * 3600)
        let swept = try await sweeper().sweep()
        XCTAssertEqual(swept.ended.count, 0)
        let ended = try await withAPI { api in try await api.post("/v1/surge/deactivate", key: supervisorKey, "{}") }
        XCTAssertEqual(ended.status, .ok)
        XCTAssertNotNil(ended["ended_at"]?.string)

        let incidentID = try require(manual["id"]?.string)
        let patched = try await withAPI { api in
            try await api.patch(
                "/v1/incidents/\(incidentID)/review",
                key: supervisorKey,
                json([
                    "foreseeable": "The Double 11 promotion was announced a week ahead.",
                    "process_stalls": "Reserve agents had no refund permissions.",
                    "emergency_issues": [["title": "Refund permissions for reserve agents", "detail": "grant before promotions"]],
                    "submit": true,
                ])
            )
        }
        XCTAssertEqual(patched.status, .ok, patched.raw)
        XCTAssertNotNil(patched["submitted_at"]?.string)
        XCTAssertEqual(patched["emergency_issues"]?.array?.count, 1)
        let locked = try await withAPI { api in
            try await api.patch("/v1/incidents/\(incidentID)/review", key: supervisorKey, json(["foreseeable": "x"]))
        }
        XCTAssertEqual(locked.status, .conflict)
    }

    func testAPlannedEventActivatesReservesThreeDaysAheadAndReturnsThemAfter() async throws {
        let supervisor = try await addAgent("Sup Su", tier: "senior", role: "supervisor")
        let reserve = try await addAgent("Reserve Ren", duty: "reserve")
        let supervisorKey = try await keyFor(supervisor)
        let start = clock.now().addingTimeInterval(5 * 86_400)
        let created = try await withAPI { api in
            try await api.post(
                "/v1/events",
                key: supervisorKey,
                json([
                    "name": "Double 11 promotion", "starts_at": KefuJSON.format(start),
                    "ends_at": KefuJSON.format(start.addingTimeInterval(86_400)),
                ])
            )
        }
        XCTAssertEqual(created.status, .created, created.raw)
        XCTAssertEqual(date(created["activate_at"]), start.addingTimeInterval(-3 * 86_400))
        let bad = try await withAPI { api in
            try await api.post(
                "/v1/events",
                key: supervisorKey,
                json(["name": "x", "starts_at": KefuJSON.format(start), "ends_at": KefuJSON.format(start)])
            )
        }
        XCTAssertEqual(bad.errorField, "ends_at")
        func duty() async throws -> String? {
            try await ownerPool.queryScalar(String.self, "SELECT duty_status FROM agents WHERE id = \(reserve.id)")
        }
        _ = try await sweeper().sweep()
        let value1 = try await duty()
        XCTAssertEqual(value1, "reserve", "five days ahead: not yet")
        clock.set(start.addingTimeInterval(-3 * 86_400 + 60))
        _ = try await sweeper().sweep()
        let value2 = try await duty()
        XCTAssertEqual(value2, "on_duty", "three days ahead: reserves on duty")

        // A surge during the event is linked to it.
        clock.set(start.addingTimeInterval(3600))
        try await seedHistory(tenantID)
        try await live(tenantID, 60)
        let surge = try await sweeper().sweep()
        XCTAssertEqual(surge.started.first?.eventId?.uuidString, created["id"]?.string)

        // After the event (and the surge) the reserve goes back.
        clock.set(start.addingTimeInterval(86_400 + 3600))
        try await live(tenantID, 0)
        _ = try await sweeper().sweep()
        clock.advance(by: 31 * 60)
        _ = try await sweeper().sweep()
        _ = try await sweeper().sweep()
        let value3 = try await duty()
        XCTAssertEqual(value3, "reserve")
        let event = try await get("/v1/events/\(try require(created["id"]?.string))")
        XCTAssertNotNil(event["returned_at"]?.string)
    }
}
