import Foundation
import KefuCore
import KefuPostgres
import KefuTestSupport
import XCTest

/// `GET/PUT /v1/sla-policies` and what intake does with them: per priority and customer segment,
/// business hours or 24x7, channel service hours, the acknowledgement and the expected time.
final class SLAPolicyAPITests: TicketTestCase {
    /// The default set (P1 … P4) as a client writes it, then `extra`.
    private func defaults(_ extra: [[String: Any]] = []) -> [[String: Any]] {
        let rows: [(String, String, Int, Int, Int)] = [
            ("P1", "24x7", 10, 120, 1_440), ("P2", "business_hours", 30, 240, 1_080),
            ("P3", "business_hours", 120, 0, 2_700), ("P4", "business_hours", 1_440, 0, 5_400),
        ]
        return rows.map { priority, calendar, first, plan, resolution in
            [
                "priority": priority, "calendar": calendar, "first_response_minutes": first, "plan_minutes": plan,
                "progress_minutes": 120, "resolution_minutes": resolution,
            ]
        } + extra
    }

    private func put(_ policies: [[String: Any]], key: String? = nil) async throws -> APIClient.Reply {
        let body = json(["policies": policies])
        let caller = key ?? self.key
        return try await withAPI { api in try await api.send(.put, "/v1/sla-policies", key: caller, body: body) }
    }

    func testTheDefaultsAreServedUntilTheTenantWritesItsOwn() async throws {
        let reply = try await get("/v1/sla-policies")
        XCTAssertEqual(reply.status, .ok, reply.raw)
        let policies = try require(reply["policies"]?.array)
        XCTAssertEqual(policies.compactMap { $0["priority"]?.string }, ["P1", "P2", "P3", "P4"])
        XCTAssertEqual(policies.compactMap { $0["calendar"]?.string }, ["24x7", "business_hours", "business_hours", "business_hours"])
        XCTAssertEqual(policies.compactMap { $0["first_response_minutes"]?.number }, [10, 30, 120, 1_440])
        XCTAssertEqual(policies.compactMap { $0["plan_minutes"]?.number }, [120, 240, 0, 0])
        XCTAssertEqual(policies.compactMap { $0["resolution_minutes"]?.number }, [1_440, 1_080, 2_700, 5_400])
        XCTAssertNil(policies[0]["segment"], "no segment: the priority's policy for everyone")
        let stored = try await ownerPool.queryScalar(Int.self, "SELECT count(*) FROM sla_policies")
        XCTAssertEqual(stored, 0)
    }

    func testAPutReplacesTheSetAndIntakeFollowsItPerSegment() async throws {
        var policies = defaults([
            [
                "priority": "P3", "segment": "vip", "calendar": "24x7", "first_response_minutes": 15, "plan_minutes": 60,
                "progress_minutes": 30, "resolution_minutes": 240,
            ]
        ])
        policies[1]["first_response_minutes"] = 20
        let written = try await put(policies)
        XCTAssertEqual(written.status, .ok, written.raw)
        XCTAssertEqual(written["policies"]?.array?.count, 5)
        let read = try await get("/v1/sla-policies")
        XCTAssertEqual(read.body, written.body)
        XCTAssertEqual(read["policies"]?.array?[1]["first_response_minutes"]?.number, 20)
        XCTAssertEqual(read["policies"]?.array?[3]["segment"]?.string, "vip", "P3's override follows P3's general policy")

        // Saturday 2025-11-29 11:00 Shanghai: a VIP's P3 counts around the clock, a regular's waits for Monday.
        clock.set(Date(timeIntervalSince1970: 1_764_385_200))
        let vip = try await intake([
            "customer": ["name": "Chen Jing", "segment": "vip"], "channel": "web_form", "category": "inquiry", "priority": "P3",
            "description": "Where is my invoice?",
        ])
        XCTAssertEqual(vip.status, .created, vip.raw)
        XCTAssertEqual(vip["sla_segment"]?.string, "vip")
        XCTAssertEqual(date(vip["first_response_due_at"]), minutes(15, after: clock.now()))
        XCTAssertEqual(date(vip["plan_due_at"]), minutes(60, after: clock.now()))
        XCTAssertEqual(date(vip["expected_resolution_at"]), minutes(240, after: clock.now()))
        XCTAssertNil(vip["auto_reply"], "its clocks count 24x7: nobody promises Monday")
        let regular = try await intake([
            "customer": ["name": "Wang Wei"], "channel": "web_form", "category": "inquiry", "priority": "P2",
            "description": "Where is my invoice?",
        ])
        XCTAssertEqual(regular["sla_segment"]?.string, "regular")
        // Monday 2025-12-01 09:00 Shanghai + P2's 20 minutes.
        XCTAssertEqual(date(regular["first_response_due_at"]), Date(timeIntervalSince1970: 1_764_550_800 + 20 * 60))
        XCTAssertNotNil(regular["auto_reply"])
        let rows = try await ownerPool.queryScalar(Int.self, "SELECT count(*) FROM sla_policies WHERE tenant_id = \(tenantID)")
        XCTAssertEqual(rows, 5)

        // A second PUT replaces the set: the override is gone.
        let back = try await put(defaults())
        XCTAssertEqual(back["policies"]?.array?.count, 4, back.raw)
        let left = try await ownerPool.queryScalar(Int.self, "SELECT count(*) FROM sla_policies WHERE segment IS NOT NULL")
        XCTAssertEqual(left, 0)
    }

