import Foundation
import KefuCore
import KefuPostgres
import KefuTestSupport
import XCTest

final class TrainingTests: TicketTestCase {
    private func post(_ path: String, _ body: [String: Any]) async throws -> APIClient.Reply {
        let text = json(body)
        return try await withAPI { [key] api in try await api.post(path, key: key, text) }
    }

    func testAssessmentsPassFailRetakeAndCertificates() async throws {
        let agent = try await addAgent("Trainee Tian")
        let course = try await post(
            "/v1/training/courses",
            [
                "name": "Refund disputes", "method": "practical", "content_area": "problem_solving",
                "required_for_tier": "mid", "pass_mark": 75,
            ]
        )
        XCTAssertEqual(course.status, .created, course.raw)
        let courseID = try require(course["id"]?.string)
        let session = try await post(
            "/v1/training/courses/\(courseID)/sessions",
            [
                "starts_at": "2025-12-01T01:00:00Z", "ends_at": "2025-12-01T03:00:00Z",
                "trainer": "Senior Shi", "location": "Room 3",
            ]
        )
        XCTAssertEqual(session.status, .created, session.raw)
        let value1 = try await post(
            "/v1/training/courses/\(courseID)/sessions",
            ["starts_at": "2025-12-01T03:00:00Z", "ends_at": "2025-12-01T01:00:00Z"]
        ).errorField
        XCTAssertEqual(value1, "ends_at")
        let enrolment = try await post("/v1/training/enrolments", ["course_id": courseID, "agent_id": agent.id.uuidString])
        let enrolmentID = try require(enrolment["id"]?.string)
        // No customer ratings yet: theory and practical carry the weight (0.4 each → 50/50).
        let failed = try await post("/v1/training/enrolments/\(enrolmentID)/assessments", ["theory_score": 80, "practical_score": 60])
        XCTAssertEqual(failed["assessment"]?["total"]?.number, 70)
        XCTAssertEqual(failed["assessment"]?["passed"]?.bool, false)
        XCTAssertEqual(failed["enrolment"]?["status"]?.string, "retake_required")
        XCTAssertNil(failed["certificate"]?["number"], "no certificate until a pass")
        let certificatesAfterFail = try await get("/v1/training/certificates?agent_id=\(agent.id.uuidString)")
        XCTAssertEqual(certificatesAfterFail["items"]?.array?.count, 0)

        let passed = try await post("/v1/training/enrolments/\(enrolmentID)/assessments", ["theory_score": 90, "practical_score": 80])
        XCTAssertEqual(passed["assessment"]?["attempt"]?.number, 2)
        XCTAssertEqual(passed["assessment"]?["passed"]?.bool, true)
        XCTAssertEqual(passed["certificate"]?["number"]?.string, "CERT-2025-000001")
        XCTAssertEqual(passed["certificate"]?["issued_on"]?.string, "2025-11-25")
        XCTAssertEqual(passed["certificate"]?["expires_on"]?.string, "2026-11-25")
        let again = try await post("/v1/training/enrolments/\(enrolmentID)/assessments", ["theory_score": 90, "practical_score": 80])
        XCTAssertEqual(again.status, .conflict)
        let badScore = try await post("/v1/training/enrolments/\(enrolmentID)/assessments", ["theory_score": 101, "practical_score": 80])
        XCTAssertEqual(badScore.errorField, "theory_score")
        let history = try await ownerPool.queryScalar(Int.self, "SELECT count(*) FROM assessments")
        XCTAssertEqual(history, 2, "every attempt is kept")
    }

