import Foundation
import KefuCore
import KefuPostgres
import KefuTestSupport
import XCTest

/// Survey tokens are credentials: shown once (the `Survey-Token` header of `resolve`), stored as
/// their SHA-256, refused while the tenant is suspended.
final class SurveyTokenTests: TicketTestCase {
    private let answer = json(["overall": 5, "timeliness": 5, "professionalism": 5, "resolution": 5, "attitude": 5])

    private func resolvedTicket() async throws -> (id: String, token: String) {
        let agent = try await addAgent("Agent An", tier: "mid")
        let agentKey = try await keyFor(agent)
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

    func testOnlyTheHashOfTheTokenIsStoredAndTheTokenIsShownOnce() async throws {
        let (id, token) = try await resolvedTicket()
        XCTAssertEqual(token.count, 32)
        let stored = try await ownerPool.queryScalar(String.self, "SELECT encode(token_hash, 'hex') FROM surveys")
        XCTAssertEqual(stored, SHA256.hex(Array(token.utf8)))
        let plain = try await ownerPool.queryScalar(
            Int.self,
            """
            SELECT count(*) FROM information_schema.columns WHERE table_name = 'surveys' AND column_name = 'token'
            """
        )
        XCTAssertEqual(plain, 0, "no plain token column")
        let survey = try await get("/v1/tickets/\(id)/survey")
        XCTAssertEqual(survey.status, .ok, survey.raw)
        XCTAssertNil(survey["token"], "the token is not shown again")
        XCTAssertFalse(survey.raw.contains(token))
        let answered = try await withAPI { [answer] api in try await api.post("/v1/surveys/\(token)", key: nil, answer) }
        XCTAssertEqual(answered.status, .ok, answered.raw)
        let byHash = try await withAPI { [answer] api in
            try await api.post("/v1/surveys/\(String(try require(stored).prefix(32)))", key: nil, answer)
        }
        XCTAssertEqual(byHash.status, .notFound, "the stored hash is not a token")
    }

    func testASuspendedTenantsSurveysAreRefused() async throws {
        let (_, token) = try await resolvedTicket()
        let admin = TenantAdminService(ownerPool: ownerPool)
        _ = try await admin.setStatus(slug: "acme", .suspended)
        let refused = try await withAPI { [answer] api in try await api.post("/v1/surveys/\(token)", key: nil, answer) }
        XCTAssertEqual(refused.status, .forbidden, refused.raw)
        XCTAssertEqual(refused.errorCode, "tenant_suspended")
        let unanswered = try await ownerPool.queryScalar(Int.self, "SELECT count(*) FROM surveys WHERE answered_at IS NULL")
        XCTAssertEqual(unanswered, 1)
        _ = try await admin.setStatus(slug: "acme", .active)
        let accepted = try await withAPI { [answer] api in try await api.post("/v1/surveys/\(token)", key: nil, answer) }
        XCTAssertEqual(accepted.status, .ok, accepted.raw)
    }
}
