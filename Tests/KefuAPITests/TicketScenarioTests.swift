import Foundation
import KefuCore
import KefuPostgres
import KefuTestSupport
import XCTest

/// The seed's example rows, through the API at exact instants.
final class TicketScenarioTests: TicketTestCase {
    func testVIPPaymentFailureOnChatIsP1AnsweredOnTimeAndResolved() async throws {
        try await addRule(["name": "payment failures", "keywords": ["payment fail", "支付失败"], "skill": "billing", "priority": "P1"])
        try await addAgent("Junior Billing", tier: "junior", skills: ["billing"])
        let billing = try await addAgent("Mid Billing", tier: "mid", skills: ["billing"])
        let billingKey = try await keyFor(billing)

        let created = try await intake([
            "customer": [
                "name": "Chen Jing", "segment": "vip", "high_value": true,
                "contacts": [["kind": "phone", "value": "+86 138 0000 0000", "consent": true]],
            ],
            "channel": "chat", "category": "fault",
            "description": "Payment fails with 'bank card status abnormal'",
        ])
        XCTAssertEqual(created.status, .created, created.raw)
        XCTAssertEqual(created["priority"]?.string, "P1")
        XCTAssertEqual(created["reference"]?.string, "T-000001")
        XCTAssertEqual(created["status"]?.string, "assigned")
        XCTAssertEqual(created["owner_id"]?.string, billing.id.uuidString, "VIP + billing → the mid billing agent")
        XCTAssertEqual(created["first_owner_id"]?.string, billing.id.uuidString)
        XCTAssertEqual(date(created["first_response_due_at"]), minutes(10))
        XCTAssertEqual(date(created["plan_due_at"]), minutes(120))
        XCTAssertEqual(date(created["channel_response_due_at"]), minutes(0.5))
        XCTAssertNil(created["auto_reply"]?.string, "inside service hours there is no automatic reply")
        let id = try require(created["id"]?.string)

        clock.set(minutes(5))
        let answered = try await act(id, "respond", ["body": "非常理解您的着急，我们马上为您查看。"], as: billingKey)
        XCTAssertEqual(answered.status, .ok, answered.raw)
        XCTAssertEqual(answered["status"]?.string, "in_progress")
        XCTAssertEqual(date(answered["first_response_at"]), minutes(5))
        XCTAssertEqual(date(answered["progress_due_at"]), minutes(125))

        clock.set(minutes(30))
        let resolved = try await act(
            id,
            "resolve",
            [
                "solution_summary": "Card status reset by the bank; payment retried successfully.",
                "solution_options": ["retry the payment", "pay with another card"],
                "compensation": ["kind": "coupon", "amount": 20, "currency": "CNY"],
            ],
            as: billingKey
        )
        XCTAssertEqual(resolved["status"]?.string, "resolved", resolved.raw)
        XCTAssertEqual(date(resolved["resolved_at"]), minutes(30))
        XCTAssertEqual(date(resolved["plan_at"]), minutes(30), "the resolution is within the 2 h plan target")
        XCTAssertEqual(resolved["solution_options"]?.array?.count, 2)
        XCTAssertEqual(resolved["compensation"]?["amount"]?.number, 20)

        let breaches = try await get("/v1/tickets/\(id)/breaches")
        let clocks = (breaches["items"]?.array ?? []).compactMap { $0["clock"]?.string }
        XCTAssertFalse(clocks.contains("first_response"), "answered at +5 min against a 10 min target")
        XCTAssertFalse(clocks.contains("plan"))
        XCTAssertEqual(clocks, ["channel_response"], "the 30 s chat pick-up target was missed and is on record")

        let events = try await get("/v1/tickets/\(id)/events")
        let kinds = (events["items"]?.array ?? []).compactMap { $0["kind"]?.string }
        XCTAssertEqual(kinds.first, "created")
        for kind in ["assigned", "first_response", "responded", "resolved"] { XCTAssertTrue(kinds.contains(kind), "\(kinds)") }
        let firstResponse = events["items"]?.array?.first { $0["kind"]?.string == "first_response" }
        XCTAssertEqual(firstResponse?["after"]?["on_time"]?.bool, true)
    }

    func testEnterpriseContractDisputeAnsweredLateIsABreach() async throws {
        try await addRule(["name": "contract disputes", "keywords": ["contract"], "segment": "enterprise", "priority": "P2", "min_tier": "mid"])
        let senior = try await addAgent("Senior Sun", tier: "senior")
        let created = try await intake([
            "customer": ["name": "Acme Trading Co.", "segment": "enterprise"],
            "channel": "phone", "category": "complaint", "subject": "Contract dispute",
            "description": "The contract renewal price differs from what sales promised.",
        ])
        XCTAssertEqual(created["priority"]?.string, "P2", created.raw)
        XCTAssertEqual(created["owner_id"]?.string, senior.id.uuidString)
        XCTAssertEqual(date(created["first_response_due_at"]), minutes(30))
        XCTAssertEqual(date(created["channel_response_due_at"]), minutes(5), "complaints get first feedback within 5 minutes")
        let id = try require(created["id"]?.string)

        clock.set(minutes(45))
        let answered = try await act(id, "respond", ["body": "We are reviewing the contract with sales."], as: try await keyFor(senior))
        XCTAssertEqual(answered["breached"]?.bool, true)
        let breaches = try await get("/v1/tickets/\(id)/breaches")
        let firstResponse = breaches["items"]?.array?.first { $0["clock"]?.string == "first_response" }
        XCTAssertEqual(date(firstResponse?["due_at"]), minutes(30))
        XCTAssertEqual(date(firstResponse?["met_at"]), minutes(45))
        XCTAssertEqual(firstResponse?["late_seconds"]?.number, 15 * 60)
        let stored = try await ownerPool.queryScalar(Int.self, "SELECT count(*) FROM ticket_sla_breaches WHERE clock = 'first_response'")
        XCTAssertEqual(stored, 1)
    }

    func testOutsideServiceHoursTheIntakeRepliesWithWhenAHumanAnswers() async throws {
        // Saturday 2025-11-29 11:00 in Shanghai.
        let saturday = Date(timeIntervalSince1970: 1_764_385_200)
        clock.set(saturday)
        try await addAgent("Weekday Wang")
        let created = try await intake([
            "customer": ["name": "Night Owl"], "channel": "email", "category": "inquiry", "priority": "P3",
            "description": "How do I change my delivery address?",
        ])
        // Monday 2025-12-01 09:00 Shanghai = 01:00 UTC.
        let monday = Date(timeIntervalSince1970: 1_764_550_800)
        XCTAssertEqual(date(created["human_available_at"]), monday, created.raw)
        XCTAssertEqual(created["auto_reply"]?.string, "感谢您的联系。当前为非服务时间，客服将于12月1日 09:00起为您服务。", created.raw)
        XCTAssertEqual(date(created["first_response_due_at"]), monday.addingTimeInterval(7200), "P3 counts business time")
        let emailDue = try require(date(created["channel_response_due_at"]))
        XCTAssertTrue(emailDue > monday && emailDue <= monday.addingTimeInterval(33 * 3600), "email: within one working day: \(emailDue)")
        let messages = try await get("/v1/tickets/\(try require(created["id"]?.string))/messages")
        XCTAssertEqual(messages["items"]?.array?.compactMap { $0["author_kind"]?.string }, ["customer", "system", "system"])
        XCTAssertEqual(messages["items"]?.array?[1]["body"]?.string, "已收到问题，正在为您处理", "acknowledged at once, then told when")
    }
}
