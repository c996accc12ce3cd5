import Foundation
import KefuCore
import KefuPostgres
import KefuRuntime
import KefuTestSupport
import XCTest

/// delivery_attempts, ticket_sla_breaches and notifications are RANGE-partitioned by month like
/// ticket_events (issue 16 §1, sql/045): one kefu_ensure_partitions call makes the months of all
/// four, rows land in their month, keys and tenants hold, and reads with a time bound prune.
final class AppendOnlyPartitionTests: TicketTestCase {
    let targets = WebhookTargetPolicy(allowedHosts: ["127.0.0.1"])
    /// Each partitioned table and its partition column.
    let partitioned = [
        "delivery_attempts": "started_at", "notifications": "created_at", "ticket_events": "created_at",
        "ticket_sla_breaches": "due_at",
    ]

    override func setUp() async throws {
        try await super.setUp()
        services = KefuServices(pool: appPool, clock: clock, webhookTargets: targets)
        worker = WorkerServices(pool: workerPool, clock: clock, webhookTargets: targets)
    }

    /// `table_pYYYYMM` of the clock's month.
    private func clockMonth(_ table: String) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let now = clock.now()
        return table + "_p" + String(format: "%04d%02d", calendar.component(.year, from: now), calendar.component(.month, from: now))
    }

    private func plan(_ query: PostgresQuery) async throws -> String {
        var explain: PostgresQuery = "EXPLAIN "
        explain.append(query)
        return try await ownerPool.query(explain).map { try $0.decode(String.self, "QUERY PLAN") }.joined(separator: "\n")
    }

    /// Asserts that `plan` scans `table`'s clock month and none of the months before it.
    private func assertPrunesEarlierMonths(_ plan: String, _ table: String, file: StaticString = #filePath, line: UInt = #line) async throws {
        let month = clockMonth(table)
        let older = try await partitions(of: table).filter { $0 < month && $0 != "\(table)_default" }
        XCTAssertGreaterThanOrEqual(older.count, 5, "there are older months to skip: \(older)", file: file, line: line)
        for partition in older {
            XCTAssertFalse(plan.contains(partition), "\(partition) is pruned:\n\(plan)", file: file, line: line)
        }
        XCTAssertTrue(plan.contains(month), "the month is scanned:\n\(plan)", file: file, line: line)
    }

    /// Rows of `table` outside the partition of their month (0 when every row is where it belongs).
    private func misplaced(_ table: String) async throws -> (rows: Int, misplaced: Int) {
        let column = try XCTUnwrap(partitioned[table])
        let row = try await ownerPool.queryFirst(
            PostgresQuery(
                unsafeSQL: """
                    SELECT count(*) AS rows,
                           count(*) FILTER (WHERE tableoid::regclass::text <> '\(table)_p' || to_char(\(column) AT TIME ZONE 'UTC', 'YYYYMM')) AS misplaced
                    FROM \(table)
                    """
            )
        )
        return (try row?.decode(Int.self, "rows") ?? -1, try row?.decode(Int.self, "misplaced") ?? -1)
    }

    /// `sql` as kefu_app with `tenant` set (the application role, under row-level security).
    private func appCount(_ tenant: UUID, _ sql: PostgresQuery) async throws -> Int? {
        let app = try await PostgresConnection.connect(database.appConfiguration)
        defer { Task { await app.close() } }
        return try await app.transaction(setup: ["SELECT set_config('app.tenant_id', \(tenant.uuidString), true)"]) { tx in
            try await tx.queryScalar(Int.self, sql)
        }
    }

    private func constraint(_ table: String, _ type: String) async throws -> [String] {
        try await ownerPool.query(
            """
            SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint
            WHERE conrelid = \(table)::regclass AND contype = \(type) ORDER BY 1
            """
        ).map { try $0.decode(String.self, "def") }
    }

    private func assertNoRightsOnPartitions(_ table: String, file: StaticString = #filePath, line: UInt = #line) async throws {
        let names = try await partitions(of: table)
        XCTAssertTrue(names.contains("\(table)_default") && names.contains(clockMonth(table)), "\(names)", file: file, line: line)
        for partition in [clockMonth(table), "\(table)_default"] {
            for role in ["kefu_app", "kefu_worker"] {
                for privilege in ["SELECT", "INSERT", "UPDATE", "DELETE"] {
                    let granted = try await ownerPool.queryScalar(Bool.self, "SELECT has_table_privilege(\(role), \(partition), \(privilege))")
                    XCTAssertEqual(granted, false, "\(role) \(privilege) \(partition)", file: file, line: line)
                }
            }
            let policies = try await ownerPool.queryScalar(Int.self, "SELECT count(*) FROM pg_policy WHERE polrelid = \(partition)::regclass")
            XCTAssertEqual(policies, 1, "\(partition) carries the tenant policy", file: file, line: line)
        }
    }

    func testOneCallMakesTheMonthsOfEveryPartitionedTable() async throws {
        let made = try await ensurePartitionsAroundTheClock()
        XCTAssertGreaterThanOrEqual(made, 4 * 9, "six months back, the clock's month and three ahead, for four tables")
        let again = try await ensurePartitionsAroundTheClock()
        XCTAssertEqual(again, 0, "idempotent")

        // The function's list is the catalog's: every partitioned table, by its partition column.
        let catalog = try await ownerPool.query(
            """
            SELECT c.relname, pg_get_partkeydef(c.oid) AS key FROM pg_class c
            WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'p' ORDER BY c.relname
            """
        )
        var keys: [String: String] = [:]
        for row in catalog { keys[try row.decode(String.self, "relname")] = try row.decode(String.self, "key") }
        XCTAssertEqual(keys, partitioned.mapValues { "RANGE (\($0))" })
        let listed = try await ownerPool.query("SELECT table_name, partition_column FROM kefu_partitioned_tables()")
        var registry: [String: String] = [:]
        for row in listed { registry[try row.decode(String.self, "table_name")] = try row.decode(String.self, "partition_column") }
        XCTAssertEqual(registry, partitioned)
        // `kefu archive export` (sql/046) takes every one of them, by the same column.
        let archivable = try await ownerPool.query("SELECT DISTINCT table_name, key_column FROM kefu_monthly_partitions()")
        var archived: [String: String] = [:]
        for row in archivable { archived[try row.decode(String.self, "table_name")] = try row.decode(String.self, "key_column") }
        XCTAssertEqual(archived, partitioned)

        for table in partitioned.keys.sorted() {
            let names = try await partitions(of: table).filter { $0 != "\(table)_default" }
            XCTAssertTrue(names.contains(clockMonth(table)), "\(table): \(names)")
            XCTAssertGreaterThanOrEqual(names.filter { $0 <= clockMonth(table) }.count, 7, "\(table): the six months before too")
            try await assertNoRightsOnPartitions(table)
        }

        // The DEFAULT rows: the total is the sum of the per-table counts.
        let customer = try await services.customers.create(tenantID, NewCustomer(name: "Li Na"))
        clock.set(Date(timeIntervalSince1970: 1_900_000_000))  // 2030: no partition, DEFAULT takes it
        _ = try await services.intake.intake(
            tenantID,
            NewTicket(customerId: customer.id, channel: "phone", description: "order is missing", category: "fault", priority: "P1")
        )
        let total = try await ownerPool.queryScalar(Int.self, "SELECT kefu_partition_default_rows()")
        let perTable = try await ownerPool.query("SELECT table_name, default_rows FROM kefu_partition_default_rows_by_table()")
        var counts: [String: Int] = [:]
        for row in perTable { counts[try row.decode(String.self, "table_name")] = try row.decode(Int.self, "default_rows") }
        XCTAssertEqual(Set(counts.keys), Set(partitioned.keys))
        XCTAssertGreaterThan(counts["ticket_events"] ?? 0, 0)
        XCTAssertEqual(total, counts.values.reduce(0, +))
        let definerOwned = try await ownerPool.queryScalar(
            Bool.self,
            "SELECT has_function_privilege('kefu_app', 'kefu_partition_default_rows_by_table()', 'EXECUTE')"
        )
        XCTAssertEqual(definerOwned, false, "the application role cannot count across tenants")
    }

    func testMigrateMakesTheComingMonthsOfEveryTable() async throws {
        let nextMonth = try await ownerPool.queryScalar(String.self, "SELECT to_char((now() AT TIME ZONE 'UTC') + interval '1 month', 'YYYYMM')")
        let lastMonth = try await ownerPool.queryScalar(String.self, "SELECT to_char((now() AT TIME ZONE 'UTC') + interval '11 months', 'YYYYMM')")
        let suffix = try XCTUnwrap(nextMonth)
        let last = try XCTUnwrap(lastMonth)
        for table in ["delivery_attempts", "ticket_sla_breaches", "notifications"] {
            try await ownerPool.execute(PostgresQuery(unsafeSQL: "DROP TABLE \(table)_p\(suffix)"))
        }
        let applied = try await Migrator(database.ownerConfiguration, migrations: Migration.load(from: TestCluster.sqlDirectory)).migrate()
        XCTAssertEqual(applied.count, 0, "nothing pending")
        for table in partitioned.keys.sorted() {
            let names = try await partitions(of: table)
            XCTAssertTrue(names.contains("\(table)_p\(suffix)"), "kefu migrate made it again: \(names)")
            XCTAssertTrue(names.contains("\(table)_p\(last)"), "a year ahead: \(names)")
        }
    }

    func testDeliveryAttemptsLandInTheirMonthPruneAndStayWithTheirTenant() async throws {
        try await ensurePartitionsAroundTheClock()
        let receiver = WebhookReceiver()
        let url = try await receiver.start()
        addTeardownBlock { await receiver.stop() }
        let body = json(["url": url, "events": ["ticket.created"], "description": "CRM sync"])
        let created = try await withAPI { [key] api in try await api.post("/v1/webhooks", key: key, body) }
        XCTAssertEqual(created.status, .created, created.raw)
        let customer = try await services.customers.create(tenantID, NewCustomer(name: "Chen Jing"))
        _ = try await services.intake.intake(
            tenantID,
            NewTicket(customerId: customer.id, channel: "in_app", description: "支付失败", category: "fault", priority: "P2")
        )
        let report = try await worker.deliveries.sweep()
        XCTAssertEqual(report.delivered, 1)
        let stored = try await ownerPool.queryFirst("SELECT id, created_at FROM deliveries WHERE tenant_id = \(tenantID)")
        let delivery = try XCTUnwrap(stored)
        let deliveryID = try delivery.decode(UUID.self, "id")
        let deliveryCreated = try delivery.decode(Date.self, "created_at")

        let placed = try await misplaced("delivery_attempts")
        XCTAssertEqual(placed.rows, 1)
        XCTAssertEqual(placed.misplaced, 0, "the attempt is in its month's partition")
        let seq = try await ownerPool.queryScalar(Int.self, "SELECT seq FROM delivery_attempts WHERE delivery_id = \(deliveryID)")
        XCTAssertGreaterThan(seq ?? 0, 0, "seq comes from its sequence")
        let detail = try await get("/v1/deliveries/\(deliveryID)")
        XCTAssertEqual(detail.status, .ok, detail.raw)
        XCTAssertEqual(detail["history"]?.array?.compactMap { $0["status_code"]?.number }, [200])

        // The shape of DeliveryService.get's read of the attempts, with the same bound parameters.
        let plan = try await plan(
            """
            SELECT attempt, started_at, latency_ms, status_code, error FROM delivery_attempts
            WHERE tenant_id = \(tenantID) AND delivery_id = \(deliveryID) AND started_at >= \(deliveryCreated) ORDER BY attempt
            """
        )
        try await assertPrunesEarlierMonths(plan, "delivery_attempts")

        // Another tenant sees nothing, through the API or as the application role.
        let other = try await makeTenant("bravo")
        let foreign = try await withAPI { api in try await api.get("/v1/deliveries/\(deliveryID)", key: other.apiKey) }
        XCTAssertEqual(foreign.status, .notFound, foreign.raw)
        let attemptsSQL: PostgresQuery = "SELECT count(*) FROM delivery_attempts WHERE delivery_id = \(deliveryID)"
        let seenByOther = try await appCount(other.tenant.id, attemptsSQL)
        XCTAssertEqual(seenByOther, 0)
        let seenByOwner = try await appCount(tenantID, attemptsSQL)
        XCTAssertEqual(seenByOwner, 1)

        // Keys: the primary key gains the partition column; the delivery's deletion cascades.
        let primary = try await constraint("delivery_attempts", "p")
        XCTAssertEqual(primary, ["PRIMARY KEY (tenant_id, delivery_id, attempt, started_at)"])
        let foreignKeys = try await constraint("delivery_attempts", "f")
        XCTAssertEqual(foreignKeys, ["FOREIGN KEY (tenant_id, delivery_id) REFERENCES deliveries(tenant_id, id) ON DELETE CASCADE"])
        try await ownerPool.execute("DELETE FROM deliveries WHERE id = \(deliveryID)")
        let left = try await ownerPool.queryScalar(Int.self, attemptsSQL)
        XCTAssertEqual(left, 0, "the attempts went with their delivery")
    }

    func testBreachesAndNotificationsLandInTheirMonthAndStayWithTheirTenant() async throws {
        try await ensurePartitionsAroundTheClock()
        let supervisor = try await addAgent("Wang Fang", role: "supervisor")
        let supervisorKey = try await keyFor(supervisor)
        let created = try await intake([
            "customer": ["name": "Zhao Lei"], "channel": "phone", "category": "fault", "priority": "P1",
            "description": "the whole site is down",
        ])
        XCTAssertEqual(created.status, .created, created.raw)
        let ticket = try require(created["id"]?.string)
        let ticketID = try XCTUnwrap(UUID(uuidString: ticket))
        clock.set(minutes(3 * 24 * 60))
        _ = try await worker.timers.sweep()

        let breaches = try await misplaced("ticket_sla_breaches")
        XCTAssertGreaterThan(breaches.rows, 0, "the P1 missed its clocks")
        XCTAssertEqual(breaches.misplaced, 0, "each breach is in its due month's partition")
        let notifications = try await misplaced("notifications")
        XCTAssertGreaterThan(notifications.rows, 0, "the supervisor was told")
        XCTAssertEqual(notifications.misplaced, 0, "each notification is in its month's partition")
        let listed = try await get("/v1/tickets/\(ticket)/breaches")
        XCTAssertEqual(listed["items"]?.array?.count, breaches.rows, listed.raw)

        // Marked read by id (no time bound: every month's primary key index is probed).
        let mine = try await withAPI { api in try await api.get("/v1/notifications?limit=1", key: supervisorKey) }
        XCTAssertEqual(mine.status, .ok, mine.raw)
        let first = try require(mine["items"]?.array?.first?["id"]?.string)
        let cursor = try require(mine["next_cursor"]?.string)
        let read = try await withAPI { api in try await api.post("/v1/notifications/\(first)/read", key: supervisorKey, "{}") }
        XCTAssertEqual(read.status, .ok, read.raw)
        XCTAssertNotNil(read["read_at"]?.string, read.raw)
        let firstID = try XCTUnwrap(UUID(uuidString: first))
        let stored = try await ownerPool.queryScalar(Int.self, "SELECT count(*) FROM notifications WHERE id = \(firstID) AND read_at IS NOT NULL")
        XCTAssertEqual(stored, 1)
        let next = try await withAPI { api in try await api.get("/v1/notifications?limit=100&cursor=\(cursor)", key: supervisorKey) }
        XCTAssertEqual(next.status, .ok, next.raw)
        let total = try await count(supervisor.id)
        XCTAssertGreaterThan(total, 1)
        XCTAssertEqual((next["items"]?.array?.count ?? 0) + 1, total)
        XCTAssertFalse(next.raw.contains(first), "the next page starts after the cursor")

        // The next page's read: the cursor's instant bounds created_at, so earlier months are skipped.
        let after = try XCTUnwrap(try PageRequest(limit: 100, cursor: cursor).after)
        let plan = try await plan(
            """
            SELECT id FROM notifications
            WHERE tenant_id = \(tenantID) AND recipient_id = \(supervisor.id) AND created_at >= \(after.createdAt)
              AND (created_at, id) > (\(after.createdAt), \(after.id)) ORDER BY created_at, id LIMIT 101
            """
        )
        try await assertPrunesEarlierMonths(plan, "notifications")

        // Another tenant sees nothing, through the API or as the application role, and cannot mark it read.
        let other = try await makeTenant("bravo")
        let otherBreaches = try await withAPI { api in try await api.get("/v1/tickets/\(ticket)/breaches", key: other.apiKey) }
        XCTAssertEqual(otherBreaches.status, .notFound, otherBreaches.raw)
        let otherList = try await withAPI { api in try await api.get("/v1/notifications?all=true", key: other.apiKey) }
        XCTAssertEqual(otherList["items"]?.array?.count, 0, otherList.raw)
        let otherRead = try await withAPI { api in try await api.post("/v1/notifications/\(first)/read", key: other.apiKey, "{}") }
        XCTAssertEqual(otherRead.status, .notFound, otherRead.raw)
        for table in ["ticket_sla_breaches", "notifications"] {
            let sql = PostgresQuery(unsafeSQL: "SELECT count(*) FROM \(table) WHERE ticket_id = '\(ticketID.uuidString)'")
            let seenByOther = try await appCount(other.tenant.id, sql)
            XCTAssertEqual(seenByOther, 0, table)
            let seenByOwner = try await appCount(tenantID, sql)
            XCTAssertGreaterThan(seenByOwner ?? 0, 0, table)
        }

        // Keys, foreign keys and triggers of the old tables.
        let breachKey = try await constraint("ticket_sla_breaches", "p")
        XCTAssertEqual(breachKey, ["PRIMARY KEY (tenant_id, ticket_id, clock, due_at)"])
        let breachForeign = try await constraint("ticket_sla_breaches", "f")
        XCTAssertEqual(breachForeign, ["FOREIGN KEY (tenant_id, ticket_id) REFERENCES tickets(tenant_id, id) ON DELETE CASCADE"])
        let notificationKey = try await constraint("notifications", "p")
        XCTAssertEqual(notificationKey, ["PRIMARY KEY (tenant_id, id, created_at)"])
        let notificationForeign = try await constraint("notifications", "f")
        XCTAssertEqual(
            notificationForeign,
            [
                "FOREIGN KEY (tenant_id) REFERENCES tenants(id) ON DELETE CASCADE",
                "FOREIGN KEY (tenant_id, recipient_id) REFERENCES agents(tenant_id, id) ON DELETE CASCADE",
            ]
        )
        let triggers = try await ownerPool.query(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = 'ticket_sla_breaches'::regclass AND NOT tgisinternal ORDER BY tgname"
        ).map { try $0.decode(String.self, "tgname") }
        XCTAssertEqual(triggers, ["ticket_sla_breaches_archived_frozen", "ticket_sla_breaches_outbox", "ticket_sla_breaches_remind"])
        for table in ["ticket_sla_breaches", "notifications", "delivery_attempts"] {
            let appRights = try await ownerPool.query(
                """
                SELECT p FROM unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE']) AS p
                WHERE has_table_privilege('kefu_app', \(table), p) ORDER BY p
                """
            ).map { try $0.decode(String.self, "p") }
            XCTAssertEqual(appRights, ["INSERT", "SELECT", "UPDATE"], "kefu_app on \(table), as before the partitioning")
        }
    }

    private func count(_ recipient: UUID) async throws -> Int {
        try await ownerPool.queryScalar(Int.self, "SELECT count(*) FROM notifications WHERE recipient_id = \(recipient)") ?? -1
    }
}
