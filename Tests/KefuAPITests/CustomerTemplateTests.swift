import Foundation
import KefuCore
import KefuPostgres
import KefuTestSupport
import XCTest

/// Customer texts come from templates in the tenant's language (zh-CN by default, en), written
/// with times in the tenant's zone; a tenant overrides any of them (`/v1/templates`, admins), its
/// overrides touch nobody else, bad ones are refused, and a stored one that cannot render falls
/// back to the built-in text.
final class CustomerTemplateTests: TicketTestCase {
    /// Saturday 2025-11-29 11:00 Shanghai: outside the default business hours.
    private static let saturday = Date(timeIntervalSince1970: 1_764_385_200)

    private func put(_ name: String, _ locale: String, _ body: Any, key: String? = nil) async throws -> APIClient.Reply {
        let text = json(["body": body])
        let caller = key ?? self.key
        return try await withAPI { api in try await api.send(.put, "/v1/templates/\(name)/\(locale)", key: caller, body: text) }
    }

    /// The public system messages of a ticket, in order.
    private func notices(_ id: String) async throws -> [String] {
        let messages = try await get("/v1/tickets/\(id)/messages")
        return (messages["items"]?.array ?? []).filter { $0["author_kind"]?.string == "system" && $0["visibility"]?.string == "public" }
            .compactMap { $0["body"]?.string }
    }

    /// Acknowledgement, transfer notice and escalation notice at Tuesday 10:00 Shanghai, then the
    /// out-of-hours reply on Saturday: every customer text Kefu writes, in the tenant's language.
    private func customerTexts() async throws -> [String] {
        clock.set(TicketTestCase.tuesdayTen)
        let department = try await services.departments.create(tenantID, NewDepartment(name: "Warehouse \(UUID().uuidString.prefix(4))"))
        let created = try await intake(["customer": ["name": "Li Na"], "channel": "web_form", "category": "fault", "description": "x"])
        XCTAssertEqual(created.status, .created, created.raw)
        let id = try require(created["id"]?.string)
        let owner = try require(created["owner_id"]?.string)
        let other = try require(agents.first { $0.id.uuidString != owner })
        let transferred = try await act(id, "transfer", ["to_agent_id": other.id.uuidString, "reason": "senior", "handover_note": "checked"])
        XCTAssertEqual(transferred.status, .ok, transferred.raw)
        let escalated = try await act(id, "escalate", ["department_id": department.id.uuidString, "note": "Parcel lost?"])
        XCTAssertEqual(escalated.status, .ok, escalated.raw)
        XCTAssertEqual(date(escalated["department_due_at"]), minutes(120), "Tuesday 12:00 Shanghai")
        var texts = try await notices(id)
        clock.set(Self.saturday)
        let weekend = try await intake(["customer": ["name": "Night Owl"], "channel": "email", "category": "inquiry", "description": "x"])
        XCTAssertEqual(date(weekend["human_available_at"]), Date(timeIntervalSince1970: 1_764_550_800), "Monday 09:00 Shanghai")
        texts.append(try require(weekend["auto_reply"]?.string))
        return texts
    }

    private var agents: [Agent] = []

    override func setUp() async throws {
        try await super.setUp()
        agents = [try await addAgent("Zhou Min", tier: "mid"), try await addAgent("Song Li", tier: "mid")]
    }

    func testEveryCustomerTextIsInChineseByDefaultAndInEnglishWhenTheTenantSaysSo() async throws {
        let chinese = try await customerTexts()
        XCTAssertEqual(chinese[0], "已收到问题，正在为您处理")
        XCTAssertTrue(chinese[1].hasPrefix("您的问题已转交给同事") && chinese[1].hasSuffix("，将继续为您处理。"), chinese[1])
        XCTAssertTrue(chinese[2].hasPrefix("您的问题已提交给Warehouse"), chinese[2])
        XCTAssertTrue(chinese[2].hasSuffix("团队处理。预计将于11月25日 12:00前答复您。"), chinese[2])
        XCTAssertEqual(chinese[3], "感谢您的联系。当前为非服务时间，客服将于12月1日 09:00起为您服务。")
        XCTAssertEqual(chinese.count, 4)

        let patched = try await withAPI { [key] api in try await api.patch("/v1/settings", key: key, json(["settings": ["locale": "en"]])) }
        XCTAssertEqual(patched.status, .ok, patched.raw)
        let english = try await customerTexts()
        XCTAssertEqual(english[0], "We have received your request and are working on it.")
        XCTAssertTrue(english[1].hasPrefix("Your colleague ") && english[1].hasSuffix(" will continue to help you."), english[1])
        XCTAssertTrue(english[2].hasPrefix("We have passed your request to our Warehouse"), english[2])
        XCTAssertTrue(english[2].hasSuffix(" team. We expect an answer by 25 Nov 12:00."), english[2])
        XCTAssertEqual(english[3], "Thank you for contacting us. Our team is offline right now; an agent will answer you from 1 Dec 09:00.")
    }

