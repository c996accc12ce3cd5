import Foundation
import KefuCore
import KefuPostgres
import KefuTestSupport
import XCTest

/// The customer texts that come with an action: the progress notice (`POST /v1/tickets/{id}/progress`),
/// the survey invitation at resolution and the plan confirmation request — each recorded as a
/// public message from the tenant's template, in its language and time zone, at exact instants.
final class CustomerNoticeTests: TicketTestCase {
    private var owner: Agent!
    private var ownerKey = ""

    override func setUp() async throws {
        try await super.setUp()
        owner = try await addAgent("Zhou Min", tier: "mid")
        ownerKey = try await keyFor(owner)
    }

    /// A P3 fault by web form at Tuesday 10:00 Shanghai, routed to Zhou Min; its id and reference.
    private func ticket(priority: String = "P3") async throws -> (id: String, reference: String) {
        let created = try await intake([
            "customer": ["name": "Li Na"], "channel": "web_form", "category": "fault", "priority": priority,
            "description": "The refund never arrived",
        ])
        XCTAssertEqual(created.status, .created, created.raw)
        XCTAssertEqual(created["owner_id"]?.string, owner.id.uuidString)
        return (try require(created["id"]?.string), try require(created["reference"]?.string))
    }

    /// The ticket's messages as stored (`GET …/messages`), in order.
    private func messages(_ id: String) async throws -> [JSONValue] {
        try await get("/v1/tickets/\(id)/messages")["items"]?.array ?? []
    }

    private func put(_ name: String, _ locale: String, _ body: String) async throws -> APIClient.Reply {
        let text = json(["body": body])
        return try await withAPI { [key] api in try await api.send(.put, "/v1/templates/\(name)/\(locale)", key: key, body: text) }
    }

    private func speakEnglish() async throws {
        let patched = try await withAPI { [key] api in try await api.patch("/v1/settings", key: key, json(["settings": ["locale": "en"]])) }
        XCTAssertEqual(patched.status, .ok, patched.raw)
    }

    // MARK: progress notice

    func testAProgressNoticeMeetsAndReArmsTheProgressClockAndPromisesTheNextUpdate() async throws {
        let (id, reference) = try await ticket()
        clock.set(minutes(5))
        let replied = try await act(id, "respond", ["body": "我们正在核实退款"], as: ownerKey)
        XCTAssertEqual(date(replied["progress_due_at"]), minutes(125), "Tuesday 12:05 Shanghai")

        // 12:30, 25 minutes after the update was due.
        clock.set(minutes(150))
        let sent = try await act(id, "progress", ["note": "退款已提交银行"], as: ownerKey)
        XCTAssertEqual(sent.status, .ok, sent.raw)
        XCTAssertEqual(date(sent["progress_due_at"]), minutes(270), "re-armed: Tuesday 14:30 Shanghai")
        XCTAssertEqual(date(sent["last_public_update_at"]), minutes(150))
        XCTAssertEqual(sent["status"]?.string, "in_progress")
        XCTAssertEqual(sent["breached"]?.bool, true)

        let notice = try require(try await messages(id).last)
        XCTAssertEqual(notice["body"]?.string, "您的问题（工单\(reference)）正在处理中。\n最新进展：退款已提交银行\n我们将不晚于11月25日 14:30向您更新处理进展。")
        XCTAssertEqual(notice["visibility"]?.string, "public")
        XCTAssertEqual(notice["author_kind"]?.string, "agent")
        XCTAssertEqual(notice["author_id"]?.string, owner.id.uuidString)

        let breach = try await get("/v1/tickets/\(id)/breaches")["items"]?.array?.first { $0["clock"]?.string == "progress" }
        XCTAssertEqual(date(breach?["due_at"]), minutes(125))
        XCTAssertEqual(date(breach?["met_at"]), minutes(150))
        XCTAssertEqual(breach?["late_seconds"]?.number, 25 * 60)
        let timer = try await ownerPool.queryScalar(
            Date.self,
            "SELECT due_at FROM ticket_timers WHERE ticket_id = \(try require(UUID(uuidString: id))) AND kind = 'sla:progress' AND done_at IS NULL"
        )
        XCTAssertEqual(timer, minutes(270), "the worker's timer follows the re-armed clock")
        let kinds = try await get("/v1/tickets/\(id)/events")["items"]?.array?.compactMap { $0["kind"]?.string } ?? []
        XCTAssertEqual(kinds.last, "progress_notified")

        // Without a note, on time, in English.
        try await speakEnglish()
        clock.set(minutes(200))
        let plain = try await act(id, "progress", [:], as: ownerKey)
        XCTAssertEqual(date(plain["progress_due_at"]), minutes(320))
        let english = try await messages(id).last?["body"]?.string
        XCTAssertEqual(
            english,
            "We are working on your request \(reference).\nYou will hear from us again by 25 Nov 15:20 at the latest."
        )
        let breaches = try await get("/v1/tickets/\(id)/breaches")["items"]?.array?.count
        XCTAssertEqual(breaches, 1, "on time: no new breach")
    }

