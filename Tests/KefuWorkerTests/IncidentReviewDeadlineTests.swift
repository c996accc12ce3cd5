import Foundation
import KefuCore
import KefuPostgres
import KefuTestSupport
import XCTest

/// The post-incident review is due 48 h after the incident ends: missed, it is stamped overdue
/// and the supervisors are reminded, exactly at the due instant and once (Tuesday 10:00 Shanghai).
final class IncidentReviewDeadlineTests: TicketTestCase {
    private var supervisor: Agent!

    override func setUp() async throws {
        try await super.setUp()
        supervisor = try await addAgent("Sup Su", tier: "senior", role: "supervisor")
    }

    /// A manual surge from 10:00 to 10:30; returns the incident's id.
    private func endedIncident() async throws -> String {
        let started = try await withAPI { [key] api in try await api.post("/v1/surge/activate", key: key, "{}") }
        XCTAssertEqual(started.status, .created, started.raw)
        clock.set(minutes(30))
        let ended = try await withAPI { [key] api in try await api.post("/v1/surge/deactivate", key: key, "{}") }
        XCTAssertEqual(ended.status, .ok, ended.raw)
        return try require(ended["id"]?.string)
    }

    private func review(_ incident: String) async throws -> APIClient.Reply {
        try await get("/v1/incidents/\(incident)/review")
    }

    private func reminders() async throws -> [UUID] {
        try await ownerPool.query("SELECT recipient_id FROM notifications WHERE kind = 'incident_review_overdue'").map {
            try $0.decode(UUID.self, "recipient_id")
        }
    }

    func testAnUnsubmittedReviewRemindsTheSupervisorsAtItsDueInstant() async throws {
        let incident = try await endedIncident()
        let due = minutes(30 + 48 * 60)
        let armed = try await review(incident)
        XCTAssertEqual(date(armed["due_at"]), due)
        XCTAssertNil(armed["overdue_at"])

        clock.set(due.addingTimeInterval(-1))
        let early = try await worker.timers.sweep()
        XCTAssertEqual(early.performed, 0, "nothing before the due instant")
        let none = try await reminders()
        XCTAssertEqual(none, [])

        clock.set(due)
        let atDue = try await worker.timers.sweep()
        XCTAssertEqual(atDue.performed, 1)
        let late = try await review(incident)
        XCTAssertEqual(date(late["overdue_at"]), due)
        let reminded = try await reminders()
        XCTAssertEqual(reminded, [supervisor.id])
        let supervisorKey = try await keyFor(supervisor)
        let inbox = try await withAPI { api in try await api.get("/v1/notifications", key: supervisorKey) }
        let reminder = inbox["items"]?.array?.first { $0["kind"]?.string == "incident_review_overdue" }
        XCTAssertTrue(reminder?["message"]?.string?.contains(incident.lowercased()) ?? false, inbox.raw)

        clock.set(due.addingTimeInterval(3600))
        let again = try await worker.timers.sweep()
        XCTAssertEqual(again.claimed, 0, "reminded once")
        // Submitted late, the review keeps the record of its missed deadline.
        let submitted = try await withAPI { [key] api in
            try await api.patch("/v1/incidents/\(incident)/review", key: key, json(["foreseeable": "The promotion", "submit": true]))
        }
        XCTAssertEqual(submitted.status, .ok, submitted.raw)
        XCTAssertEqual(date(submitted["overdue_at"]), due)
    }

    func testAReviewSubmittedInTimeRemindsNobody() async throws {
        let incident = try await endedIncident()
        let due = minutes(30 + 48 * 60)
        clock.set(due.addingTimeInterval(-60))
        let submitted = try await withAPI { [key] api in
            try await api.patch("/v1/incidents/\(incident)/review", key: key, json(["process_stalls": "Transfers", "submit": true]))
        }
        XCTAssertEqual(submitted.status, .ok, submitted.raw)
        clock.set(due)
        let swept = try await worker.timers.sweep()
        XCTAssertEqual(swept.claimed, 0, "the deadline was met: its timer finished with the submission")
        let onTime = try await review(incident)
        XCTAssertNil(onTime["overdue_at"])
        let none = try await reminders()
        XCTAssertEqual(none, [])
    }
}