    func testTimesAreWrittenInTheTenantsOwnTimeZone() async throws {
        let london = try await TenantAdminService(ownerPool: ownerPool)
            .create(NewTenant(slug: "london", name: "London Ltd", timezone: "Europe/London"))
        _ = try await withAPI { api in try await api.patch("/v1/settings", key: london.apiKey, json(["settings": ["locale": "en"]])) }
        // Saturday 03:00 London: the next opening is Monday 09:00 London (09:00 UTC in winter).
        clock.set(Self.saturday)
        let created = try await withAPI { api in
            try await api.post(
                "/v1/tickets",
                key: london.apiKey,
                json(["customer": ["name": "Ann"], "channel": "email", "category": "inquiry", "description": "x"])
            )
        }
        XCTAssertEqual(created.status, .created, created.raw)
        XCTAssertEqual(date(created["human_available_at"]), Date(timeIntervalSince1970: 1_764_579_600), "Monday 2025-12-01 09:00 UTC")
        XCTAssertEqual(
            created["auto_reply"]?.string,
            "Thank you for contacting us. Our team is offline right now; an agent will answer you from 1 Dec 09:00."
        )
        // The same instant for the Shanghai tenant, in Chinese: its Monday 09:00 is 01:00 UTC.
        let shanghai = try await intake(["customer": ["name": "Wu"], "channel": "email", "category": "inquiry", "description": "x"])
        XCTAssertEqual(shanghai["auto_reply"]?.string, "感谢您的联系。当前为非服务时间，客服将于12月1日 09:00起为您服务。")
        XCTAssertEqual(date(shanghai["human_available_at"]), Date(timeIntervalSince1970: 1_764_550_800))
    }

    func testAnOverrideIsUsedForItsTenantAndLanguageOnly() async throws {
        let other = try await makeTenant("globex")
        let written = try await put("acknowledgement", "zh-CN", "您好，工单{{ticket_reference}}已收到，我们马上处理。")
        XCTAssertEqual(written.status, .ok, written.raw)
        XCTAssertEqual(written["name"]?.string, "acknowledgement")
        let zh = written["texts"]?.array?.first { $0["locale"]?.string == "zh-CN" }
        XCTAssertEqual(zh?["override"]?.string, "您好，工单{{ticket_reference}}已收到，我们马上处理。")
        XCTAssertEqual(zh?["built_in"]?.string, "已收到问题，正在为您处理")
        XCTAssertEqual(date(zh?["updated_at"]), TicketTestCase.tuesdayTen)

        let ours = try await intake(["customer": ["name": "A"], "channel": "chat", "category": "inquiry", "description": "x"])
        let ourID = try require(ours["id"]?.string)
        let ourNotices = try await notices(ourID)
        XCTAssertEqual(ourNotices, ["您好，工单\(try require(ours["reference"]?.string))已收到，我们马上处理。"])

        let theirs = try await withAPI { api in
            try await api.post(
                "/v1/tickets",
                key: other.apiKey,
                json(["customer": ["name": "B"], "channel": "chat", "category": "inquiry", "description": "x"])
            )
        }
        let theirMessages = try await withAPI { api in
            try await api.get("/v1/tickets/\(try require(theirs["id"]?.string))/messages", key: other.apiKey)
        }
        XCTAssertEqual(theirMessages["items"]?.array?.last?["body"]?.string, "已收到问题，正在为您处理", "another tenant keeps the built-in text")
        let theirList = try await withAPI { api in try await api.get("/v1/templates", key: other.apiKey) }
        let theirAck = theirList["templates"]?.array?.first { $0["name"]?.string == "acknowledgement" }
        XCTAssertTrue(theirAck?["texts"]?.array?.allSatisfy { $0["override"] == nil || $0["override"] == .null } == true, theirList.raw)
        let theirDelete = try await withAPI { api in try await api.delete("/v1/templates/acknowledgement/zh-CN", key: other.apiKey) }
        XCTAssertEqual(theirDelete.status, .notFound, "another tenant cannot remove our override")

        // The English override does not exist: the en text stays built in.
        _ = try await withAPI { [key] api in try await api.patch("/v1/settings", key: key, json(["settings": ["locale": "en"]])) }
        let english = try await intake(["customer": ["name": "C"], "channel": "chat", "category": "inquiry", "description": "x"])
        let englishNotices = try await notices(try require(english["id"]?.string))
        XCTAssertEqual(englishNotices, ["We have received your request and are working on it."])

        let removed = try await withAPI { [key] api in try await api.delete("/v1/templates/acknowledgement/zh-CN", key: key) }
        XCTAssertEqual(removed.status, .noContent, removed.raw)
        let again = try await withAPI { [key] api in try await api.delete("/v1/templates/acknowledgement/zh-CN", key: key) }
        XCTAssertEqual(again.status, .notFound)
        let stored = try await ownerPool.queryScalar(Int.self, "SELECT count(*) FROM customer_templates")
        XCTAssertEqual(stored, 0)
    }