    func testTheFirstProgressNoticeIsTheFirstResponseAndWhileWaitingNoTimeIsPromised() async throws {
        let (id, reference) = try await ticket()
        clock.set(minutes(10))
        let first = try await act(id, "progress", ["note": "已联系仓库"], as: ownerKey)
        XCTAssertEqual(first["status"]?.string, "in_progress", first.raw)
        XCTAssertEqual(date(first["first_response_at"]), minutes(10))
        XCTAssertEqual(date(first["progress_due_at"]), minutes(130))
        _ = try await act(id, "request-info", ["body": "请提供订单号"], as: ownerKey)
        clock.set(minutes(20))
        let waiting = try await act(id, "progress", [:], as: ownerKey)
        XCTAssertEqual(waiting["status"]?.string, "waiting_on_customer", waiting.raw)
        let actual1 = try await messages(id).last?["body"]?.string
        XCTAssertEqual(actual1, "您的问题（工单\(reference)）正在处理中。")
    }

    func testATenantsOverrideIsUsedAndAnUnknownVariableIsRefused() async throws {
        let written = try await put("progress_notice", "zh-CN", "【{{ticket_reference}}】{{note}}，下次更新：{{next_update}}")
        XCTAssertEqual(written.status, .ok, written.raw)
        XCTAssertEqual(
            written["variables"]?.array?.compactMap { $0["name"]?.string },
            ["next_update", "note", "ticket_reference"]
        )
        let refused = try await put("progress_notice", "zh-CN", "{{agent_name}} 正在处理")
        XCTAssertEqual(refused.status, .unprocessableContent, refused.raw)
        XCTAssertEqual(refused.errorField, "body")
        XCTAssertTrue(refused["error"]?["message"]?.string?.contains("unknown variable 'agent_name'") == true, refused.raw)

        let (id, reference) = try await ticket()
        clock.set(minutes(30))
        _ = try await act(id, "progress", ["note": "已补发"], as: ownerKey)
        let actual2 = try await messages(id).last?["body"]?.string
        XCTAssertEqual(actual2, "【\(reference)】已补发，下次更新：11月25日 12:30")
    }

    func testProgressIsRefusedWhereAReplyIsAndForBadInputAndOtherTenants() async throws {
        // Zhou Min, the only agent, goes away: the next ticket stays new.
        let ownerPath = "/v1/agents/\(owner.id.uuidString)"
        let away = try await withAPI { [key] api in try await api.patch(ownerPath, key: key, json(["duty_status": "away"])) }
        XCTAssertEqual(away.status, .ok, away.raw)
        let created = try await intake(["customer": ["name": "Wu"], "channel": "email", "category": "inquiry", "description": "x"])
        XCTAssertEqual(created["status"]?.string, "new", created.raw)
        let onNew = try await act(try require(created["id"]?.string), "progress", [:])
        XCTAssertEqual(onNew.status, .conflict, onNew.raw)
        XCTAssertEqual(onNew["error"]?["message"]?.string, "cannot notify progress a new ticket: assign it first")
        _ = try await withAPI { [key] api in try await api.patch(ownerPath, key: key, json(["duty_status": "on_duty"])) }

        let (id, _) = try await ticket()
        let before = try await messages(id).count
        let cases: [([String: Any], String)] = [
            (["note": ""], "must not be empty"),
            (["note": "   "], "must not be empty"),
            (["note": String(repeating: "进", count: 1_001)], "at most 1000"),
            (["note": "bell \u{0007}"], "control characters"),
            (["note": 42], ""),
            (["note": "ok", "body": "unknown field"], ""),
        ]
        for (body, reason) in cases {
            let reply = try await act(id, "progress", body, as: ownerKey)
            XCTAssertEqual(reply.status, .unprocessableContent, "\(body): \(reply.raw)")
            let field = body["body"] == nil ? "note" : "body"
            XCTAssertEqual(reply.errorField, field, reply.raw)
            if !reason.isEmpty { XCTAssertTrue(reply["error"]?["message"]?.string?.contains(reason) == true, "\(reason): \(reply.raw)") }
        }
        let longest = try await act(id, "progress", ["note": String(repeating: "进", count: 1_000)], as: ownerKey)
        XCTAssertEqual(longest.status, .ok, "1,000 characters are allowed: \(longest.raw)")
        let actual3 = try await messages(id).count
        XCTAssertEqual(actual3, before + 1, "nothing written by a refused request")

        let colleague = try await addAgent("Song Li", tier: "mid", duty: "away")
        let notOwner = try await act(id, "progress", [:], as: try await keyFor(colleague))
        XCTAssertEqual(notOwner.status, .forbidden, "only who may reply: \(notOwner.raw)")

        let other = try await makeTenant("globex")
        let foreign = try await withAPI { api in try await api.post("/v1/tickets/\(id)/progress", key: other.apiKey, "{}") }
        XCTAssertEqual(foreign.status, .notFound, foreign.raw)

        _ = try await act(id, "resolve", ["solution_summary": "退款已到账"], as: ownerKey)
        let resolved = try await act(id, "progress", [:], as: ownerKey)
        XCTAssertEqual(resolved.status, .conflict, resolved.raw)
        XCTAssertEqual(resolved["error"]?["message"]?.string, "cannot notify progress a resolved ticket (reopen it first)")
    }

