import Foundation
import KefuCore
import KefuPostgres
import KefuTestSupport
import XCTest

#if canImport(FoundationXML)
import FoundationXML
#endif

/// KPIs and the weekly report against a hand-computed fixture at exact instants (Tuesday 10:00 Shanghai).
final class ReportTests: TicketTestCase {
    private var alice: Agent!
    private var bob: Agent!
    private var ids: [String] = []

    /// T1 (Alice, P2): answered +10 min (on time), resolved +40 min, rated 5.
    /// T2 (Alice, P1): answered +20 min (late; due +10), resolved +60 min, rated 3.
    /// T3 (Bob, P3):   answered +30 min (on time), still open.
    private func arrange() async throws {
        alice = try await addAgent("Alice Ai", tier: "mid", duty: "away")
        bob = try await addAgent("Bob Bo", tier: "mid", duty: "away")
        let aliceKey = try await keyFor(alice)
        let bobKey = try await keyFor(bob)
        for priority in ["P2", "P1", "P3"] {
            let ticket = try await intake([
                "customer": ["name": "Customer \(priority)"], "channel": "phone", "category": "fault",
                "priority": priority, "description": "issue \(priority)",
            ])
            ids.append(try require(ticket["id"]?.string))
        }
        _ = try await act(ids[0], "assign", ["agent_id": alice.id.uuidString])
        _ = try await act(ids[1], "assign", ["agent_id": alice.id.uuidString])
        _ = try await act(ids[2], "assign", ["agent_id": bob.id.uuidString])
        clock.set(minutes(10))
        _ = try await act(ids[0], "respond", ["body": "hi"], as: aliceKey)
        clock.set(minutes(20))
        _ = try await act(ids[1], "respond", ["body": "hi"], as: aliceKey)
        clock.set(minutes(30))
        _ = try await act(ids[2], "respond", ["body": "hi"], as: bobKey)
        clock.set(minutes(40))
        _ = try await act(ids[0], "resolve", ["solution_summary": "done"], as: aliceKey)
        clock.set(minutes(60))
        _ = try await act(ids[1], "resolve", ["solution_summary": "done"], as: aliceKey)
        for (id, overall) in [(ids[0], 5), (ids[1], 3)] {
            let token = try surveyToken(id)
            _ = try await withAPI { api in
                try await api.post(
                    "/v1/surveys/\(token)",
                    key: nil,
                    json([
                        "overall": overall, "timeliness": overall, "professionalism": overall,
                        "resolution": overall, "attitude": overall,
                    ])
                )
            }
        }
        let qaAgent = try await addAgent("QA Qi", role: "qa")
        let qaKey = try await keyFor(qaAgent)
        let review = try await withAPI { [ids] api in
            try await api.post(
                "/v1/tickets/\(ids[0])/qa-reviews",
                key: qaKey,
                json([
                    "score": 90, "checklist": [["item": "greeted the customer", "passed": true]], "comments": "good empathy",
                ])
            )
        }
        XCTAssertEqual(review.status, .created, review.raw)
        clock.set(minutes(90))
    }

    func testAgentKPIsMatchTheHandComputedFixture() async throws {
        try await arrange()
        let report = try await get("/v1/reports/agents?from=2025-11-25T00:00:00Z&to=2025-11-26T00:00:00Z")
        XCTAssertEqual(report.status, .ok, report.raw)
        let agents = report["agents"]?.array ?? []
        let a = try require(agents.first { $0["agent_id"]?.string == alice.id.uuidString })
        XCTAssertEqual(a["tickets"]?.number, 2)
        XCTAssertEqual(a["resolved"]?.number, 2)
        XCTAssertEqual(a["resolution_rate"]?.number, 1)
        XCTAssertEqual(a["first_contact_resolution_rate"]?.number, 1)
        XCTAssertEqual(a["csat_average"]?.number, 4)
        XCTAssertEqual(a["csat_distribution"]?["5"]?.number, 1)
        XCTAssertEqual(a["csat_distribution"]?["3"]?.number, 1)
        XCTAssertEqual(a["on_time_first_response_rate"]?["P2"]?.number, 1)
        XCTAssertEqual(a["on_time_first_response_rate"]?["P1"]?.number, 0)
        XCTAssertEqual(a["average_first_response_seconds"]?.number, 900)
        XCTAssertEqual(a["average_handling_seconds"]?.number, 3000)
        XCTAssertEqual(a["qa_average"]?.number, 90)
        XCTAssertEqual(a["reopen_rate"]?.number, 0)
        let b = try require(agents.first { $0["agent_id"]?.string == bob.id.uuidString })
        XCTAssertEqual(b["tickets"]?.number, 1)
        XCTAssertEqual(b["resolution_rate"]?.number, 0)
        XCTAssertEqual(b["on_time_first_response_rate"]?["P3"]?.number, 1)
        XCTAssertEqual(report["best_agent_id"]?.string, alice.id.uuidString)
        let best = try await get("/v1/reports/best-agent?month=2025-11")
        XCTAssertEqual(best["agent"]?["agent_id"]?.string, alice.id.uuidString)
        let value1 = try await get("/v1/reports/agents?from=2025-11-26T00:00:00Z&to=2025-11-25T00:00:00Z").errorField
        XCTAssertEqual(value1, "from")
    }

