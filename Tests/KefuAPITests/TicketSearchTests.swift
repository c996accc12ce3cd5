import Foundation
import KefuCore
import KefuTestSupport
import XCTest

/// `GET /v1/tickets?q=…`: subject, description and messages; English stems and Chinese
/// substrings; ranked, highlighted (escaped, then marked), combined with the queue filters,
/// paginated, and confined to the caller's tenant.
final class TicketSearchTests: TicketTestCase {
    private var agentKey = ""

    override func setUp() async throws {
        try await super.setUp()
        agentKey = try await keyFor(try await addAgent("Sou Suo"))
    }

    /// Intake of one ticket; returns its id.
    private func ticket(_ description: String, subject: String? = nil) async throws -> String {
        var body: [String: Any] = ["customer": ["name": "Search Customer"], "channel": "chat", "category": "inquiry", "description": description]
        if let subject { body["subject"] = subject }
        let reply = try await intake(body)
        XCTAssertEqual(reply.status, .created, reply.raw)
        return try require(reply["id"]?.string)
    }

    private func search(_ q: String, _ more: String = "", key: String? = nil) async throws -> APIClient.Reply {
        let encoded = try require(q.addingPercentEncoding(withAllowedCharacters: .alphanumerics))
        let caller = key ?? self.key
        return try await withAPI { api in try await api.get("/v1/tickets?q=\(encoded)\(more)", key: caller) }
    }

    private func hits(_ q: String, _ more: String = "", key: String? = nil) async throws -> [JSONValue] {
        let reply = try await search(q, more, key: key)
        XCTAssertEqual(reply.status, .ok, reply.raw)
        return reply["items"]?.array ?? []
    }

    private func ids(_ hits: [JSONValue]) -> [String] { hits.compactMap { $0["id"]?.string } }

    /// A reply or an internal note by the agent.
    private func answer(_ id: String, _ action: String, _ body: String) async throws {
        let reply = try await act(id, action, ["body": body], as: agentKey)
        XCTAssertEqual(reply.status, .ok, reply.raw)
    }

    /// The ids `q` finds, in order.
    private func found(_ q: String, _ more: String = "", key: String? = nil) async throws -> [String] {
        ids(try await hits(q, more, key: key))
    }

    func testEnglishWordsMatchByStem() async throws {
        let prints = try await ticket("Since Monday every page is blank.", subject: "Printer prints blank pages")
        _ = try await ticket("The printer is offline.")
        // "printing" and "prints" share the stem "print"; "printer" is a word of its own.
        let found = try await hits("printing")
        XCTAssertEqual(ids(found), [prints])
        XCTAssertEqual(found.first?["highlight"]?.string?.contains("<mark>prints</mark>"), true, "\(found)")
        XCTAssertEqual(found.first?["subject"]?.string, "Printer prints blank pages", "a hit is the ticket with rank and highlight")
        XCTAssertGreaterThan(found.first?["rank"]?.number ?? 0, 0)
    }

    func testChineseTextMatchesAsSubstring() async throws {
        let refund = try await ticket("申请退款失败，页面一直显示处理中")
        _ = try await ticket("物流信息三天没有更新")
        let found = try await hits("退款")
        XCTAssertEqual(ids(found), [refund])
        XCTAssertEqual(found.first?["highlight"]?.string?.contains("申请<mark>退款</mark>失败"), true, "\(found)")
    }

    func testAMatchInAMessageOnlyFindsItsTicket() async throws {
        let id = try await ticket("The order arrived damaged.")
        _ = try await ticket("The order arrived late.")
        try await answer(id, "respond", "The warranty covers a replacement.")
        try await answer(id, "notes", "问过仓库团队，明天补发")
        let reply = try await hits("warranty")
        XCTAssertEqual(ids(reply), [id])
        XCTAssertEqual(reply.first?["highlight"]?.string?.contains("<mark>warranty</mark>"), true, "\(reply)")
        let note = try await hits("仓库")
        XCTAssertEqual(ids(note), [id], "internal notes are searched too: the caller is an agent")
        XCTAssertEqual(note.first?["highlight"]?.string?.contains("<mark>仓库</mark>"), true, "\(note)")
    }

    func testSubjectRanksAboveDescriptionAboveMessages() async throws {
        let inMessage = try await ticket("Question about my order.")
        try await answer(inMessage, "respond", "A refund is on its way.")
        let inDescription = try await ticket("I would like a refund for order 7.")
        let inSubject = try await ticket("Order 8.", subject: "Refund request")
        let found = try await hits("refund")
        XCTAssertEqual(ids(found), [inSubject, inDescription, inMessage])
        let ranks = found.compactMap { $0["rank"]?.number }
        XCTAssertEqual(ranks, ranks.sorted(by: >))
    }