    func testInvalidPoliciesAre422NamingTheFieldAndChangeNothing() async throws {
        _ = try await put(defaults())
        func with(_ index: Int, _ field: String, _ value: Any) -> [[String: Any]] {
            var policies = defaults()
            policies[index][field] = value
            return policies
        }
        let cases: [([[String: Any]], String)] = [
            (with(0, "first_response_minutes", 0), "policies[0].first_response_minutes"),
            (with(1, "first_response_minutes", 43_201), "policies[1].first_response_minutes"),
            (with(2, "plan_minutes", -1), "policies[2].plan_minutes"),
            (with(3, "progress_minutes", 10_081), "policies[3].progress_minutes"),
            (with(0, "resolution_minutes", 525_601), "policies[0].resolution_minutes"),
            (with(0, "first_response_minutes", 1.5), "policies[0].first_response_minutes"),
            (with(1, "calendar", "weekdays"), "policies[1].calendar"),
            (with(2, "priority", "P9"), "policies[2].priority"),
            (with(3, "segment", "gold"), "policies[3].segment"),
            (with(0, "colour", "red"), "policies[0].colour"),
            (Array(defaults().dropLast()), "policies"),
            (defaults([defaults()[1]]), "policies[4]"),
        ]
        for (policies, field) in cases {
            let reply = try await put(policies)
            XCTAssertEqual(reply.status, .unprocessableContent, "\(field): \(reply.raw)")
            XCTAssertEqual(reply.errorField, field, reply.raw)
        }
        let missing = try await withAPI { [key] api in try await api.send(.put, "/v1/sla-policies", key: key, body: "{}") }
        XCTAssertEqual(missing.errorField, "policies", missing.raw)
        let stored = try await ownerPool.queryScalar(Int.self, "SELECT count(*) FROM sla_policies WHERE tenant_id = \(tenantID)")
        XCTAssertEqual(stored, 4, "refused sets wrote nothing")

        // Writing is for admins, as the settings are; reading for everyone.
        let supervisor = try await keyFor(try await addAgent("Sup Su", role: "supervisor"))
        let refused = try await put(defaults(), key: supervisor)
        XCTAssertEqual(refused.status, .forbidden, refused.raw)
        let read = try await withAPI { api in try await api.get("/v1/sla-policies", key: supervisor) }
        XCTAssertEqual(read.status, .ok)
    }

    func testADeleteReturnsTheTenantToTheDefaults() async throws {
        let defaultsBody = try await get("/v1/sla-policies").body
        var policies = defaults()
        policies[0]["first_response_minutes"] = 5
        _ = try await put(policies)
        let other = try await makeTenant("other")
        _ = try await put(policies, key: other.apiKey)

        let supervisor = try await keyFor(try await addAgent("Sup Su", role: "supervisor"))
        let refused = try await withAPI { api in try await api.send(.delete, "/v1/sla-policies", key: supervisor) }
        XCTAssertEqual(refused.status, .forbidden, refused.raw)
        let reset = try await withAPI { [key] api in try await api.send(.delete, "/v1/sla-policies", key: key) }
        XCTAssertEqual(reset.status, .ok, reset.raw)
        XCTAssertEqual(reset.body, defaultsBody, "the defaults are in force again")
        let again = try await withAPI { [key] api in try await api.send(.delete, "/v1/sla-policies", key: key) }
        XCTAssertEqual(again.body, defaultsBody)
        let mine = try await ownerPool.queryScalar(Int.self, "SELECT count(*) FROM sla_policies WHERE tenant_id = \(tenantID)")
        XCTAssertEqual(mine, 0)
        let theirs = try await ownerPool.queryScalar(Int.self, "SELECT count(*) FROM sla_policies WHERE tenant_id = \(other.tenantId)")
        XCTAssertEqual(theirs, 4, "another tenant's set stays")
        let created = try await intake(["customer": ["name": "Li"], "channel": "in_app", "category": "fault", "priority": "P1", "description": "x"])
        XCTAssertEqual(date(created["first_response_due_at"]), minutes(10), "new tickets follow the defaults")
    }

