import Foundation
import KefuCore
import KefuPostgres
import KefuRuntime
import KefuTestSupport
import XCTest

/// sql/045 moves the rows a deployment already has: delivery attempts, breaches and
/// notifications written before the migration are the same rows after it, each in its month's
/// partition, and what the worker writes next goes on from there.
final class AppendOnlyPartitionMigrationTests: XCTestCase {
    private static let tables = ["delivery_attempts", "ticket_sla_breaches", "notifications"]

    /// Every row of `table` as text, in a stable order: equal before and after the move.
    private func rows(_ owner: ConnectionPool, _ table: String) async throws -> [String] {
        try await owner.query(PostgresQuery(unsafeSQL: "SELECT t::text AS row FROM \(table) t ORDER BY 1")).map {
            try $0.decode(String.self, "row")
        }
    }

    func testRowsWrittenBeforeThePartitioningMoveToTheirMonths() async throws {
        let database = try await TestCluster.shared.makeDatabase(migrated: false)
        let all = try Migration.load(from: TestCluster.sqlDirectory)
        try await Migrator(database.ownerConfiguration, migrations: all.filter { $0.version < 45 }).migrate()
        let owner = ConnectionPool(database.ownerConfiguration, configuration: .init(maxConnections: 2))
        let app = ConnectionPool(database.appConfiguration, configuration: .init(maxConnections: 4))
        let workerPool = ConnectionPool(database.workerConfiguration, configuration: .init(maxConnections: 2))
        let receiver = WebhookReceiver()
        func cleanUp() async {
            await receiver.stop()
            await app.shutdown()
            await workerPool.shutdown()
            await owner.shutdown()
            await database.drop()
        }
        do {
            let clock = ManualClock(TicketTestCase.tuesdayTen)
            let targets = WebhookTargetPolicy(allowedHosts: ["127.0.0.1"])
            let services = KefuServices(pool: app, clock: clock, webhookTargets: targets)
            let worker = WorkerServices(pool: workerPool, clock: clock, webhookTargets: targets)
            let tenant = try await TenantAdminService(ownerPool: owner).create(
                NewTenant(slug: "acme", name: "Acme Ltd", timezone: "Asia/Shanghai")
            )
            _ = try await services.agents.create(
                tenant.tenantId,
                NewAgent(name: "Wang Fang", email: "wang.fang@acme.cn", role: "supervisor", tier: "junior", skills: [], dutyStatus: "on_duty")
            )
            let url = try await receiver.start()
            _ = try await services.webhooks.create(tenant.tenantId, NewWebhook(url: url, events: ["ticket.created", "sla.breached"]))
            let customer = try await services.customers.create(tenant.tenantId, NewCustomer(name: "Zhao Lei"))
            _ = try await services.intake.intake(
                tenant.tenantId,
                NewTicket(customerId: customer.id, channel: "phone", description: "the whole site is down", category: "fault", priority: "P1")
            )
            clock.set(TicketTestCase.tuesdayTen.addingTimeInterval(3 * 86_400))
            _ = try await worker.timers.sweep()
            _ = try await worker.deliveries.sweep()

            var before: [String: [String]] = [:]
            for table in Self.tables {
                before[table] = try await rows(owner, table)
                XCTAssertGreaterThan(before[table]?.count ?? 0, 0, "\(table) has rows to move")
            }
            let topSeq = try await owner.queryScalar(Int.self, "SELECT max(seq) FROM delivery_attempts") ?? 0

            try await Migrator(database.ownerConfiguration, migrations: all).migrate()

            for table in Self.tables {
                let kind = try await owner.queryScalar(String.self, "SELECT relkind::text FROM pg_class WHERE oid = \(table)::regclass")
                XCTAssertEqual(kind, "p", "\(table) is partitioned")
                let after = try await rows(owner, table)
                XCTAssertEqual(after, before[table], "\(table): the same rows")
                let column = ["delivery_attempts": "started_at", "ticket_sla_breaches": "due_at", "notifications": "created_at"][table]!
                let misplaced = try await owner.queryScalar(
                    Int.self,
                    PostgresQuery(
                        unsafeSQL: """
                            SELECT count(*) FROM \(table)
                            WHERE tableoid::regclass::text <> '\(table)_p' || to_char(\(column) AT TIME ZONE 'UTC', 'YYYYMM')
                            """
                    )
                )
                XCTAssertEqual(misplaced, 0, "\(table): every row in its month's partition, none in DEFAULT")
            }
            let gone = try await owner.queryScalar(Int.self, "SELECT count(*) FROM pg_class WHERE relname LIKE '%\\_unpartitioned%'")
            XCTAssertEqual(gone, 0, "the old tables are dropped")

            // Writes go on: a new ticket's delivery gets its attempt, with seq past the old ones.
            _ = try await services.intake.intake(
                tenant.tenantId,
                NewTicket(customerId: customer.id, channel: "phone", description: "still down", category: "fault", priority: "P2")
            )
            let report = try await worker.deliveries.sweep()
            XCTAssertGreaterThan(report.delivered, 0)
            let newSeqs = try await owner.queryScalar(Int.self, "SELECT min(seq) FROM delivery_attempts WHERE seq > \(topSeq)")
            XCTAssertNotNil(newSeqs, "new attempts were recorded")
            let total = try await owner.queryScalar(Int.self, "SELECT count(*) FROM delivery_attempts")
            XCTAssertGreaterThan(total ?? 0, before["delivery_attempts"]?.count ?? 0)
        } catch {
            await cleanUp()
            throw error
        }
        await cleanUp()
    }
}