    func testHighlightIsEscapedBeforeItIsMarked() async throws {
        _ = try await ticket("Tray 2 is stuck.", subject: "Paper jam <script>alert(1)</script> & more")
        let found = try await hits("jam")
        let highlight = try require(found.first?["highlight"]?.string)
        XCTAssertFalse(highlight.contains("<script>"), highlight)
        XCTAssertTrue(highlight.contains("<mark>jam</mark> &lt;script&gt;alert(1)&lt;/script&gt; &amp; more"), highlight)
        let substring = try await hits("t>al")
        let marked = try require(substring.first?["highlight"]?.string)
        XCTAssertTrue(marked.contains("&lt;scrip<mark>t&gt;al</mark>ert"), "a substring hit is escaped too: \(marked)")
    }

    func testSearchCombinesWithQueueFilters() async throws {
        let answered = try await ticket("Refund for a broken kettle.")
        let waiting = try await ticket("Refund for a broken toaster.")
        try await answer(answered, "respond", "Looking into it.")
        let any = try await found("refund")
        XCTAssertEqual(Set(any), [answered, waiting])
        let inProgress = try await found("refund", "&status=in_progress")
        XCTAssertEqual(inProgress, [answered])
        let notAnswered = try await found("refund", "&status=assigned,new")
        XCTAssertEqual(notAnswered, [waiting])
        let closed = try await found("refund", "&status=closed")
        XCTAssertEqual(closed, [])
        let mine = try await found("kettle", "&owner_id=me", key: agentKey)
        XCTAssertEqual(mine, [answered])
    }

    func testPagesFollowRankWithoutRepeatsOrGaps() async throws {
        for n in 0..<5 {
            _ = try await ticket("Invoice question \(n)." + String(repeating: " invoice", count: n))
        }
        let all = ids(try await hits("invoice"))
        XCTAssertEqual(all.count, 5)
        var seen: [String] = []
        var cursor: String?
        var pages = 0
        repeat {
            let reply = try await search("invoice", "&limit=2" + (cursor.map { "&cursor=\($0)" } ?? ""))
            XCTAssertEqual(reply.status, .ok, reply.raw)
            seen += ids(reply["items"]?.array ?? [])
            cursor = reply["next_cursor"]?.string
            pages += 1
        } while cursor != nil && pages < 10
        XCTAssertEqual(seen, all)
        XCTAssertEqual(pages, 3)
    }

    func testBadSearchTextIsRefusedNamingQ() async throws {
        for q in ["", "%20%20", String(repeating: "a", count: 201)] {
            let reply = try await withAPI { [key] api in try await api.get("/v1/tickets?q=\(q)", key: key) }
            XCTAssertEqual(reply.status, .unprocessableContent, "q=\(q): \(reply.raw)")
            XCTAssertEqual(reply.errorField, "q")
        }
        let longest = try await search(String(repeating: "a", count: 200))
        XCTAssertEqual(longest.status, .ok)
        let sorted = try await search("refund", "&sort=-created_at")
        XCTAssertEqual(sorted.errorField, "sort")
        let queueCursor = try await search("refund", "&cursor=bm90LWEtY3Vyc29y")
        XCTAssertEqual(queueCursor.errorField, "cursor")
        _ = try await ticket("Ordered 500 units of abcd.")
        for q in ["5%0", "b_d", "\\"] {
            let wildcards = try await found(q)
            XCTAssertEqual(wildcards, [], "\(q): % and _ are matched literally")
        }
    }

    func testAnotherTenantsTicketsAreNeverFound() async throws {
        let ours = try await ticket("Refund for order 42.", subject: "退款 refund")
        let other = try await makeTenant("other")
        let theirs = try await withAPI { api in
            try await api.post(
                "/v1/tickets",
                key: other.apiKey,
                json(["customer": ["name": "B"], "channel": "chat", "category": "inquiry", "description": "Refund 退款 for order 43."])
            )
        }
        XCTAssertEqual(theirs.status, .created, theirs.raw)
        let theirID = try require(theirs["id"]?.string)
        for q in ["refund", "退款", "order"] {
            let mine = try await found(q)
            XCTAssertEqual(mine, [ours], q)
            let otherTenants = try await found(q, key: other.apiKey)
            XCTAssertEqual(otherTenants, [theirID], q)
        }
    }