    // MARK: survey invitation

    func testTheResolutionInvitesTheCustomerToRateUntilTheSurveyClosesWithoutTheToken() async throws {
        let (id, reference) = try await ticket()
        clock.set(minutes(60))
        let resolved = try await act(id, "resolve", ["solution_summary": "退款已重新发起"], as: ownerKey)
        XCTAssertEqual(resolved.status, .ok, resolved.raw)
        let token = try surveyToken(id)
        let stored = try await messages(id)
        XCTAssertEqual(stored.suffix(2).compactMap { $0["body"]?.string }.first, "退款已重新发起")
        let invitation = try require(stored.last)
        XCTAssertEqual(
            invitation["body"]?.string,
            "您的问题（工单\(reference)）已处理完毕。诚邀您对本次服务进行评价，评价通道将于11月26日 11:00关闭。感谢您的反馈！"
        )
        XCTAssertEqual(invitation["author_kind"]?.string, "system")
        XCTAssertEqual(invitation["visibility"]?.string, "public")
        let survey = try await get("/v1/tickets/\(id)/survey")
        XCTAssertEqual(date(survey["expires_at"]), minutes(25 * 60), "the deadline named is the survey's")
        let leaked = try await ownerPool.queryScalar(
            Int.self,
            "SELECT count(*)::int FROM ticket_messages WHERE position(\(token) IN body) > 0"
        )
        XCTAssertEqual(leaked, 0, "the token is never stored")
        XCTAssertFalse(stored.contains { $0["body"]?.string?.contains(token) == true })
    }

    func testTheInvitationFollowsTheSurveyWindowTheLanguageAndTheTenantsText() async throws {
        let patched = try await withAPI { [key] api in
            try await api.patch("/v1/settings", key: key, json(["settings": ["locale": "en", "survey": ["expiry_hours": 48]]]))
        }
        XCTAssertEqual(patched.status, .ok, patched.raw)
        let (first, firstReference) = try await ticket()
        clock.set(minutes(90))
        _ = try await act(first, "resolve", ["solution_summary": "Refund re-sent"], as: ownerKey)
        let invitation = try await messages(first).last?["body"]?.string
        XCTAssertEqual(
            invitation,
            "Your request \(firstReference) has been resolved. Please rate our service before 27 Nov 11:30, when the survey closes. "
                + "Thank you for your feedback!"
        )

        let written = try await put("survey_invitation", "en", "Rate {{ticket_reference}} by {{deadline}}")
        XCTAssertEqual(written.status, .ok, written.raw)
        let unknown = try await put("survey_invitation", "en", "Rate us: {{survey_link}}")
        XCTAssertEqual(unknown.status, .unprocessableContent, unknown.raw)
        XCTAssertEqual(unknown.errorField, "body")
        let (second, secondReference) = try await ticket()
        clock.set(minutes(100))
        _ = try await act(second, "resolve", ["solution_summary": "Refund re-sent"], as: ownerKey)
        let actual4 = try await messages(second).last?["body"]?.string
        XCTAssertEqual(actual4, "Rate \(secondReference) by 27 Nov 11:40")
    }

    // MARK: plan confirmation

