import Foundation
import KefuCore
import KefuPostgres
import KefuTestSupport
import XCTest

/// Plans: measures, executor, completion time, compensation; a supervisor approves P1/P2 and
/// complex plans, the customer confirms (recorded by the agent), then the plan is executed —
/// each step an event, every step out of order a 409.
final class TicketPlanTests: TicketTestCase {
    private func plan(_ cast: CollaborationCast, step: String, _ body: [String: Any] = [:], as caller: String) async throws -> APIClient.Reply {
        try await act(cast.ticket, "plan/\(step)", body, as: caller)
    }

    func testAP2PlanIsApprovedThenConfirmedThenExecutedInOrder() async throws {
        let cast = try await collaborationCast(priority: "P2")
        clock.set(minutes(5))
        _ = try await act(cast.ticket, "respond", ["body": "Looking into it"], as: cast.ownerKey)
        clock.set(minutes(30))
        let proposed = try await act(
            cast.ticket,
            "plan",
            [
                "body": "We re-send the refund today", "executor_id": cast.member.id.uuidString,
                "complete_by": "2025-11-25T10:00:00Z", "compensation": ["kind": "voucher", "amount": 20, "currency": "CNY"],
            ],
            as: cast.ownerKey
        )
        XCTAssertEqual(proposed.status, .ok, proposed.raw)
        XCTAssertEqual(date(proposed["plan_at"]), minutes(30), "the plan given meets the plan clock")
        let plans = try await get("/v1/tickets/\(cast.ticket)/plans")
        let stored = try require(plans["items"]?.array?.first)
        XCTAssertEqual(stored["status"]?.string, "proposed")
        XCTAssertEqual(stored["requires_approval"]?.bool, true)
        XCTAssertEqual(stored["executor_id"]?.string, cast.member.id.uuidString)
        XCTAssertEqual(date(stored["complete_by"]), minutes(480))
        XCTAssertEqual(stored["compensation"]?["kind"]?.string, "voucher")
        let asked = try await notifications("plan_approval", to: cast.supervisor.id, cast.ticket)
        XCTAssertEqual(asked, 1, "the supervisor is asked to approve")

        for step in ["confirm", "execute"] {
            let early = try await plan(cast, step: step, as: cast.ownerKey)
            XCTAssertEqual(early.status, .conflict, "\(step) before approval: \(early.raw)")
        }
        let byAgent = try await plan(cast, step: "approve", as: cast.ownerKey)
        XCTAssertEqual(byAgent.status, .forbidden, byAgent.raw)
        clock.set(minutes(40))
        let approved = try await plan(cast, step: "approve", as: cast.supervisorKey)
        XCTAssertEqual(approved["status"]?.string, "approved", approved.raw)
        XCTAssertEqual(approved["decided_by"]?.string, cast.supervisor.id.uuidString)
        let again = try await plan(cast, step: "approve", as: cast.supervisorKey)
        XCTAssertEqual(again.status, .conflict, again.raw)
        let unconfirmed = try await plan(cast, step: "execute", as: cast.ownerKey)
        XCTAssertEqual(unconfirmed.status, .conflict, unconfirmed.raw)
        clock.set(minutes(50))
        let gateway = try await addAgent("Gateway WeChat", role: "integration")
        let gatewayKey = try await keyFor(gateway)
        let confirmed = try await plan(cast, step: "confirm", ["note": "Customer replied 好的 on WeChat"], as: gatewayKey)
        XCTAssertEqual(confirmed["status"]?.string, "confirmed", "recorded from the channel: \(confirmed.raw)")
        XCTAssertEqual(confirmed["confirmation"]?.string, "Customer replied 好的 on WeChat")
        XCTAssertEqual(confirmed["confirmed_by"]?.string, gateway.id.uuidString)
        let byOutsider = try await plan(cast, step: "execute", as: cast.outsiderKey)
        XCTAssertEqual(byOutsider.status, .forbidden, "neither owner nor executor: \(byOutsider.raw)")
        clock.set(minutes(60))
        let executed = try await plan(cast, step: "execute", as: cast.memberKey)
        XCTAssertEqual(executed["status"]?.string, "executed", executed.raw)
        XCTAssertEqual(date(executed["executed_at"]), minutes(60))
        XCTAssertEqual(executed["executed_by"]?.string, cast.member.id.uuidString, "the plan's executor executes it")
        let done = try await plan(cast, step: "execute", as: cast.ownerKey)
        XCTAssertEqual(done.status, .conflict, "no plan in progress: \(done.raw)")
        let kinds = try await eventKinds(cast.ticket)
        XCTAssertEqual(kinds.filter { $0.hasPrefix("plan_") }, ["plan_given", "plan_proposed", "plan_approved", "plan_confirmed", "plan_executed"])
    }

