import Foundation
import KefuCore
import KefuPostgres
import KefuTestSupport
import XCTest

/// The worker deletes intake counters older than 36 days (sql/016) for every tenant, in bounded
/// batches, and keeps everything the surge detector still reads. Since sql/044 each tenant's rows
/// go by statements that name the tenant (Citus), the oldest tenant first.
final class IntakeCounterRetentionTests: TicketTestCase {
    private func seed(_ tenant: UUID, ageInMinutes ages: [Int]) async throws {
        let now = clock.now()
        for age in ages {
            let minute = now.addingTimeInterval(-Double(age) * 60)
            try await ownerPool.execute("INSERT INTO intake_minutes (tenant_id, channel, minute, count) VALUES (\(tenant), 'chat', \(minute), 3)")
            try await ownerPool.execute(
                """
                INSERT INTO intake_hours (tenant_id, channel, hour, count) VALUES (\(tenant), 'chat', date_trunc('hour', \(minute)::timestamptz, 'UTC'), 3)
                ON CONFLICT (tenant_id, channel, hour) DO UPDATE SET count = intake_hours.count + 3
                """
            )
        }
    }

    private func counts() async throws -> (minutes: Int, hours: Int) {
        let minutes = try await ownerPool.queryScalar(Int.self, "SELECT count(*)::int FROM intake_minutes") ?? -1
        let hours = try await ownerPool.queryScalar(Int.self, "SELECT count(*)::int FROM intake_hours") ?? -1
        return (minutes, hours)
    }

    func testCountersOlderThan36DaysGoForEveryTenantAndTheRestStays() async throws {
        let other = try await makeTenant("beta").tenant.id
        let day = 24 * 60
        // Old: 40 days, 37 days, 36 days and 2 hours. Kept: 35 days (the detector's longest look back), 1 hour, now.
        let old = [40 * day, 37 * day, 36 * day + 120]
        let kept = [35 * day, 60, 0]
        try await seed(tenantID, ageInMinutes: old + kept)
        try await seed(other, ageInMinutes: old + kept)
        let before = try await counts()
        XCTAssertEqual(before.minutes, 12)

        // Batches of 2 per table, one batch per call: each call deletes at most 4 rows.
        let bounded = IntakeCounterRetention(pool: workerPool, clock: clock, batch: 2, maxBatches: 1)
        let first = try await bounded.prune(now: clock.now())
        XCTAssertEqual(first, 4)
        let retention = IntakeCounterRetention(pool: workerPool, clock: clock, every: 600, batch: 2, maxBatches: 50)
        let rest = try await retention.prune(now: clock.now())
        XCTAssertEqual(first + rest, 12, "6 old minute rows and 6 old hour rows")
        let after = try await counts()
        XCTAssertEqual(after.minutes, 6)
        XCTAssertEqual(after.hours, 6)
        let oldest = try await ownerPool.queryScalar(Date.self, "SELECT min(minute) FROM intake_minutes")
        XCTAssertEqual(oldest, clock.now().addingTimeInterval(-Double(35 * day) * 60))
    }

    func testABoundedBatchDeletesTheOldestRowsOfAnyTenantTenantByTenant() async throws {
        let tenants = [tenantID, try await makeTenant("beta").tenant.id, try await makeTenant("gamma").tenant.id]
        let day = 24 * 60
        // The tenants take turns: the oldest row is the first tenant's (45 days), then the second's, …
        for (n, tenant) in tenants.enumerated() {
            try await seed(tenant, ageInMinutes: [(45 - n) * day, (42 - n) * day, 30 * day])
        }
        func oldest() async throws -> [UUID: Date] {
            var oldest: [UUID: Date] = [:]
            for row in try await ownerPool.query("SELECT tenant_id, min(minute) AS minute FROM intake_minutes GROUP BY tenant_id") {
                oldest[try row.decode(UUID.self, "tenant_id")] = try row.decode(Date.self, "minute")
            }
            return oldest
        }
        func ago(_ days: Int) -> Date { clock.now().addingTimeInterval(-Double(days * day) * 60) }

        // Four minute rows and four hour rows a call: the four oldest of each, whoever holds them.
        let bounded = IntakeCounterRetention(pool: workerPool, clock: clock, batch: 4, maxBatches: 1)
        let first = try await bounded.prune(now: clock.now())
        XCTAssertEqual(first, 8)
        let afterFirst = try await oldest()
        XCTAssertEqual(afterFirst, [tenants[0]: ago(30), tenants[1]: ago(41), tenants[2]: ago(40)])
        let rest = try await bounded.prune(now: clock.now())
        XCTAssertEqual(rest, 4, "the last two old rows of each table")
        let afterRest = try await oldest()
        XCTAssertEqual(afterRest, [tenants[0]: ago(30), tenants[1]: ago(30), tenants[2]: ago(30)])
        let hours = try await ownerPool.queryScalar(Int.self, "SELECT count(*)::int FROM intake_hours WHERE hour < \(ago(36))")
        XCTAssertEqual(hours, 0)
        let none = try await bounded.prune(now: clock.now())
        XCTAssertEqual(none, 0)
    }

    func testAProcessPrunesAtMostOncePerInterval() async throws {
        try await seed(tenantID, ageInMinutes: [40 * 24 * 60])
        let retention = IntakeCounterRetention(pool: workerPool, clock: clock, every: 600)
        let first = try await retention.pruneIfDue()
        XCTAssertEqual(first, 2)
        try await seed(tenantID, ageInMinutes: [41 * 24 * 60])
        let tooSoon = try await retention.pruneIfDue()
        XCTAssertNil(tooSoon, "not due yet")
        clock.advance(by: 600)
        let due = try await retention.pruneIfDue()
        XCTAssertEqual(due, 2)
    }

    func testTheFunctionRunsWithFixedRightsForTheWorkerOnly() async throws {
        let row = try require(
            try await ownerPool.queryFirst(
                """
                SELECT p.prosecdef, p.proconfig::text AS config,
                       has_function_privilege('kefu_app', p.oid, 'EXECUTE') AS app,
                       has_function_privilege('kefu_worker', p.oid, 'EXECUTE') AS worker,
                       has_function_privilege('public', p.oid, 'EXECUTE') AS anyone
                FROM pg_proc p WHERE p.proname = 'kefu_prune_intake_counters'
                """
            )
        )
        XCTAssertTrue(try row.decode(Bool.self, "prosecdef"))
        XCTAssertTrue(try row.decode(String.self, "config").contains("search_path"))
        XCTAssertFalse(try row.decode(Bool.self, "app"))
        XCTAssertTrue(try row.decode(Bool.self, "worker"))
        XCTAssertFalse(try row.decode(Bool.self, "anyone"))
    }
}
