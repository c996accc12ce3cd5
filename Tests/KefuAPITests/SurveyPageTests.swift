import Foundation
import HTTPTypes
import KefuCore
import KefuPostgres
import KefuTestSupport
import XCTest

/// The customer's survey page `/s/{token}`: an HTML form in the tenant's language, posting to
/// the same answer as `POST /v1/surveys/{token}`, with HTML pages (never JSON) for every refusal.
final class SurveyPageTests: TicketTestCase {
    private static let form = "application/x-www-form-urlencoded"
    private let fullAnswer = "overall=5&timeliness=4&professionalism=5&resolution=4&attitude=5"

    private func resolvedTicket(key agentKey: String? = nil) async throws -> (id: String, token: String) {
        let agentKey = try await keyFor(try await addAgent("Agent An", tier: "mid"))
        let created = try await intake([
            "customer": ["name": "Li Na"], "channel": "phone", "category": "inquiry", "priority": "P3",
            "description": "How do I export invoices?",
        ])
        let id = try require(created["id"]?.string)
        _ = try await act(id, "respond", ["body": "Here is how"], as: agentKey)
        let resolved = try await act(id, "resolve", ["solution_summary": "Explained the export"], as: agentKey)
        XCTAssertEqual(resolved.status, .ok, resolved.raw)
        return (id, try surveyToken(id))
    }

    private func page(_ token: String) async throws -> APIClient.Reply {
        try await withAPI { api in try await api.get("/s/\(token)", key: nil) }
    }

    private func post(_ token: String, _ body: String, contentType: String = SurveyPageTests.form) async throws -> APIClient.Reply {
        try await withAPI { api in
            try await api.send(.post, "/s/\(token)", body: body, headers: ["Content-Type": contentType])
        }
    }

    private func patchSettings(_ body: [String: Any]) async throws {
        let text = json(body)
        let reply = try await withAPI { [key] api in try await api.patch("/v1/settings", key: key, text) }
        XCTAssertEqual(reply.status, .ok, reply.raw)
    }

    private func answeredCount() async throws -> Int? {
        try await ownerPool.queryScalar(Int.self, "SELECT count(*) FROM surveys WHERE answered_at IS NOT NULL")
    }

    /// Every survey page is HTML with the same security headers, whatever its status.
    private func assertHTMLPage(_ reply: APIClient.Reply, _ status: HTTPResponse.Status, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(reply.status, status, reply.raw, file: file, line: line)
        XCTAssertEqual(reply.headers[.contentType], "text/html; charset=utf-8", file: file, line: line)
        XCTAssertEqual(reply.headers[HTTPField.Name("X-Content-Type-Options")!], "nosniff", file: file, line: line)
        XCTAssertEqual(reply.headers[HTTPField.Name("Referrer-Policy")!], "no-referrer", file: file, line: line)
        XCTAssertEqual(reply.headers[.cacheControl], "no-store", file: file, line: line)
        let policy = reply.headers[HTTPField.Name("Content-Security-Policy")!] ?? ""
        for directive in ["default-src 'none'", "style-src 'sha256-", "form-action 'self'", "frame-ancestors 'none'"] {
            XCTAssertTrue(policy.contains(directive), "\(directive) in \(policy)", file: file, line: line)
        }
        XCTAssertTrue(reply.raw.hasPrefix("<!DOCTYPE html>"), reply.raw, file: file, line: line)
        XCTAssertFalse(reply.raw.contains("<script"), file: file, line: line)
    }