    func testTheListShowsEveryTemplateItsVariablesBuiltInTextsAndOverrides() async throws {
        _ = try await put("escalation_notice", "en", "{{department_name}} will answer{{#expected_time}} by {{expected_time}}{{/expected_time}}.")
        let list = try await get("/v1/templates")
        XCTAssertEqual(list.status, .ok, list.raw)
        XCTAssertEqual(list["locale"]?.string, "zh-CN")
        let templates = try require(list["templates"]?.array)
        XCTAssertEqual(templates.compactMap { $0["name"]?.string }, CustomerTemplate.allCases.map(\.rawValue))
        let escalation = try require(templates.first { $0["name"]?.string == "escalation_notice" })
        XCTAssertEqual(
            escalation["variables"]?.array?.compactMap { $0["name"]?.string },
            ["department_name", "expected_time", "ticket_reference"]
        )
        let texts = try require(escalation["texts"]?.array)
        XCTAssertEqual(texts.compactMap { $0["locale"]?.string }, ["zh-CN", "en"])
        XCTAssertEqual(texts[1]["override"]?.string, "{{department_name}} will answer{{#expected_time}} by {{expected_time}}{{/expected_time}}.")
        XCTAssertEqual(texts[1]["built_in"]?.string, CustomerTemplate.escalationNotice.builtIn(.en))

        let agentKey = try await keyFor(agents[0])
        let refused = try await withAPI { api in try await api.get("/v1/templates", key: agentKey) }
        XCTAssertEqual(refused.status, .forbidden, "admins only")
        let refusedPut = try await put("acknowledgement", "en", "Hi", key: agentKey)
        XCTAssertEqual(refusedPut.status, .forbidden)
    }

    func testATemplateThatDoesNotParseOrNamesAnUnknownVariableIsRefused() async throws {
        let cases: [(Any, String)] = [
            ("感谢{{#opening_time}}没有结束", "does not parse"),
            ("Hello {{customer_name}}", "unknown variable 'customer_name'"),
            ("{{> header}}", "only variables and sections"),
            ("{{=<% %>=}}<% agent_name %>", "only variables and sections"),
            (String(repeating: "长", count: 2_001), "at most 2000"),
            ("   ", "must not be empty"),
            ("bad \u{0007} bell", "control characters"),
        ]
        for (body, reason) in cases {
            let reply = try await put("out_of_hours", "zh-CN", body)
            XCTAssertEqual(reply.status, .unprocessableContent, "\(body): \(reply.raw)")
            XCTAssertEqual(reply["error"]?["field"]?.string, "body", reply.raw)
            XCTAssertTrue(reply["error"]?["message"]?.string?.contains(reason) == true, "\(reason): \(reply.raw)")
        }
        let wrongType = try await put("out_of_hours", "zh-CN", 42)
        XCTAssertEqual(wrongType.status, .unprocessableContent, wrongType.raw)
        let unknownName = try await put("no_such_text", "zh-CN", "x")
        XCTAssertEqual(unknownName.status, .notFound)
        let unknownLocale = try await put("out_of_hours", "fr", "x")
        XCTAssertEqual(unknownLocale.status, .notFound)
        let stored = try await ownerPool.queryScalar(Int.self, "SELECT count(*) FROM customer_templates")
        XCTAssertEqual(stored, 0, "nothing written")
        let longest = try await put("out_of_hours", "zh-CN", String(repeating: "长", count: 2_000))
        XCTAssertEqual(longest.status, .ok, "2,000 characters are allowed")
    }

    func testAStoredOverrideThatCannotRenderFallsBackToTheBuiltInText() async throws {
        // Written past the API's checks (e.g. by an older version whose template had other variables).
        try await ownerPool.execute(
            """
            INSERT INTO customer_templates (tenant_id, name, locale, body, updated_at)
            VALUES (\(tenantID), 'acknowledgement', 'zh-CN', '{{#broken}}收到', now()),
                   (\(tenantID), 'transfer_notice', 'zh-CN', '{{retired_variable}}', now())
            """
        )
        let created = try await intake(["customer": ["name": "A"], "channel": "web_form", "category": "fault", "description": "x"])
        XCTAssertEqual(created.status, .created, created.raw)
        let id = try require(created["id"]?.string)
        let owner = try require(created["owner_id"]?.string)
        let other = try require(agents.first { $0.id.uuidString != owner })
        let transferred = try await act(id, "transfer", ["to_agent_id": other.id.uuidString, "reason": "senior", "handover_note": "checked"])
        XCTAssertEqual(transferred.status, .ok, transferred.raw)
        let texts = try await notices(id)
        XCTAssertEqual(texts, ["已收到问题，正在为您处理", "您的问题已转交给同事\(other.name)，将继续为您处理。"])
    }
}