    func testChineseOfOneTwoAndFourCharactersMatchesAsSubstringWithinARun() async throws {
        let refund = try await ticket("申请退款失败，页面一直显示处理中")
        let account = try await ticket("退货以后款项一直没有到账")
        let split = try await ticket("我要退。款")
        for (q, expected) in [("退款", [refund]), ("退款失败", [refund]), ("款失", [refund]), ("显示处理中", [refund])] {
            let found = try await hits(q)
            XCTAssertEqual(ids(found), expected, q)
            XCTAssertEqual(found.first?["highlight"]?.string?.contains("<mark>\(q)</mark>"), true, "\(q): \(found)")
        }
        let lastOfARun = try await found("账")
        XCTAssertEqual(lastOfARun, [account], "a single character is found at the end of a run too")
        let first = try await found("申")
        XCTAssertEqual(first, [refund])
        let both = try await found("款")
        XCTAssertEqual(Set(both), [refund, account, split])
        let acrossPunctuation = try await found("退款到账")
        XCTAssertEqual(acrossPunctuation, [], "the characters must be adjacent, as in a substring")
        let refunds = try await found("退款")
        XCTAssertFalse(refunds.contains(split), "punctuation separates the characters")
    }

    func testMixedChineseAndEnglishNeedsBothParts() async throws {
        let phone = try await ticket("My iPhone退款 has been pending for refunds since Monday.")
        let refundOnly = try await ticket("Refunds are slow.")
        _ = try await ticket("退款已到账")
        let glued = try await found("iPhone退款")
        XCTAssertEqual(glued, [phone])
        let spaced = try await found("refund 退款")
        XCTAssertEqual(spaced, [phone], "English stems and the Chinese substring, both required")
        let english = try await found("refunds")
        XCTAssertEqual(Set(english), [phone, refundOnly])
        let missing = try await found("refund 仓库")
        XCTAssertEqual(missing, [])
    }

    func testTextWithoutALetterOrDigitFindsNothing() async throws {
        _ = try await ticket("Why?!! ... (urgent) 。，！")
        for q in ["!!", "?!!", "...", "。，！", "(-)"] {
            let reply = try await search(q)
            XCTAssertEqual(reply.status, .ok, "\(q): \(reply.raw)")
            XCTAssertEqual(reply["items"]?.array?.count, 0, q)
            XCTAssertNil(reply["next_cursor"]?.string, q)
        }
    }

    func testShortLatinTextMatchesWordsNotSubstrings() async throws {
        let ok = try await ticket("It is ok now.")
        _ = try await ticket("The token expired.")
        let word = try await found("ok")
        XCTAssertEqual(word, [ok], "two letters: the word ok, not the ok inside token")
        let substring = try await found("oke")
        XCTAssertEqual(substring.count, 1, "three characters or more also match inside words")
    }

    func testTheStoredSearchDocumentsStayOutOfTheTenantExport() async throws {
        _ = try await ticket("申请退款失败")
        let export = try await ownerPool.queryScalar(String.self, "SELECT kefu_export_tenant(\(tenant.tenant.id))::text") ?? ""
        XCTAssertTrue(export.contains("申请退款失败"), "the ticket is exported")
        XCTAssertFalse(export.contains("search_document"), "derived documents are not data")
    }

    func testACommonWordIsRankedAmongItsNewestMatchesOnly() async throws {
        let bound = TicketSearch.candidatesPerSource
        let oldest = try await ticket("Where is my parcel? Tracking number 1.", subject: "Parcel lost, special case")
        for n in 0..<bound {
            clock.advance(by: 1)
            _ = try await ticket("Question \(n) about a parcel.")
        }
        var seen: [String] = []
        var cursor: String?
        repeat {
            let reply = try await search("parcel", "&limit=200" + (cursor.map { "&cursor=\($0)" } ?? ""))
            XCTAssertEqual(reply.status, .ok, reply.raw)
            seen += ids(reply["items"]?.array ?? [])
            cursor = reply["next_cursor"]?.string
        } while cursor != nil && seen.count <= bound
        XCTAssertEqual(seen.count, bound, "at most the bound's newest matches per way of matching")
        XCTAssertEqual(Set(seen).count, bound)
        XCTAssertFalse(seen.contains(oldest), "the oldest match is beyond the bound, although its subject would rank first")
        let narrowed = try await found("parcel special")
        XCTAssertEqual(narrowed, [oldest], "more words reach older tickets")
    }

    func testTheSearchOperatorsAreLeakproofSoTheIndexesServeRowLevelSecurity() async throws {
        let leakproof = try await ownerPool.queryScalar(
            String.self,
            "SELECT string_agg(proname || '=' || proleakproof, ',' ORDER BY proname) FROM pg_proc WHERE oid IN ('ts_match_vq'::regproc, 'texticlike'::regproc)"
        )
        XCTAssertEqual(leakproof, "texticlike=true,ts_match_vq=true", "sql/031: otherwise kefu_app reads the whole tenant")
    }
}
