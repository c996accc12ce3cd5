import Foundation
import KefuCore
import KefuPostgres
import KefuTestSupport
import XCTest

final class KnowledgeBaseTests: TicketTestCase {
    private func article(_ title: String, _ body: String, status: String = "published") async throws -> String {
        let reply = try await withAPI { [key] api in
            try await api.post("/v1/kb/articles", key: key, json(["title": title, "body": body, "status": status]))
        }
        XCTAssertEqual(reply.status, .created, reply.raw)
        return try require(reply["id"]?.string)
    }

    private func search(_ q: String, published: Bool = false) async throws -> [JSONValue] {
        let encoded = q.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed) ?? q
        let reply = try await get("/v1/kb/articles?q=\(encoded)" + (published ? "&published=true" : ""))
        XCTAssertEqual(reply.status, .ok, reply.raw)
        return reply["items"]?.array ?? []
    }

    func testEditsAreVersionsAndAnyVersionCanBeRestored() async throws {
        let id = try await article("How to change the delivery address", "Open **Orders**, choose the order, tap *Edit address*.", status: "draft")
        _ = try await withAPI { [key] api in
            try await api.patch("/v1/kb/articles/\(id)", key: key, json(["body": "Version two body", "note": "typo"]))
        }
        let third = try await withAPI { [key] api in
            try await api.patch("/v1/kb/articles/\(id)", key: key, json(["title": "Changing the address", "status": "published"]))
        }
        XCTAssertEqual(third["version"]?.number, 3)
        XCTAssertNotNil(third["published_at"]?.string)
        let versions = try await get("/v1/kb/articles/\(id)/versions")
        XCTAssertEqual(versions["items"]?.array?.compactMap { $0["version"]?.number }, [1, 2, 3])
        let first = try await get("/v1/kb/articles/\(id)/versions/1")
        XCTAssertEqual(first["body"]?.string, "Open **Orders**, choose the order, tap *Edit address*.")
        let restored = try await withAPI { [key] api in try await api.post("/v1/kb/articles/\(id)/versions/1/restore", key: key, "{}") }
        XCTAssertEqual(restored["version"]?.number, 4)
        XCTAssertEqual(restored["body"]?.string, "Open **Orders**, choose the order, tap *Edit address*.")
        XCTAssertEqual(restored["status"]?.string, "published", "restoring content keeps the publication state")
        let stored = try await ownerPool.queryScalar(
            Int.self,
            "SELECT count(*) FROM kb_article_versions WHERE article_id = \(try require(UUID(uuidString: id)))"
        )
        XCTAssertEqual(stored, 4)
        let value1 = try await get("/v1/kb/articles/\(id)/versions/9").status
        XCTAssertEqual(value1, .notFound)
    }

    func testSearchFindsChineseSubstringsAndEnglishStemsRanked() async throws {
        let refund = try await article("退款失败怎么办", "如果退款失败，请检查银行卡状态是否异常，然后重新提交退款申请。")
        let english = try await article("Refunds for cancelled orders", "Cancelled orders are refunded to the original payment method within 3 days.")
        _ = try await article("Delivery times", "Parcels arrive within 2 days.")
        _ = try await article("退款草稿", "未发布的退款说明", status: "draft")

        let chinese = try await search("退款", published: true)
        XCTAssertEqual(chinese.first?["article"]?["id"]?.string, refund)
        XCTAssertEqual(chinese.count, 1, "drafts are not suggested")
        XCTAssertTrue(chinese.first?["highlight"]?.string?.contains("<mark>退款</mark>") == true, "\(String(describing: chinese.first))")
        let withDrafts = try await search("退款")
        XCTAssertEqual(withDrafts.count, 2)

        let stems = try await search("refunding cancelled order")
        XCTAssertEqual(stems.first?["article"]?["id"]?.string, english)
        XCTAssertTrue(stems.first?["highlight"]?.string?.contains("<mark>") == true)
        let nothing = try await search("warranty")
        XCTAssertEqual(nothing.count, 0)
        let value2 = try await get("/v1/kb/articles?q=").errorField
        XCTAssertEqual(value2, "q")
    }

    func testVotesAndSolvedByLinks() async throws {
        let id = try await article("Reset your password", "Use the *Forgot password* link.")
        _ = try await withAPI { [key] api in try await api.post("/v1/kb/articles/\(id)/votes", key: key, json(["helpful": true])) }
        let voted = try await withAPI { [key] api in try await api.post("/v1/kb/articles/\(id)/votes", key: key, json(["helpful": false])) }
        // One vote per agent: the change of mind replaced the first vote.
        XCTAssertEqual(voted["helpful"]?.number, 0)
        XCTAssertEqual(voted["not_helpful"]?.number, 1)
        try await addAgent("Agent An")
        let ticket = try await intake(["customer": ["name": "A"], "channel": "chat", "category": "inquiry", "description": "password?"])
        let ticketID = try require(ticket["id"]?.string)
        let linked = try await withAPI { [key] api in try await api.post("/v1/kb/articles/\(id)/tickets", key: key, json(["ticket_id": ticketID])) }
        XCTAssertEqual(linked["ticket_ids"]?.array?.compactMap(\.string), [ticketID])
        let bad = try await withAPI { [key] api in
            try await api.post("/v1/kb/articles/\(id)/tickets", key: key, json(["ticket_id": UUID().uuidString]))
        }
        XCTAssertEqual(bad.errorField, "ticket_id")
    }

    func testReplyScriptsRenderPlaceholdersAndRejectUnknownOnes() async throws {
        let agent = try await addAgent("Wang Fang", tier: "mid")
        let created = try await withAPI { [key] api in
            try await api.post(
                "/v1/kb/scripts",
                key: key,
                json([
                    "kind": "soothe", "name": "anxious customer",
                    "body": "{{customer_name}}，非常理解您的着急。我是{{agent_name}}，工单{{ticket_number}}会在{{expected_reply_at}}前给您答复。",
                ])
            )
        }
        XCTAssertEqual(created.status, .created, created.raw)
        let unknown = try await withAPI { [key] api in
            try await api.post("/v1/kb/scripts", key: key, json(["kind": "apologize", "name": "x", "body": "Sorry {{customer_nmae}}"]))
        }
        XCTAssertEqual(unknown.status, .unprocessableContent)
        XCTAssertEqual(unknown.errorField, "body")
        let value3 = try await withAPI { [key] api in
            try await api.post("/v1/kb/scripts", key: key, json(["kind": "joke", "name": "x", "body": "y"]))
        }.errorField
        XCTAssertEqual(value3, "kind")

        let ticket = try await intake(["customer": ["name": "陈静"], "channel": "phone", "category": "fault", "priority": "P2", "description": "x"])
        let ticketID = try require(ticket["id"]?.string)
        let scriptID = try require(created["id"]?.string)
        let agentKey = try await keyFor(agent)
        let rendered = try await withAPI { api in
            try await api.post("/v1/kb/scripts/\(scriptID)/render", key: agentKey, json(["ticket_id": ticketID]))
        }
        XCTAssertEqual(rendered["text"]?.string, "陈静，非常理解您的着急。我是Wang Fang，工单T-000001会在2025-11-25 10:30 (Asia/Shanghai)前给您答复。")
        let listed = try await get("/v1/kb/scripts?kind=soothe")
        XCTAssertEqual(listed["items"]?.array?.count, 1)
    }

    func testArticlesAreTenantIsolated() async throws {
        let id = try await article("Internal pricing", "Secret discount rules")
        let other = try await makeTenant("other")
        let read = try await withAPI { api in try await api.get("/v1/kb/articles/\(id)", key: other.apiKey) }
        XCTAssertEqual(read.status, .notFound)
        let found = try await withAPI { api in try await api.get("/v1/kb/articles?q=pricing", key: other.apiKey) }
        XCTAssertEqual(found["items"]?.array?.count, 0)
        let edit = try await withAPI { api in try await api.patch("/v1/kb/articles/\(id)", key: other.apiKey, json(["title": "pwned"])) }
        XCTAssertEqual(edit.status, .notFound)
    }
}