    func testAPlanWithoutApprovalIsSentForConfirmationAtOnce() async throws {
        let (id, reference) = try await ticket()
        clock.set(minutes(20))
        let proposed = try await act(
            id,
            "plan",
            [
                "body": "重新发起退款", "complete_by": "2025-11-25T10:00:00Z",
                "compensation": ["kind": "代金券", "amount": 20, "currency": "CNY", "note": "下次订单可用"],
            ],
            as: ownerKey
        )
        XCTAssertEqual(proposed.status, .ok, proposed.raw)
        let stored = try await messages(id)
        XCTAssertEqual(stored.suffix(2).first?["body"]?.string, "重新发起退款", "the measures as the agent wrote them")
        let request = try require(stored.last)
        XCTAssertEqual(
            request["body"]?.string,
            "关于工单\(reference)，我们为您制定的处理方案如下：重新发起退款\n预计完成时间：11月25日 18:00\n补偿：代金券 20 CNY（下次订单可用）\n"
                + "请回复确认该方案，确认后我们将立即执行。"
        )
        XCTAssertEqual(request["author_kind"]?.string, "system")
        XCTAssertEqual(request["visibility"]?.string, "public")

        // The customer's confirmation and the execution add no further text.
        let count = stored.count
        _ = try await act(id, "plan/confirm", ["note": "客户回复好的"], as: ownerKey)
        _ = try await act(id, "plan/execute", [:], as: ownerKey)
        let actual5 = try await messages(id).count
        XCTAssertEqual(actual5, count)
    }

    func testAPlanNeedingApprovalIsSentOnApprovalAndARejectedOneSendsNothing() async throws {
        let supervisor = try await addAgent("Sun Qiang", tier: "senior", role: "supervisor", duty: "away")
        let supervisorKey = try await keyFor(supervisor)
        let (id, reference) = try await ticket(priority: "P2")
        clock.set(minutes(20))
        _ = try await act(id, "plan", ["body": "更换设备", "complete_by": "2025-11-26T02:00:00Z"], as: ownerKey)
        let afterProposal = try await messages(id)
        XCTAssertEqual(afterProposal.last?["body"]?.string, "更换设备", "awaiting approval: nothing asked of the customer yet")
        let rejected = try await act(id, "plan/reject", ["reason": "成本过高"], as: supervisorKey)
        XCTAssertEqual(rejected["status"]?.string, "rejected", rejected.raw)
        let actual6 = try await messages(id).count
        XCTAssertEqual(actual6, afterProposal.count, "a rejected plan sends nothing")

        try await speakEnglish()
        clock.set(minutes(40))
        _ = try await act(id, "plan", ["body": "We repair the device on site", "complete_by": "2025-11-26T02:00:00Z"], as: ownerKey)
        let beforeApproval = try await messages(id).count
        clock.set(minutes(50))
        let approved = try await act(id, "plan/approve", [:], as: supervisorKey)
        XCTAssertEqual(approved["status"]?.string, "approved", approved.raw)
        let stored = try await messages(id)
        XCTAssertEqual(stored.count, beforeApproval + 1)
        XCTAssertEqual(
            stored.last?["body"]?.string,
            "Here is our plan for your request \(reference): We repair the device on site\nCompleted by: 26 Nov 10:00\n"
                + "Please reply to confirm the plan; we will carry it out once you do."
        )

        // The tenant's own text, for the next approved plan.
        let written = try await put(
            "plan_confirmation",
            "en",
            "{{ticket_reference}}: {{measures}} / {{complete_by}}{{^compensation}} / no compensation{{/compensation}}"
        )
        XCTAssertEqual(written.status, .ok, written.raw)
        _ = try await act(id, "plan", ["body": "Replace the device", "complete_by": "2025-11-26T02:00:00Z", "complex": true], as: ownerKey)
        _ = try await act(id, "plan/approve", [:], as: supervisorKey)
        let actual7 = try await messages(id).last?["body"]?.string
        XCTAssertEqual(actual7, "\(reference): Replace the device / 26 Nov 10:00 / no compensation")
    }

    func testTheListShowsTheNewTemplatesWithTheirVariables() async throws {
        let templates = try await get("/v1/templates")["templates"]?.array ?? []
        func variables(_ name: String) -> [String] {
            templates.first { $0["name"]?.string == name }?["variables"]?.array?.compactMap { $0["name"]?.string } ?? []
        }
        XCTAssertEqual(variables("progress_notice"), ["next_update", "note", "ticket_reference"])
        XCTAssertEqual(variables("survey_invitation"), ["deadline", "ticket_reference"])
        XCTAssertEqual(variables("plan_confirmation"), ["compensation", "complete_by", "measures", "ticket_reference"])
        let plan = templates.first { $0["name"]?.string == "plan_confirmation" }
        XCTAssertEqual(plan?["texts"]?.array?.first?["built_in"]?.string, CustomerTemplate.planConfirmation.builtIn(.zhCN))
    }
}