    func testWeeklyReportAsJSONCSVAndSVG() async throws {
        try await arrange()
        let weekly = try await get("/v1/reports/weekly?week_start=2025-11-24")
        XCTAssertEqual(weekly.status, .ok, weekly.raw)
        XCTAssertEqual(weekly["total_tickets"]?.number, 3)
        XCTAssertEqual(weekly["by_channel"]?.array?.first?["key"]?.string, "phone")
        let sla = weekly["sla_by_priority"]?.array ?? []
        XCTAssertEqual(sla.first { $0["priority"]?.string == "P1" }?["rate"]?.number, 0)
        XCTAssertEqual(sla.first { $0["priority"]?.string == "P2" }?["rate"]?.number, 1)
        XCTAssertEqual(weekly["daily"]?.array?.count, 7)
        XCTAssertEqual(weekly["daily"]?.array?[1]["tickets"]?.number, 3, "all three on Tuesday")
        let monday = try require(KefuJSON.parse("2025-11-24"))
        let fromRollups = try await services.reports.weekly(tenantID, weekStart: monday)
        let fromTickets = try await services.reports.weekly(tenantID, weekStart: monday, source: .tickets)
        XCTAssertEqual(fromRollups.averageFirstResponseSeconds, 1200)
        XCTAssertEqual(fromRollups.averageFirstResponseSeconds, fromTickets.averageFirstResponseSeconds)
        XCTAssertEqual(fromRollups.averageResolutionSeconds, fromTickets.averageResolutionSeconds)
        XCTAssertEqual(fromRollups.slaByPriority, fromTickets.slaByPriority)
        XCTAssertEqual(fromRollups.daily, fromTickets.daily)

        let csv = try await withAPI { [key] api in
            try await api.send(.get, "/v1/reports/weekly?week_start=2025-11-24", key: key, headers: ["Accept": "text/csv"])
        }
        XCTAssertTrue(csv.raw.hasPrefix("section,key,value\r\n"), csv.raw)
        XCTAssertTrue(csv.raw.contains("summary,total_tickets,3\r\n"))
        XCTAssertTrue(csv.raw.split(separator: "\r\n").allSatisfy { $0.split(separator: ",", omittingEmptySubsequences: false).count >= 3 })

        let svg = try await get("/v1/reports/weekly.svg?week_start=2025-11-24")
        XCTAssertEqual(svg.status, .ok)
        XCTAssertTrue(svg.raw.hasPrefix("<svg"))
        let parser = XMLParser(data: Data(svg.raw.utf8))
        XCTAssertTrue(parser.parse(), "the SVG is well-formed XML: \(String(describing: parser.parserError))")
        XCTAssertEqual(svg.raw.components(separatedBy: "<rect x=").count - 1, 7 + 1, "a bar per day plus the legend swatch")
    }

    /// Ticket numbers past 999,999 keep all their digits everywhere, the weekly report included
    /// (it wrote `T-123456` for ticket 1,234,567).
    func testASevenDigitTicketNumberIsWrittenWhole() async throws {
        let ticket = try await intake(["customer": ["name": "Seven"], "channel": "phone", "category": "fault", "description": "issue"])
        let id = try require(ticket["id"]?.string)
        try await ownerPool.execute("UPDATE tickets SET number = 1234567 WHERE id = \(try require(UUID(uuidString: id)))")
        _ = try await act(id, "respond", ["body": "on it"])
        let resolved = try await act(id, "resolve", ["solution_summary": "done"])
        XCTAssertEqual(resolved.status, .ok, resolved.raw)
        let token = try surveyToken(id)
        _ = try await withAPI { api in
            try await api.post(
                "/v1/surveys/\(token)",
                key: nil,
                json(["overall": 1, "timeliness": 1, "professionalism": 1, "resolution": 1, "attitude": 1])
            )
        }
        let weekly = try await get("/v1/reports/weekly?week_start=2025-11-24")
        XCTAssertEqual(weekly["dissatisfied"]?.array?.first?["reference"]?.string, "T-1234567", weekly.raw)
        let stored = try await get("/v1/tickets/\(id)")
        XCTAssertEqual(stored["reference"]?.string, "T-1234567")
        // The one definition of the format (sql/020), at its edges.
        let references = try await ownerPool.query(
            "SELECT kefu_ticket_reference(n) AS reference FROM unnest(ARRAY[1, 123, 999999, 1000000, 1234567]::bigint[]) AS n"
        ).map { try $0.decode(String.self, "reference") }
        XCTAssertEqual(references, ["T-000001", "T-000123", "T-999999", "T-1000000", "T-1234567"])
    }

    func testComplaintsAboutAnAgentAreCounted() async throws {
        try await arrange()
        let complaint = try await withAPI { [key, bob] api in
            try await api.post("/v1/agents/\(bob!.id)/complaints", key: key, json(["description": "rude on the phone"]))
        }
        XCTAssertEqual(complaint.status, .created, complaint.raw)
        let report = try await get("/v1/reports/agents?from=2025-11-25T00:00:00Z&to=2025-11-26T00:00:00Z")
        let b = report["agents"]?.array?.first { $0["agent_id"]?.string == bob.id.uuidString }
        XCTAssertEqual(b?["complaints"]?.number, 1)
        let reviews = try await get("/v1/reports/qa?agent_id=\(alice.id.uuidString)")
        XCTAssertEqual(reviews["items"]?.array?.first?["score"]?.number, 90)
    }
}
