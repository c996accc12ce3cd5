import Foundation
import KefuCLI
import KefuCore
import KefuPostgres
import KefuTestSupport
import XCTest

/// The worker, timers, surge and report commands, run in-process against the test database.
final class OperatorCLITests: CLITestCase {
    func testSurgeSimulateFeedsRealIntakeAndStatusShowsTheRates() async throws {
        try await kefu("tenant", "create", "--slug", "acme", "--name", "Acme")
        let fed = try await kefu("surge", "simulate", "--tenant", "acme", "--rate", "25", "--minutes", "1")
        XCTAssertTrue(fed.contains("Fed 25 synthetic tickets"), fed)
        let tickets = try await ownerPool.queryScalar(Int.self, "SELECT count(*) FROM tickets WHERE description LIKE '[surge rehearsal]%'")
        XCTAssertEqual(tickets, 25)
        let status = try JSONDecoder().decode(JSONValue.self, from: Data(try await kefu("surge", "status", "--tenant", "acme", "--json").utf8))
        let rates = status.array?.first?["status"]?["rates"]?.array ?? []
        XCTAssertEqual(rates.first { $0["channel"]?.string == "all" }?["live"]?.number, 25)
        await XCTAssertThrowsErrorAsync(try await self.kefu("surge", "simulate", "--tenant", "acme", "--rate", "0", "--minutes", "1"))

        // The worker's sweep sees the surge (25 ≥ 20 and far above the floor baseline).
        let swept = try JSONDecoder().decode(JSONValue.self, from: Data(try await kefu("worker", "--once", "--json").utf8))
        XCTAssertEqual(swept["failed"]?.number, 0)
        XCTAssertEqual(swept["intake_counter_rows_deleted"]?.number, 0, "nothing is 36 days old yet")
        let incidents = try await ownerPool.queryScalar(Int.self, "SELECT count(*) FROM incidents WHERE ended_at IS NULL")
        XCTAssertEqual(incidents, 1)
    }

    /// What an operator passes to the surge functions by hand is what the worker passes.
    func testSurgeLimitsPrintsTheLimitsTheSurgeFunctionsTake() async throws {
        let printed = try await kefu("surge", "limits")
        XCTAssertEqual(printed, SettingLimits.document)
        let limits = try JSONDecoder().decode(JSONValue.self, from: Data(printed.utf8))
        XCTAssertEqual(limits["surge"]?["window_minutes"]?["default"]?.number, 15)
        XCTAssertEqual(limits["surge"]?["minimum_volume"]?["max"]?.number, 100_000)
        let candidates = try await ownerPool.query(
            PostgresQuery(unsafeSQL: "SELECT * FROM kefu_surge_candidates(now() - interval '2 hours', now(), '\(printed)')")
        )
        XCTAssertEqual(candidates.count, 0)
    }

    func testTimersListsPendingWorkPerTenant() async throws {
        try await kefu("tenant", "create", "--slug", "acme", "--name", "Acme")
        try await kefu("surge", "simulate", "--tenant", "acme", "--rate", "2", "--minutes", "1")
        let timers = try JSONDecoder().decode(JSONValue.self, from: Data(try await kefu("timers", "--json").utf8)).array ?? []
        let firstResponse = timers.first { $0["kind"]?.string == "sla:first_response" }
        XCTAssertEqual(firstResponse?["tenant"]?.string, "acme")
        XCTAssertEqual(firstResponse?["pending"]?.number, 2)
    }

    func testWeeklyReportPrintsJSONCSVAndSVG() async throws {
        let acme = try await makeTenant("acme")
        let printed = try await kefu("report", "weekly", "--tenant", "acme", "--week-start", "2025-11-24")
        let json = try JSONDecoder().decode(JSONValue.self, from: Data(printed.utf8))
        // The CLI's JSON is the API's, byte for byte (one encoder).
        let answered = try await withAPI { api in try await api.get("/v1/reports/weekly?week_start=2025-11-24", key: acme.apiKey) }
        XCTAssertEqual(printed, answered.raw)
        XCTAssertEqual(json["tenant"]?.string, "acme")
        XCTAssertEqual(json["daily"]?.array?.count, 7)
        let csv = try await kefu("report", "weekly", "--tenant", "acme", "--format", "csv", "--week-start", "2025-11-24")
        XCTAssertTrue(csv.hasPrefix("section,key,value"), csv)
        let svg = try await kefu("report", "weekly", "--tenant", "acme", "--format", "svg", "--week-start", "2025-11-24")
        XCTAssertTrue(svg.hasPrefix("<svg") && svg.contains("</svg>"))
        await XCTAssertThrowsErrorAsync(try await self.kefu("report", "weekly", "--tenant", "acme", "--format", "pdf"))
    }
}

/// `kefu deliveries`: the webhook outbox for operators.
final class DeliveriesCLITests: CLITestCase {
    func testDeliveriesSummarisesEachWebhookAndListsTheDeadOnes() async throws {
        let acme = try await makeTenant("acme")
        let webhook = UUID()
        try await ownerPool.execute(
            """
            INSERT INTO webhooks (tenant_id, id, url, events, secret, created_at, updated_at)
            VALUES (\(acme.tenant.id), \(webhook), 'https://crm.acme.example/hook', '{ticket.created}', 'whsec_x', now(), now())
            """
        )
        try await ownerPool.execute(
            """
            INSERT INTO deliveries (tenant_id, webhook_id, event_type, status, attempts, next_attempt_at, created_at, last_status_code, last_error)
            VALUES (\(acme.tenant.id), \(webhook), 'ticket.created', 'dead', 15, now(), now(), 503, 'the receiver answered 503'),
                   (\(acme.tenant.id), \(webhook), 'ticket.created', 'pending', 0, now(), now() - interval '1 minute', NULL, NULL)
            """
        )
        let summary = try JSONDecoder().decode(JSONValue.self, from: Data(try await kefu("deliveries", "--json").utf8)).array ?? []
        XCTAssertEqual(summary.count, 1)
        XCTAssertEqual(summary.first?["tenant"]?.string, "acme")
        XCTAssertEqual(summary.first?["dead"]?.number, 1)
        XCTAssertEqual(summary.first?["pending"]?.number, 1)
        XCTAssertNotNil(summary.first?["oldest_undelivered_at"]?.string)
        let dead =
            try JSONDecoder().decode(
                JSONValue.self,
                from: Data(try await kefu("deliveries", "--tenant", "acme", "--status", "dead", "--json").utf8)
            ).array ?? []
        XCTAssertEqual(dead.count, 1)
        XCTAssertEqual(dead.first?["last_error"]?.string, "the receiver answered 503")
        let other = try await kefu("deliveries", "--tenant", "nobody", "--status", "dead", "--json")
        XCTAssertEqual(try JSONDecoder().decode(JSONValue.self, from: Data(other.utf8)).array?.count, 0)
        await XCTAssertThrowsErrorAsync(try await self.kefu("deliveries", "--status", "lost"))
    }
}