    func testEachTenantHasItsOwnPolicies() async throws {
        let other = try await makeTenant("other")
        var policies = defaults()
        policies[0]["first_response_minutes"] = 5
        let written = try await put(policies, key: other.apiKey)
        XCTAssertEqual(written.status, .ok, written.raw)
        let mine = try await get("/v1/sla-policies")
        XCTAssertEqual(mine["policies"]?.array?[0]["first_response_minutes"]?.number, 10, "another tenant's set changes nothing here")
        let created = try await intake(["customer": ["name": "Li"], "channel": "in_app", "category": "fault", "priority": "P1", "description": "x"])
        XCTAssertEqual(date(created["first_response_due_at"]), minutes(10))
    }

    func testAChannelServedAroundTheClockCountsWallTimeForEveryPriority() async throws {
        let patched = try await withAPI { [key] api in
            try await api.patch("/v1/settings", key: key, json(["settings": ["always_open_channels": ["chat"]]]))
        }
        XCTAssertEqual(patched.status, .ok, patched.raw)
        // Tuesday 20:00 Shanghai: after hours.
        let evening = minutes(10 * 60)
        clock.set(evening)
        let chat = try await intake(["customer": ["name": "A"], "channel": "chat", "category": "inquiry", "priority": "P3", "description": "x"])
        XCTAssertEqual(date(chat["first_response_due_at"]), minutes(120, after: evening), "chat is open 24x7")
        XCTAssertEqual(date(chat["channel_response_due_at"]), evening.addingTimeInterval(30))
        XCTAssertNil(chat["auto_reply"])
        let email = try await intake(["customer": ["name": "B"], "channel": "email", "category": "inquiry", "priority": "P3", "description": "x"])
        // Wednesday 09:00 + 2 h of business time.
        XCTAssertEqual(date(email["first_response_due_at"]), minutes(23 * 60 + 120))
        XCTAssertNotNil(email["auto_reply"])
    }

    func testIntakeAcknowledgesWithinAMinuteInTheTenantsLanguage() async throws {
        let created = try await intake(["customer": ["name": "A"], "channel": "web_form", "category": "inquiry", "description": "x"])
        XCTAssertEqual(date(created["acknowledged_at"]), TicketTestCase.tuesdayTen)
        XCTAssertEqual(date(created["acknowledgement_due_at"]), TicketTestCase.tuesdayTen.addingTimeInterval(60))
        let id = try require(created["id"]?.string)
        let messages = try await get("/v1/tickets/\(id)/messages")
        let items = try require(messages["items"]?.array)
        XCTAssertEqual(items.compactMap { $0["author_kind"]?.string }, ["customer", "system"])
        XCTAssertEqual(items.last?["body"]?.string, "已收到问题，正在为您处理")
        XCTAssertEqual(items.last?["visibility"]?.string, "public")
        let events = try await get("/v1/tickets/\(id)/events")
        XCTAssertTrue((events["items"]?.array ?? []).contains { $0["kind"]?.string == "acknowledged" })

        _ = try await withAPI { [key] api in try await api.patch("/v1/settings", key: key, json(["settings": ["locale": "en"]])) }
        let english = try await intake(["customer": ["name": "B"], "channel": "chat", "category": "inquiry", "description": "x"])
        let englishMessages = try await get("/v1/tickets/\(try require(english["id"]?.string))/messages")
        XCTAssertEqual(englishMessages["items"]?.array?.last?["body"]?.string, "We have received your request and are working on it.")
    }

