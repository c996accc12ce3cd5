import Foundation
import KefuCore
import KefuTestSupport
import XCTest

/// Instants are RFC 3339 with a zone and dates real days, all within 1970…2199: each reproducer
/// of issue 12 used to reach PostgreSQL (500) or be read as another day.
final class DateInputTests: TicketTestCase {
    func ticket(_ extra: [String: Any], customer: [String: Any] = ["name": "A"]) -> [String: Any] {
        ["customer": customer, "channel": "chat", "category": "inquiry", "description": "x"].merging(extra) { $1 }
    }

    func testIntakeRefusesOutOfRangeAndNonExistentInstantsNamingTheField() async throws {
        let bad = [
            "0000-01-01T00:00:00Z", "2026-02-30T10:00:00Z", "2026-11-25T09:30:00+25:00", "2026-11-25T09:30:00",
            "2026-11-25", "2200-01-01T00:00:00Z", "1969-12-31T23:59:59Z", "2026-11-25T24:00:00Z",
        ]
        for text in bad {
            for field in ["occurred_at", "expected_resolution_at"] {
                let reply = try await intake(ticket([field: text]))
                XCTAssertEqual(reply.status, .unprocessableContent, "\(field)=\(text): \(reply.raw)")
                XCTAssertEqual(reply.errorField, field, reply.raw)
            }
            let customer = try await intake(ticket([:], customer: ["name": "A", "first_seen_at": text]))
            XCTAssertEqual(customer.status, .unprocessableContent, customer.raw)
            XCTAssertEqual(customer.errorField, "customer.first_seen_at", customer.raw)
        }
        let good = try await intake(ticket(["occurred_at": "2025-11-25T09:30:00.123+08:00"]))
        XCTAssertEqual(good.status, .created, good.raw)
        XCTAssertEqual(good["occurred_at"]?.string, "2025-11-25T01:30:00.123Z")
        let tickets = try await ownerPool.queryFirst("SELECT count(*)::int AS n FROM tickets")
        XCTAssertEqual(try tickets?.decode(Int.self, "n"), 1)
    }

    func testQueryDatesAreStrictAndBounded() async throws {
        let cases = [
            ("/v1/tickets?due_before=0000-01-01T00:00:00Z", "due_before"),
            ("/v1/tickets?due_before=2026-11-25T09:30:00", "due_before"),
            ("/v1/reports/weekly?week_start=0000-01-03", "week_start"),
            ("/v1/reports/weekly?week_start=2026-02-30", "week_start"),
            ("/v1/kb/gaps?from=0000-01-01T00:00:00Z", "from"),
            ("/v1/reports/best-agent?month=0000-01", "month"),
            ("/v1/reports/best-agent?month=2026-13", "month"),
            ("/v1/reports/agents?from=2026-02-30", "from"),
        ]
        for (path, field) in cases {
            let reply = try await get(path)
            XCTAssertEqual(reply.status, .unprocessableContent, "\(path): \(reply.raw)")
            XCTAssertEqual(reply.errorField, field, path)
        }
        let fine = try await get("/v1/reports/weekly?week_start=2025-11-24")
        XCTAssertEqual(fine.status, .ok, fine.raw)
    }

    func testTrainingSessionsAndEventsRefuseDatesOutOfRange() async throws {
        let course = try await withAPI { [key] api in
            try await api.post("/v1/training/courses", key: key, json(["name": "Basics", "method": "internal", "content_area": "communication"]))
        }
        let courseID = try XCTUnwrap(course["id"]?.string, course.raw)
        try await withAPI { [key] api in
            let session = try await api.post(
                "/v1/training/courses/\(courseID)/sessions",
                key: key,
                json(["starts_at": "0000-01-01T01:00:00Z", "ends_at": "0000-01-01T03:00:00Z"])
            )
            XCTAssertEqual(session.status, .unprocessableContent, session.raw)
            XCTAssertEqual(session.errorField, "starts_at")
            // The reserve goes on duty surge.reserve_lead_days before the start: before year 1 once.
            let event = try await api.post(
                "/v1/events",
                key: key,
                json(["name": "Sale", "starts_at": "0001-01-02T00:00:00Z", "ends_at": "0001-01-03T00:00:00Z"])
            )
            XCTAssertEqual(event.status, .unprocessableContent, event.raw)
            XCTAssertEqual(event.errorField, "starts_at")
        }
    }

    func testTheStrictParserAcceptsRFC3339AndNothingElse() throws {
        XCTAssertEqual(try InputDates.instant("1970-01-01T00:00:00Z", field: "t"), Date(timeIntervalSince1970: 0))
        XCTAssertEqual(
            try InputDates.instant("2026-11-25t09:30:00.5-01:30", field: "t"),
            Date(timeIntervalSince1970: 1_795_599_000 + 0.5 + 5_400)
        )
        XCTAssertEqual(try InputDates.date("2024-02-29", field: "d"), try InputDates.instant("2024-02-29T00:00:00Z", field: "t"))
        for text in ["2025-02-29", "2026-00-10", "+2026-01-01", "2026-1-01", ""] {
            XCTAssertThrowsError(try InputDates.date(text, field: "d"), text)
        }
        for text in [
            "2026-11-25 09:30:00Z", "2026-11-25T09:30:60Z", "2026-11-25T09:30:00.Z", "2026-11-25T09:30:00.1234567890Z",
            "2026-11-25T09:30:00+0800", "2026-11-25T09:30:00+08", "2026-11-25T09:30:00+08:60", "2026-11-25T09:30:00Z ",
        ] {
            XCTAssertThrowsError(try InputDates.instant(text, field: "t"), text)
        }
    }
}
