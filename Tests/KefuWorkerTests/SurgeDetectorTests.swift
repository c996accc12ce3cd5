import Foundation
import KefuCore
import KefuPostgres
import KefuTestSupport
import XCTest

/// The set-based detector: one read for all candidates, a lock and a write only where the mode
/// changes, each tenant's own thresholds, and the hourly rollup giving the same counts as minutes.
final class SurgeDetectorTests: TicketTestCase {
    private func mode(_ tenant: UUID) async throws -> (xmax: String, calmSince: Date?)? {
        guard let row = try await ownerPool.queryFirst("SELECT xmax::text AS xmax, calm_since FROM surge_modes WHERE tenant_id = \(tenant)") else {
            return nil
        }
        return (try row.decode(String.self, "xmax"), try row.decode(Date?.self, "calm_since"))
    }

    func testASweepLocksAndWritesOnlyTenantsWhoseModeMustChange() async throws {
        try await seedHistory(tenantID)
        // Busy but normal: 25 ≥ the minimum volume 20, 2.5× normal. Read, not locked, nothing written.
        try await live(tenantID, 25)
        let busy = try await sweeper().sweep()
        XCTAssertEqual(busy.candidates, 1)
        XCTAssertEqual(busy.locked, 0)
        let noMode = try await mode(tenantID)
        XCTAssertNil(noMode, "no surge_modes row is written for a tenant whose mode stays off")

        try await live(tenantID, 30)
        let surge = try await sweeper().sweep()
        XCTAssertEqual(surge.locked, 1)
        XCTAssertEqual(surge.started.count, 1)

        // Calm: the hold period starts (one locked write), then runs without locks or writes.
        try await live(tenantID, 14)
        let calm = try await sweeper().sweep()
        XCTAssertEqual(calm.locked, 1)
        let started = try require(try await mode(tenantID))
        XCTAssertEqual(started.calmSince, clock.now())
        for _ in 1...2 {
            clock.advance(by: 10 * 60)
            try await live(tenantID, 14)
            let holding = try await sweeper().sweep()
            XCTAssertEqual(holding.candidates, 1)
            XCTAssertEqual(holding.locked, 0)
        }
        let held = try require(try await mode(tenantID))
        XCTAssertEqual(held.xmax, started.xmax, "no row lock while the hold period runs")
        XCTAssertEqual(held.calmSince, started.calmSince)

        clock.advance(by: 10 * 60)
        try await live(tenantID, 14)
        let end = try await sweeper().sweep()
        XCTAssertEqual(end.locked, 1)
        XCTAssertEqual(end.ended.count, 1)
    }

    func testEachTenantsOwnWindowAndTriggerAreUsed() async throws {
        // Normal is 40 per hour. This tenant watches a 60-minute window and triggers at 2×.
        let patched = try await withAPI { [key] api in
            try await api.patch("/v1/settings", key: key, json(["settings": ["surge": ["window_minutes": 60, "trigger_ratio": 2]]]))
        }
        XCTAssertEqual(patched.status, .ok, patched.raw)
        let other = try await makeTenant("defaults")
        for (tenant, recent) in [(tenantID, 30), (other.tenant.id, 25)] {
            try await seedHistory(tenant)
            try await live(tenant, recent)
            try await ownerPool.execute(
                """
                INSERT INTO intake_minutes (tenant_id, channel, minute, count) VALUES (\(tenant), 'chat', \(clock.now().addingTimeInterval(-40 * 60)), 60)
                """
            )
            try await rebuildHours(tenant)
        }
        // Here: 90 in 60 minutes = 2.25 × 40 (a 15-minute window would see 30 = 0.75 × 10, and 3× would not trigger).
        // Defaults: 25 in 15 minutes = 2.5 × 10, below 3×.
        let result = try await sweeper().sweep()
        XCTAssertEqual(result.started.map(\.tenantId), [tenantID])
        let incident = try require(result.started.first)
        XCTAssertEqual(incident.liveCount, 90)
        XCTAssertEqual(incident.normalCount, 40, accuracy: 0.001)
    }

    func testTheHourlyRollupGivesTheTrailingWeekOfTheMinuteRows() async throws {
        // Off the hour, so the trailing week starts and ends inside hours and both edges come from minute rows.
        clock.set(Self.tuesdayTen.addingTimeInterval(37 * 60 + 20))
        let now = clock.now()
        let hourStart = Self.tuesdayTen
        // Younger than a week by 10 minutes (no same-hour week yet): rows every 7 minutes, counts 1…5,
        // the first ones older than `now − 7 days` (outside the trailing week).
        try await ownerPool.execute(
            """
            INSERT INTO intake_minutes (tenant_id, channel, minute, count)
            SELECT \(tenantID), 'chat', \(hourStart.addingTimeInterval(-7 * 86_400 + 600)) + make_interval(mins => 7 * i), i % 5 + 1
            FROM generate_series(0, 1445) i
            WHERE \(hourStart.addingTimeInterval(-7 * 86_400 + 600)) + make_interval(mins => 7 * i) <= \(now)
            """
        )
        try await rebuildHours(tenantID)
        let window = 15.0 * 60
        let trailing = try await ownerPool.queryScalar(
            Int.self,
            """
            SELECT sum(count) FROM intake_minutes WHERE tenant_id = \(tenantID)
              AND minute > \(now.addingTimeInterval(-7 * 86_400)) AND minute <= \(now.addingTimeInterval(-window))
            """
        )
        let live = try await ownerPool.queryScalar(
            Int.self,
            """
            SELECT sum(count) FROM intake_minutes WHERE tenant_id = \(tenantID) AND minute > \(now.addingTimeInterval(-window)) AND minute <= \(now)
            """
        )
        let status = try await get("/v1/surge")
        let chat = try require(status["rates"]?.array?.first { $0["channel"]?.string == "chat" })
        XCTAssertEqual(chat["baseline"]?.string, "trailing_7_days")
        XCTAssertEqual(chat["live"]?.number, Double(try require(live)))
        // Observed: the whole week (the tenant is older than that) minus the window.
        XCTAssertEqual(try require(chat["normal"]?.number), Double(try require(trailing)) / (7 * 24 * 60 - 15) * 15, accuracy: 1e-9)
    }
}
