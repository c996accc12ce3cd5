import Foundation
import KefuCore
import KefuPostgres
import KefuTestSupport
import XCTest

/// Votes on articles (one per agent) and search highlights that cannot carry markup.
final class KnowledgeAuthorityTests: TicketTestCase {
    private func article(_ title: String, _ body: String) async throws -> String {
        let reply = try await withAPI { [key] api in
            try await api.post("/v1/kb/articles", key: key, json(["title": title, "body": body, "status": "published"]))
        }
        XCTAssertEqual(reply.status, .created, reply.raw)
        return try require(reply["id"]?.string)
    }

    private func vote(_ article: String, helpful: Bool, as caller: String) async throws -> APIClient.Reply {
        try await withAPI { api in try await api.post("/v1/kb/articles/\(article)/votes", key: caller, json(["helpful": helpful])) }
    }

    func testOneVotePerAgentAndAChangeOfMindReplacesIt() async throws {
        let id = try await article("Reset your password", "Use the Forgot password link.")
        let an = try await keyFor(try await addAgent("Agent An"))
        let bo = try await keyFor(try await addAgent("Agent Bo"))
        for _ in 0..<3 { _ = try await vote(id, helpful: true, as: an) }
        _ = try await vote(id, helpful: true, as: bo)
        let changed = try await vote(id, helpful: false, as: bo)
        XCTAssertEqual(changed.status, .ok, changed.raw)
        XCTAssertEqual(changed["helpful"]?.number, 1)
        XCTAssertEqual(changed["not_helpful"]?.number, 1)
        let again = try await vote(id, helpful: false, as: bo)
        XCTAssertEqual(again["not_helpful"]?.number, 1)
        let stored = try await ownerPool.queryFirst(
            """
            SELECT count(*) FILTER (WHERE helpful) AS yes, count(*) FILTER (WHERE NOT helpful) AS no,
                   (SELECT helpful FROM kb_articles) AS article_yes, (SELECT not_helpful FROM kb_articles) AS article_no
            FROM kb_article_votes
            """
        )
        XCTAssertEqual(try stored?.decode(Int.self, "yes"), 1)
        XCTAssertEqual(try stored?.decode(Int.self, "no"), 1)
        XCTAssertEqual(try stored?.decode(Int.self, "article_yes"), 1, "the counts are the votes")
        XCTAssertEqual(try stored?.decode(Int.self, "article_no"), 1)
        let unknown = try await vote(UUID().uuidString, helpful: true, as: an)
        XCTAssertEqual(unknown.status, .notFound)
    }

    func testConcurrentVotesOfOneAgentCountOnce() async throws {
        let id = try await article("Refund policy", "Refunds within 7 days.")
        let an = try await keyFor(try await addAgent("Agent An"))
        let body = json(["helpful": true])
        try await withAPI { api in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<6 { group.addTask { _ = try await api.post("/v1/kb/articles/\(id)/votes", key: an, body) } }
                try await group.waitForAll()
            }
        }
        let helpful = try await ownerPool.queryScalar(Int.self, "SELECT helpful FROM kb_articles")
        XCTAssertEqual(helpful, 1)
    }

    func testSearchHighlightsEscapeTheArticleAndMarkOnlyTheMatch() async throws {
        _ = try await article("Password help", "<script>alert('x')</script> To reset your password <b>open</b> settings & tap Reset.")
        _ = try await article("退款说明", "<img src=x onerror=alert(1)>退款将在七个工作日内到账")
        // The English headline drops the tags and keeps the rest; the CJK snippet keeps them, escaped.
        for (query, match, escaped) in [("password", "password", "&amp; tap"), ("退款", "退款", "&lt;img src=x")] {
            let encoded = query.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed) ?? query
            let reply = try await get("/v1/kb/articles?q=\(encoded)")
            XCTAssertEqual(reply.status, .ok, reply.raw)
            let highlight = try require(reply["items"]?.array?.first?["highlight"]?.string)
            XCTAssertTrue(highlight.contains("<mark>\(match)</mark>"), highlight)
            let withoutMarks = highlight.replacingOccurrences(of: "<mark>", with: "").replacingOccurrences(of: "</mark>", with: "")
            XCTAssertFalse(withoutMarks.contains("<"), "no markup but <mark>: \(highlight)")
            XCTAssertTrue(highlight.contains(escaped), highlight)
        }
    }
}
