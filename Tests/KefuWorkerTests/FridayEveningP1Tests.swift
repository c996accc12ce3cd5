import Foundation
import KefuCore
import KefuPostgres
import KefuTestSupport
import XCTest

/// A P1 reported on a Friday evening in Shanghai (business hours 09:00–18:00, Monday to Friday):
/// its policy counts around the clock, so it is due that evening, not on Monday morning.
final class FridayEveningP1Tests: TicketTestCase {
    /// Friday 2026-12-04 20:00 Asia/Shanghai.
    static let fridayEvening = Date(timeIntervalSince1970: 1_796_385_600)

    private func paymentFailure(_ name: String) async throws -> APIClient.Reply {
        let created = try await intake([
            "customer": ["name": name], "channel": "in_app", "category": "fault", "priority": "P1",
            "description": "支付失败：银行卡状态异常",
        ])
        XCTAssertEqual(created.status, .created, created.raw)
        return created
    }

    private func breaches(_ id: String) async throws -> [String] {
        let reply = try await get("/v1/tickets/\(id)/breaches")
        return (reply["items"]?.array ?? []).compactMap { $0["clock"]?.string }
    }

    func testAP1OnAFridayEveningIsDueTheSameEveningAndBreachedAtItsDueTime() async throws {
        let onCall = try await addAgent("On Call", tier: "senior")
        let onCallKey = try await keyFor(onCall)
        let supervisor = try await addAgent("Sup Su", tier: "senior", role: "supervisor", duty: "away")
        clock.set(Self.fridayEvening)
        let answered = try await paymentFailure("Chen Jing")
        let missed = try await paymentFailure("Wang Wei")
        for created in [answered, missed] {
            XCTAssertEqual(date(created["first_response_due_at"]), Self.fridayEvening.addingTimeInterval(10 * 60), "20:10 the same evening")
            XCTAssertEqual(date(created["plan_due_at"]), Self.fridayEvening.addingTimeInterval(2 * 3600), "22:00 the same evening")
            XCTAssertEqual(date(created["expected_resolution_at"]), Self.fridayEvening.addingTimeInterval(24 * 3600))
            XCTAssertEqual(created["expected_resolution_defaulted"]?.bool, true)
            XCTAssertNil(created["auto_reply"], "no 'we answer on Monday' for a ticket due tonight")
            XCTAssertEqual(date(created["acknowledged_at"]), Self.fridayEvening)
        }
        let answeredID = try require(answered["id"]?.string)
        let missedID = try require(missed["id"]?.string)
        XCTAssertEqual(answered["owner_id"]?.string, onCall.id.uuidString)
        XCTAssertEqual(missed["owner_id"]?.string, onCall.id.uuidString)

        // 20:08: the on-call agent answers the first customer.
        clock.set(Self.fridayEvening.addingTimeInterval(8 * 60))
        let reply = try await act(answeredID, "respond", ["body": "非常理解您的着急，我们正在紧急处理。"], as: onCallKey)
        XCTAssertEqual(reply.status, .ok, reply.raw)
        XCTAssertEqual(reply["breached"]?.bool, false)
        XCTAssertEqual(date(reply["progress_due_at"]), Self.fridayEvening.addingTimeInterval(8 * 60 + 2 * 3600), "progress every 2 h, tonight too")

        // 20:09:59: nothing is due yet.
        clock.set(Self.fridayEvening.addingTimeInterval(10 * 60 - 1))
        let early = try await worker.timers.sweep()
        XCTAssertEqual(early.performed, 0)

        // 20:10: the second one's first response is missed; the worker records it at once.
        clock.set(Self.fridayEvening.addingTimeInterval(10 * 60))
        let due = try await worker.timers.sweep()
        XCTAssertEqual(due.performed, 1)
        let missedBreaches = try await breaches(missedID)
        XCTAssertEqual(missedBreaches, ["first_response"])
        let stored = try require(
            try await ownerPool.queryFirst("SELECT due_at, met_at, detected_at FROM ticket_sla_breaches WHERE clock = 'first_response'")
        )
        XCTAssertEqual(try stored.decode(Date.self, "due_at"), Self.fridayEvening.addingTimeInterval(10 * 60))
        XCTAssertEqual(try stored.decode(Date.self, "detected_at"), Self.fridayEvening.addingTimeInterval(10 * 60))
        XCTAssertNil(try stored.decode(Date?.self, "met_at"))
        let answeredBreaches = try await breaches(answeredID)
        XCTAssertEqual(answeredBreaches, [], "answered within 10 minutes: no breach")
        let flagged = try await get("/v1/tickets/\(missedID)")
        XCTAssertEqual(flagged["breached"]?.bool, true)
        let alerts = try await ownerPool.queryScalar(
            Int.self,
            "SELECT count(*) FROM notifications WHERE kind = 'sla_breach' AND recipient_id = \(supervisor.id)"
        )
        XCTAssertEqual(alerts, 1, "the supervisor hears of it that evening")

        // The agent's KPIs count the P1's response on its own calendar: 8 minutes, not 0 business seconds.
        let kpis = try await get("/v1/reports/agents?from=2026-12-04T00:00:00Z&to=2026-12-06T00:00:00Z")
        let onCallKPIs = try require(kpis["agents"]?.array?.first { $0["agent_id"]?.string == onCall.id.uuidString })
        XCTAssertEqual(onCallKPIs["average_first_response_seconds"]?.number, 480, kpis.raw)
    }

    func testAP3OnAFridayEveningStillWaitsForMonday() async throws {
        clock.set(Self.fridayEvening)
        let created = try await intake(["customer": ["name": "Li"], "channel": "in_app", "category": "inquiry", "priority": "P3", "description": "x"])
        // Monday 2026-12-07 09:00 Shanghai (01:00 UTC) + 2 h.
        let monday = Self.fridayEvening.addingTimeInterval(2 * 86_400 + 13 * 3600)
        XCTAssertEqual(date(created["first_response_due_at"]), monday.addingTimeInterval(2 * 3600))
        XCTAssertEqual(date(created["human_available_at"]), monday)
    }
}