final class KnowledgeGapTests: TicketTestCase {
    func testFrequentTagsWithoutAPublishedArticleAreGaps() async throws {
        try await addAgent("Agent An")
        let root = try await services.tags.create(tenantID, NewTag(name: "orders"))
        let middle = try await services.tags.create(tenantID, NewTag(name: "delivery", parentId: root.id))
        let late = try await services.tags.create(tenantID, NewTag(name: "late parcel", parentId: middle.id))
        let lost = try await services.tags.create(tenantID, NewTag(name: "lost parcel", parentId: middle.id))
        for n in 0..<6 {
            _ = try await intake([
                "customer": ["name": "C\(n)"], "channel": "chat", "category": "fault", "description": "late",
                "tag_ids": [late.id.uuidString],
            ])
        }
        for n in 0..<5 {
            _ = try await intake([
                "customer": ["name": "L\(n)"], "channel": "chat", "category": "fault", "description": "lost",
                "tag_ids": [lost.id.uuidString],
            ])
        }
        let key = self.key
        _ = try await withAPI { api in
            try await api.post(
                "/v1/kb/articles",
                key: key,
                json([
                    "title": "Lost parcels", "body": "File a claim.", "status": "published",
                    "category_tag_id": lost.id.uuidString,
                ])
            )
        }
        clock.advance(by: 3600)
        let gaps = try await get("/v1/kb/gaps")
        XCTAssertEqual(gaps["items"]?.array?.compactMap { $0["tag_name"]?.string }, ["late parcel"])
        XCTAssertEqual(gaps["items"]?.array?.first?["tickets"]?.number, 6)
        let value1 = try await get("/v1/kb/gaps?min_tickets=x").errorField
        XCTAssertEqual(value1, "min_tickets")
    }
}

final class IntakeSuggestionTests: TicketTestCase {
    func testIntakeSuggestsPublishedArticlesAndTheAutoReplyOffersThem() async throws {
        let key = self.key
        let published = try await withAPI { api in
            try await api.post(
                "/v1/kb/articles",
                key: key,
                json(["title": "Reset your password", "body": "Use the Forgot password link on the sign-in page.", "status": "published"])
            )
        }
        _ = try await withAPI { api in
            try await api.post(
                "/v1/kb/articles",
                key: key,
                json(["title": "Password policy draft", "body": "Passwords need 12 characters.", "status": "draft"])
            )
        }
        clock.set(Date(timeIntervalSince1970: 1_764_385_200))  // Saturday: the bot answers
        let ticket = try await intake([
            "customer": ["name": "A"], "channel": "email", "category": "inquiry",
            "description": "I cannot reset my password",
        ])
        XCTAssertEqual(ticket["suggested_article_ids"]?.array?.compactMap(\.string), [try require(published["id"]?.string)])
        XCTAssertTrue(ticket["auto_reply"]?.string?.contains("Reset your password") == true, ticket.raw)
    }
}