    func testAP3PlanNeedsNoApprovalUnlessComplexAndARejectedOrSupersededPlanStops() async throws {
        let cast = try await collaborationCast(priority: "P3")
        _ = try await act(cast.ticket, "respond", ["body": "Looking into it"], as: cast.ownerKey)
        _ = try await act(cast.ticket, "plan", ["body": "Restart the app"], as: cast.ownerKey)
        let needless = try await plan(cast, step: "approve", as: cast.supervisorKey)
        XCTAssertEqual(needless.status, .conflict, needless.raw)
        let confirmed = try await plan(cast, step: "confirm", as: cast.ownerKey)
        XCTAssertEqual(confirmed["status"]?.string, "confirmed", confirmed.raw)

        clock.set(minutes(10))
        _ = try await act(cast.ticket, "plan", ["body": "Reinstall and migrate the data", "complex": true], as: cast.ownerKey)
        let plans = try await get("/v1/tickets/\(cast.ticket)/plans")
        XCTAssertEqual((plans["items"]?.array ?? []).compactMap { $0["status"]?.string }, ["superseded", "proposed"])
        XCTAssertEqual(plans["items"]?.array?.last?["requires_approval"]?.bool, true, "complex plans need approval")
        let noReason = try await plan(cast, step: "reject", ["reason": ""], as: cast.supervisorKey)
        XCTAssertEqual(noReason.errorField, "reason", noReason.raw)
        let rejected = try await plan(cast, step: "reject", ["reason": "Too risky"], as: cast.supervisorKey)
        XCTAssertEqual(rejected["status"]?.string, "rejected", rejected.raw)
        XCTAssertEqual(rejected["rejection_reason"]?.string, "Too risky")
        let afterReject = try await plan(cast, step: "confirm", as: cast.ownerKey)
        XCTAssertEqual(afterReject.status, .conflict, afterReject.raw)
    }

    func testErasingTheCustomerErasesWhatTheirPlansSaid() async throws {
        let cast = try await collaborationCast(priority: "P3")
        _ = try await act(cast.ticket, "respond", ["body": "Looking into it"], as: cast.ownerKey)
        _ = try await act(cast.ticket, "plan", ["body": "Li Na gets a refund to her card"], as: cast.ownerKey)
        _ = try await plan(cast, step: "confirm", ["note": "Li Na said yes on 13800000000"], as: cast.ownerKey)
        let customer = try require(try await get("/v1/tickets/\(cast.ticket)")["customer_id"]?.string)
        let export = try await get("/v1/customers/\(customer)/export")
        XCTAssertEqual(export["plans"]?.array?.first?["measures"]?.string, "Li Na gets a refund to her card", "the export holds the plans")
        let erased = try await withAPI { [key] api in
            try await api.post("/v1/customers/\(customer)/erase", key: key, #"{"reason": "PIPL request"}"#)
        }
        XCTAssertEqual(erased.status, .ok, erased.raw)
        let plans = try await get("/v1/tickets/\(cast.ticket)/plans")
        let stored = try require(plans["items"]?.array?.first)
        XCTAssertEqual(stored["measures"]?.string, "[erased]")
        XCTAssertEqual(stored["confirmation"]?.string, "[erased]")
        XCTAssertFalse(plans.raw.contains("Li Na"), plans.raw)
        let exported = try await get("/v1/customers/\(customer)/export")
        XCTAssertFalse(exported.raw.contains("Li Na"), exported.raw)
    }

    func testBadPlansAreRefusedNamingTheFieldAndForeignTicketsAreMissing() async throws {
        let cast = try await collaborationCast(priority: "P2")
        _ = try await act(cast.ticket, "respond", ["body": "Looking into it"], as: cast.ownerKey)
        let cases: [([String: Any], String)] = [
            (["body": "x", "executor_id": UUID().uuidString], "executor_id"),
            (["body": "x", "compensation": ["kind": "cash", "amount": -1]], "compensation.amount"),
            (["body": ""], "body"),
            (["body": "x", "complex": "yes"], "complex"),
        ]
        for (body, field) in cases {
            let reply = try await act(cast.ticket, "plan", body, as: cast.ownerKey)
            XCTAssertEqual(reply.status, .unprocessableContent, reply.raw)
            XCTAssertEqual(reply.errorField, field, reply.raw)
        }
        let plans = try await get("/v1/tickets/\(cast.ticket)/plans")
        XCTAssertEqual(plans["items"]?.array?.count, 0, "nothing half-written")
        _ = try await act(cast.ticket, "plan", ["body": "Re-send"], as: cast.ownerKey)
        let other = try await makeTenant("other")
        for step in ["approve", "confirm", "execute"] {
            let foreign = try await withAPI { [ticket = cast.ticket] api in
                try await api.post("/v1/tickets/\(ticket)/plan/\(step)", key: other.apiKey, "{}")
            }
            XCTAssertEqual(foreign.status, .notFound, "\(step): \(foreign.raw)")
        }
        let foreignList = try await withAPI { [ticket = cast.ticket] api in try await api.get("/v1/tickets/\(ticket)/plans", key: other.apiKey) }
        XCTAssertEqual(foreignList.status, .notFound, foreignList.raw)
    }
}