    func testOnThePhoneThePersonWhoAnswersAcknowledgesOrTheClockIsBreached() async throws {
        let agent = try await addAgent("Agent An")
        let agentKey = try await keyFor(agent)
        let gateway = try await keyFor(try await addAgent("Gateway Voicemail", role: "integration", duty: "away"))
        func phone(_ name: String, key: String) async throws -> APIClient.Reply {
            let body = json(["customer": ["name": name], "channel": "phone", "category": "inquiry", "description": "Call me back"])
            let reply = try await withAPI { api in try await api.post("/v1/tickets", key: key, body) }
            XCTAssertEqual(reply.status, .created, reply.raw)
            return reply
        }
        // Taken in by the agent on the call: that call was the acknowledgement.
        let call = try await phone("Zhao", key: agentKey)
        XCTAssertEqual(date(call["acknowledged_at"]), TicketTestCase.tuesdayTen)
        let callEvents = try await get("/v1/tickets/\(try require(call["id"]?.string))/events")
        let acknowledged = (callEvents["items"]?.array ?? []).first { $0["kind"]?.string == "acknowledged" }
        XCTAssertEqual(acknowledged?["after"]?["by"]?.string, "call")

        // Voicemails from the telephony gateway: nobody has answered yet, and Kefu sends nothing itself.
        let answered = try await phone("Qian", key: gateway)
        let missed = try await phone("Sun", key: gateway)
        XCTAssertNil(answered["acknowledged_at"])
        XCTAssertEqual(date(answered["acknowledgement_due_at"]), minutes(1))
        let answeredID = try require(answered["id"]?.string)
        let missedID = try require(missed["id"]?.string)
        let messages = try await get("/v1/tickets/\(answeredID)/messages")
        XCTAssertEqual(messages["items"]?.array?.compactMap { $0["author_kind"]?.string }, ["customer"])

        clock.set(minutes(0.5))
        let reply = try await act(answeredID, "respond", ["body": "您好，我来帮您看一下。"], as: agentKey)
        XCTAssertEqual(date(reply["acknowledged_at"]), minutes(0.5), reply.raw)
        clock.set(minutes(1))
        _ = try await worker.timers.sweep()
        let breaches = try await ownerPool.query("SELECT ticket_id, due_at, met_at FROM ticket_sla_breaches WHERE clock = 'acknowledgement'")
        XCTAssertEqual(breaches.count, 1)
        XCTAssertEqual(try breaches.first?.decode(UUID.self, "ticket_id").uuidString.lowercased(), missedID.lowercased())
        XCTAssertEqual(try breaches.first?.decode(Date.self, "due_at"), minutes(1))
        let listed = try await get("/v1/tickets/\(missedID)/breaches")
        XCTAssertEqual(listed["items"]?.array?.first?["clock"]?.string, "acknowledgement")
        // Answered late, the reply records the breach itself.
        let late = try await phone("Li", key: gateway)
        clock.set(minutes(3))
        let lateReply = try await act(try require(late["id"]?.string), "respond", ["body": "抱歉久等了"], as: agentKey)
        XCTAssertEqual(lateReply["breached"]?.bool, true, lateReply.raw)
    }

    func testTheExpectedTimeDefaultsFromThePrioritysResolutionTarget() async throws {
        let defaulted = try await intake(["customer": ["name": "A"], "channel": "api", "category": "inquiry", "description": "x"])
        // P3: 2 700 business minutes (five 9-hour days) from Tuesday 10:00 is the next Tuesday 10:00.
        let due = TicketTestCase.tuesdayTen.addingTimeInterval(7 * 86_400)
        XCTAssertEqual(date(defaulted["expected_resolution_at"]), due)
        XCTAssertEqual(date(defaulted["resolution_due_at"]), due)
        XCTAssertEqual(defaulted["expected_resolution_defaulted"]?.bool, true)
        let given = try await intake([
            "customer": ["name": "B"], "channel": "api", "category": "inquiry", "description": "x",
            "expected_resolution_at": "2025-11-26T10:00:00+08:00",
        ])
        XCTAssertEqual(date(given["expected_resolution_at"]), minutes(24 * 60))
        XCTAssertEqual(given["expected_resolution_defaulted"]?.bool, false)
        let id = try require(UUID(uuidString: try require(defaulted["id"]?.string)))
        let stored = try await ownerPool.queryScalar(Bool.self, "SELECT expected_resolution_defaulted FROM tickets WHERE id = \(id)")
        XCTAssertEqual(stored, true)
    }
}
