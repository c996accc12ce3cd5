import Foundation
import KefuCore
import KefuTestSupport
import XCTest

/// A customer who rates the handling low within the survey window always gets a second
/// handling, even after the agent closed the ticket, and the supervisors hear of it.
final class SecondHandlingTests: TicketTestCase {
    private func rate(_ token: String, overall: Int) async throws -> APIClient.Reply {
        let answer = json(["overall": overall, "timeliness": 2, "professionalism": 3, "resolution": 1, "attitude": 4])
        return try await withAPI { api in try await api.post("/v1/surveys/\(token)", key: nil, answer) }
    }

    func testALowRatingAfterTheTicketWasClosedReopensItAndAlertsTheSupervisor() async throws {
        let agentKey = try await keyFor(try await addAgent("Agent An", tier: "mid"))
        let created = try await intake([
            "customer": ["name": "Li Na"], "channel": "phone", "category": "inquiry", "priority": "P3",
            "description": "How do I export invoices?",
        ])
        let id = try require(created["id"]?.string)
        // Added after intake so that routing gives the ticket to Agent An.
        let supervisor = try await addAgent("Sun Qiang", tier: "senior", role: "supervisor")
        _ = try await act(id, "respond", ["body": "Here is how"], as: agentKey)
        _ = try await act(id, "resolve", ["solution_summary": "Explained the export"], as: agentKey)
        let closed = try await act(id, "close", as: agentKey)
        XCTAssertEqual(closed["status"]?.string, "closed", closed.raw)

        let rated = try await rate(try surveyToken(id), overall: 1)
        XCTAssertEqual(rated.status, .ok, rated.raw)
        let stored = try await ownerPool.queryScalar(
            Int.self,
            "SELECT overall FROM surveys WHERE ticket_id = \(UUID(uuidString: id)!) AND answered_at IS NOT NULL"
        )
        XCTAssertEqual(stored, 1, "the rating is kept")

        let ticket = try await get("/v1/tickets/\(id)")
        XCTAssertEqual(ticket["status"]?.string, "in_progress")
        XCTAssertEqual(ticket["reopen_count"]?.number, 1)
        XCTAssertNil(ticket["closed_at"], "the closure no longer stands")
        let alerts = try await ownerPool.query(
            "SELECT recipient_id, kind FROM notifications WHERE tenant_id = \(tenantID) AND ticket_id = \(UUID(uuidString: id)!) AND kind = 'low_rating'"
        )
        XCTAssertEqual(try alerts.map { try $0.decode(UUID.self, "recipient_id") }, [supervisor.id])
        let reopened = try await ownerPool.queryScalar(
            String.self,
            """
            SELECT before->>'status' FROM ticket_events
            WHERE ticket_id = \(UUID(uuidString: id)!) AND kind = 'reopened' AND actor_kind = 'customer'
            """
        )
        XCTAssertEqual(reopened, "closed")
    }

    func testAnAgentStillCannotReopenAClosedTicket() async throws {
        let agentKey = try await keyFor(try await addAgent("Agent An", tier: "mid"))
        let created = try await intake([
            "customer": ["name": "Li Na"], "channel": "phone", "category": "inquiry", "priority": "P3", "description": "Invoices?",
        ])
        let id = try require(created["id"]?.string)
        _ = try await act(id, "respond", ["body": "Here is how"], as: agentKey)
        _ = try await act(id, "resolve", ["solution_summary": "Explained"], as: agentKey)
        _ = try await act(id, "close", as: agentKey)
        let refused = try await act(id, "reopen", ["reason": "again"], as: agentKey)
        XCTAssertEqual(refused.status, .conflict, refused.raw)
        let status = try await get("/v1/tickets/\(id)")
        XCTAssertEqual(status["status"]?.string, "closed")
    }
}