    func testEligibilityNamesWhatIsMissing() async throws {
        try await services.settings.patch(tenantID, .object(["settings": .object(["promotion": .object(["min_resolved_tickets": .number(1)])])]))
        let ready = try await addAgent("Ready Rui")
        let notReady = try await addAgent("Not Yet Nie")
        let course = try await post(
            "/v1/training/courses",
            [
                "name": "Complaint handling", "method": "internal", "content_area": "communication",
                "required_for_tier": "mid",
            ]
        )
        let courseID = try require(course["id"]?.string)
        let enrolment = try await post("/v1/training/enrolments", ["course_id": courseID, "agent_id": ready.id.uuidString])
        _ = try await post(
            "/v1/training/enrolments/\(try require(enrolment["id"]?.string))/assessments",
            ["theory_score": 95, "practical_score": 95]
        )
        // One resolved, well-rated ticket for the ready agent.
        let readyKey = try await keyFor(ready)
        let ticket = try await intake(["customer": ["name": "Happy"], "channel": "chat", "category": "inquiry", "description": "q"])
        let ticketID = try require(ticket["id"]?.string)
        if ticket["owner_id"]?.string != ready.id.uuidString {
            _ = try await act(ticketID, "transfer", ["to_agent_id": ready.id.uuidString, "reason": "training", "handover_note": "take it"])
        }
        _ = try await act(ticketID, "resolve", ["solution_summary": "answered"], as: readyKey)
        let token = try surveyToken(ticketID)
        _ = try await withAPI { api in
            try await api.post(
                "/v1/surveys/\(token)",
                key: nil,
                json(["overall": 5, "timeliness": 5, "professionalism": 5, "resolution": 5, "attitude": 5])
            )
        }

        let eligibility = try await get("/v1/training/eligibility")
        let items = eligibility["items"]?.array ?? []
        let readyEntry = items.first { $0["agent_id"]?.string == ready.id.uuidString }
        XCTAssertEqual(readyEntry?["eligible"]?.bool, true, "\(String(describing: readyEntry))")
        XCTAssertEqual(readyEntry?["next_tier"]?.string, "mid")
        let other = items.first { $0["agent_id"]?.string == notReady.id.uuidString }
        XCTAssertEqual(other?["eligible"]?.bool, false)
        let reasons = other?["reasons"]?.array?.compactMap(\.string) ?? []
        XCTAssertTrue(reasons.contains("missing a valid certificate for Complaint handling"), "\(reasons)")
        XCTAssertTrue(reasons.contains { $0.hasPrefix("no customer ratings") }, "\(reasons)")
    }

    func testPlansAndEmergencyIssuesAsRequiredMaterial() async throws {
        let plan = try await post(
            "/v1/training/plans",
            [
                "year": 2026, "goals": "Faster complaint handling",
                "content_areas": ["communication", "emergency_handling"],
                "schedule": [["month": 3, "topic": "Empathy scripts"]],
            ]
        )
        XCTAssertEqual(plan.status, .created, plan.raw)
        let value1 = try await post("/v1/training/plans", ["year": 2026, "goals": "again", "content_areas": []]).status
        XCTAssertEqual(value1, .conflict)
        let value2 = try await post("/v1/training/plans", ["year": 2027, "goals": "x", "content_areas": ["juggling"]]).errorField
        XCTAssertEqual(value2, "content_areas[0]")

        let supervisor = try await addAgent("Sup Su", tier: "senior", role: "supervisor")
        let supervisorKey = try await keyFor(supervisor)
        let incident = try await withAPI { api in try await api.post("/v1/surge/activate", key: supervisorKey, "{}") }
        let incidentID = try require(incident["id"]?.string)
        _ = try await withAPI { api in try await api.post("/v1/surge/deactivate", key: supervisorKey, "{}") }
        _ = try await withAPI { api in
            try await api.patch(
                "/v1/incidents/\(incidentID)/review",
                key: supervisorKey,
                json([
                    "emergency_issues": [["title": "Handling payment outages", "detail": "scripts + escalation path"]], "submit": true,
                ])
            )
        }
        let materials = try await get("/v1/training/materials")
        XCTAssertEqual(materials["items"]?.array?.first?["title"]?.string, "Handling payment outages")
        XCTAssertEqual(materials["items"]?.array?.first?["incident_id"]?.string, incidentID)
    }
}