    func testThePageIsAFormInChineseByDefaultWithTheSecurityHeaders() async throws {
        let (_, token) = try await resolvedTicket()
        let reply = try await page(token)
        assertHTMLPage(reply, .ok)
        XCTAssertTrue(reply.raw.contains(#"<html lang="zh-CN">"#))
        XCTAssertTrue(reply.raw.contains(#"<p class="tenant">acme Ltd</p>"#))
        for legend in ["总体满意度", "响应及时性", "专业程度", "问题解决情况", "服务态度"] {
            XCTAssertTrue(reply.raw.contains("<legend>\(legend)</legend>"), legend)
        }
        XCTAssertEqual(reply.raw.components(separatedBy: "<fieldset").count - 1, 5)
        XCTAssertEqual(reply.raw.components(separatedBy: #"type="radio""#).count - 1, 25)
        XCTAssertTrue(reply.raw.contains(#"<input type="radio" id="overall-1" name="overall" value="1" required>"#), reply.raw)
        XCTAssertTrue(reply.raw.contains(#"<label for="attitude-5">"#))
        XCTAssertTrue(reply.raw.contains(#"<textarea id="comment" name="comment" rows="4" maxlength="5000">"#))
        XCTAssertTrue(reply.raw.contains(#"<form method="post" accept-charset="utf-8">"#), "posts back to its own address")
        XCTAssertFalse(reply.raw.contains(token), "the token is not repeated in the page")
        // The style the policy allows is the page's style.
        let style = try require(reply.raw.components(separatedBy: "<style>").last?.components(separatedBy: "</style>").first)
        let hash = Data(SHA256.hash(Array(style.utf8))).base64EncodedString()
        XCTAssertTrue(reply.headers[HTTPField.Name("Content-Security-Policy")!]?.contains("'sha256-\(hash)'") == true)
    }

    func testThePageIsInEnglishWhenTheTenantsLocaleIsEnglish() async throws {
        let (_, token) = try await resolvedTicket()
        try await patchSettings(["settings": ["locale": "en"]])
        let reply = try await page(token)
        assertHTMLPage(reply, .ok)
        XCTAssertTrue(reply.raw.contains(#"<html lang="en">"#))
        XCTAssertTrue(reply.raw.contains("<legend>Overall satisfaction</legend>"))
        XCTAssertTrue(reply.raw.contains("Comments (optional)"))
        XCTAssertFalse(reply.raw.contains("总体满意度"))
    }

    func testTheTenantsNameIsEscaped() async throws {
        let (_, token) = try await resolvedTicket()
        try await patchSettings(["name": #"<script>alert("x")</script> & 'Co'"#])
        let reply = try await page(token)
        assertHTMLPage(reply, .ok)
        XCTAssertTrue(reply.raw.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;Co&#39;"), reply.raw)
    }

    func testPostingTheFormStoresTheRatingAndThanksTheCustomer() async throws {
        let (id, token) = try await resolvedTicket()
        let reply = try await post(token, fullAnswer + "&comment=%E5%BE%88%E5%A5%BD+thanks")
        assertHTMLPage(reply, .ok)
        XCTAssertTrue(reply.raw.contains("感谢您的评价"), reply.raw)
        XCTAssertFalse(reply.raw.contains("<form"))
        let survey = try await get("/v1/tickets/\(id)/survey")
        XCTAssertEqual(survey["overall"]?.number, 5)
        XCTAssertEqual(survey["timeliness"]?.number, 4)
        XCTAssertEqual(survey["professionalism"]?.number, 5)
        XCTAssertEqual(survey["resolution"]?.number, 4)
        XCTAssertEqual(survey["attitude"]?.number, 5)
        XCTAssertEqual(survey["comment"]?.string, "很好 thanks")
        XCTAssertNotNil(survey["answered_at"]?.string)
        let ticket = try await get("/v1/tickets/\(id)")
        XCTAssertEqual(ticket["status"]?.string, "resolved", "a good rating does not reopen")

        let again = try await post(token, fullAnswer)
        assertHTMLPage(again, .conflict)
        XCTAssertTrue(again.raw.contains("您已完成评价"))
        assertHTMLPage(try await page(token), .conflict)
        let json = try await withAPI { [token] api in
            try await api.post("/v1/surveys/\(token)", key: nil, #"{"overall":5,"timeliness":5,"professionalism":5,"resolution":5,"attitude":5}"#)
        }
        XCTAssertEqual(json.status, .conflict, "one answer, whichever path took it")
    }

    func testALowRatingOnThePageStartsTheSecondHandling() async throws {
        let (id, token) = try await resolvedTicket()
        let supervisor = try await addAgent("Sun Qiang", tier: "senior", role: "supervisor")
        let reply = try await post(token, "overall=1&timeliness=2&professionalism=3&resolution=1&attitude=4&comment=")
        assertHTMLPage(reply, .ok)
        let survey = try await get("/v1/tickets/\(id)/survey")
        XCTAssertEqual(survey["overall"]?.number, 1)
        XCTAssertNil(survey["comment"]?.string, "an empty comment is no comment")
        let ticket = try await get("/v1/tickets/\(id)")
        XCTAssertEqual(ticket["status"]?.string, "in_progress")
        XCTAssertEqual(ticket["reopen_count"]?.number, 1)
        let alerted = try await ownerPool.query(
            "SELECT recipient_id FROM notifications WHERE ticket_id = \(UUID(uuidString: id)!) AND kind = 'low_rating'"
        )
        XCTAssertEqual(try alerted.map { try $0.decode(UUID.self, "recipient_id") }, [supervisor.id])
    }

    func testAMissingOrInvalidRatingShowsTheFormAgainWithTheErrorNextToTheField() async throws {
        let (_, token) = try await resolvedTicket()
        let missing = try await post(token, "overall=abc&timeliness=4&professionalism=5&resolution=4&comment=%3Cb%3Ekeep%3C%2Fb%3E")
        assertHTMLPage(missing, .unprocessableContent)
        XCTAssertTrue(missing.raw.contains(#"<fieldset aria-describedby="overall-error">"#), missing.raw)
        XCTAssertTrue(missing.raw.contains(#"<p class="error" id="attitude-error">请选择 1 到 5 分。</p>"#), missing.raw)
        XCTAssertFalse(missing.raw.contains(#"id="timeliness-error""#))
        XCTAssertTrue(missing.raw.contains(#"id="timeliness-4" name="timeliness" value="4" checked"#), "choices are kept")
        XCTAssertTrue(missing.raw.contains(">&lt;b&gt;keep&lt;/b&gt;</textarea>"), "the comment is kept, escaped")

        let outOfRange = try await post(token, "overall=9&timeliness=4&professionalism=5&resolution=4&attitude=0")
        assertHTMLPage(outOfRange, .unprocessableContent)
        XCTAssertTrue(outOfRange.raw.contains(#"id="overall-error">表单字段有误: “overall” must be between 1 and 5</p>"#), outOfRange.raw)

        let long = String(repeating: "长", count: SurveyAnswer.commentMaxLength + 1)
        let tooLong = try await post(token, fullAnswer + "&comment=" + (long.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""))
        assertHTMLPage(tooLong, .unprocessableContent)
        XCTAssertTrue(tooLong.raw.contains(#"<p class="error" id="comment-error">"#), tooLong.raw)
        let answered = try await answeredCount()
        XCTAssertEqual(answered, 0, "nothing stored")
    }

    func testUnknownRepeatedOrMalformedFieldsAreNamed() async throws {
        let (_, token) = try await resolvedTicket()
        let repeated = try await post(token, fullAnswer + "&overall=1")
        assertHTMLPage(repeated, .unprocessableContent)
        XCTAssertTrue(repeated.raw.contains("“overall” is given more than once"), repeated.raw)
        let unknown = try await post(token, fullAnswer + "&%3Cb%3Eextra=1")
        assertHTMLPage(unknown, .unprocessableContent)
        XCTAssertTrue(unknown.raw.contains("“&lt;b&gt;extra” is not a field of this form"), unknown.raw)
        let broken = try await post(token, "overall=%ZZ&timeliness=4")
        assertHTMLPage(broken, .unprocessableContent)
        XCTAssertTrue(broken.raw.contains("“overall” is not valid form encoding"), broken.raw)
        let notUTF8 = try await post(token, fullAnswer + "&comment=%FF")
        assertHTMLPage(notUTF8, .unprocessableContent)
        XCTAssertTrue(notUTF8.raw.contains("“comment” is not valid form encoding"), notUTF8.raw)
        let answered = try await answeredCount()
        XCTAssertEqual(answered, 0)
    }

    func testUnknownExpiredAndRefusedRequestsGetHTMLPages() async throws {
        let (_, token) = try await resolvedTicket()
        let unknown = try await page(String(repeating: "a", count: 32))
        assertHTMLPage(unknown, .notFound)
        XCTAssertTrue(unknown.raw.contains("找不到该评价") && unknown.raw.contains("Survey not found"), "both languages: no tenant is known")
        assertHTMLPage(try await page("short"), .notFound)
        assertHTMLPage(try await post(String(repeating: "b", count: 32), fullAnswer), .notFound)

        let asJSON = try await post(token, #"{"overall":5}"#, contentType: "application/json")
        assertHTMLPage(asJSON, .unsupportedMediaType)
        let huge = try await post(token, fullAnswer + "&comment=" + String(repeating: "x", count: 70_000))
        assertHTMLPage(huge, .contentTooLarge)
        XCTAssertTrue(huge.raw.contains("内容过长"))

        let admin = TenantAdminService(ownerPool: ownerPool)
        _ = try await admin.setStatus(slug: "acme", .suspended)
        assertHTMLPage(try await page(token), .forbidden)
        assertHTMLPage(try await post(token, fullAnswer), .forbidden)
        _ = try await admin.setStatus(slug: "acme", .active)

        clock.advance(by: 25 * 3600)
        let expired = try await page(token)
        assertHTMLPage(expired, .gone)
        XCTAssertTrue(expired.raw.contains("评价已过期"))
        assertHTMLPage(try await post(token, fullAnswer), .gone)
        let answered = try await answeredCount()
        XCTAssertEqual(answered, 0)
    }

    func testTheTokenAloneDecidesTheTenant() async throws {
        let (_, token) = try await resolvedTicket()
        let other = try await makeTenant("globex")
        let agent = try await services.agents.create(
            other.tenant.id,
            NewAgent(name: "Wang Wu", email: "wang.wu@globex.cn", role: "agent", tier: "mid", skills: [], dutyStatus: "on_duty")
        )
        let agentKey = try await services.apiKeys.create(other.tenant.id, agentID: agent.id, name: agent.name).apiKey
        let intake = json([
            "customer": ["name": "Zhao Liu"], "channel": "phone", "category": "inquiry", "priority": "P3", "description": "Where is my order?",
        ])
        let created = try await withAPI { api in try await api.post("/v1/tickets", key: other.apiKey, intake) }
        let otherID = try require(created["id"]?.string)
        _ = try await act(otherID, "respond", ["body": "On its way"], as: agentKey)
        _ = try await act(otherID, "resolve", ["solution_summary": "Tracked the parcel"], as: agentKey)
        let otherToken = try surveyToken(otherID)

        let mine = try await page(token)
        XCTAssertTrue(mine.raw.contains("acme Ltd") && !mine.raw.contains("globex Ltd"))
        let theirs = try await page(otherToken)
        XCTAssertTrue(theirs.raw.contains("globex Ltd") && !theirs.raw.contains("acme Ltd"))
        assertHTMLPage(try await post(otherToken, "overall=2&timeliness=2&professionalism=2&resolution=2&attitude=2"), .ok)
        let rated = try await ownerPool.query("SELECT tenant_id, overall FROM surveys WHERE answered_at IS NOT NULL")
        XCTAssertEqual(try rated.map { try $0.decode(UUID.self, "tenant_id") }, [other.tenant.id])
        // The other tenant's ticket is not reachable with this tenant's key.
        let hidden = try await get("/v1/tickets/\(otherID)/survey")
        XCTAssertEqual(hidden.status, .notFound)
    }
}
