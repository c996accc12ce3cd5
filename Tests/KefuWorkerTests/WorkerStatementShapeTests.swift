import Foundation
import KefuCore
import KefuPostgres
import KefuTestSupport
import XCTest

/// The worker's cross-tenant functions lock, lease, write and delete only by statements that name
/// one tenant (sql/044, docs/SCALING.md), so that Citus routes each to one shard: the claims, the
/// SLA clock batch and the intake counter prune run over two tenants' work on a cluster with
/// `pg_stat_statements` tracking the statements inside functions, and every statement that locks
/// or writes is checked: each tenant table it reads or writes is filtered on one tenant.
final class WorkerStatementShapeTests: TicketTestCase {
    override class var cluster: TestCluster { .statementStatistics }

    /// Whether a statement locks rows or writes a table.
    static func locksOrWrites(_ statement: String) -> Bool {
        statement.contains(/(?i)\bFOR\s+UPDATE\b|\b(?:UPDATE|DELETE\s+FROM|INSERT\s+INTO)\s+\w+/)
    }

    /// The references to `tables` in a statement (after FROM, JOIN, UPDATE) that do not name one
    /// tenant: each needs its own `<alias>.tenant_id = v_tenant` (a function's variable) or
    /// `= $n` (a bound parameter), as many as the alias has references; a table without an alias
    /// may say `tenant_id = …` bare.
    static func referencesWithoutATenant(in statement: String, of tables: Set<String>) throws -> [String] {
        let keywords: Set<String> = ["where", "set", "on", "join", "left", "inner", "using", "order", "limit", "for", "group"]
        var references: [String: [String]] = [:]
        for match in statement.matches(of: /(?i)\b(?:FROM|JOIN|UPDATE)\s+(\w+)(?:\s+(?:AS\s+)?(\w+))?/) {
            let table = String(match.1)
            guard tables.contains(table) else { continue }
            let alias = match.2.map(String.init).flatMap { keywords.contains($0.lowercased()) ? nil : $0 } ?? table
            references[alias, default: []].append(table)
        }
        let tenant = "\\s*=\\s*(?:v_tenant\\b|\\$\\d+)"
        var unnamed: [String] = []
        for (alias, named) in references.sorted(by: { $0.key < $1.key }) {
            var filters = statement.matches(of: try Regex("(?:^|[^\\w.])\(alias)\\.tenant_id\(tenant)")).count
            if named.allSatisfy({ $0 == alias }) { filters += statement.matches(of: try Regex("(?:^|[^\\w.])tenant_id\(tenant)")).count }
            if filters < named.count { unnamed += named.map { "\($0) \(alias)" } }
        }
        return unnamed
    }

    func testTheClaimsTheSLABatchAndThePruneLockAndWriteOneTenantAStatement() async throws {
        let tenants = [tenantID, try await makeTenant("beta").tenant.id]
        let old = clock.now().addingTimeInterval(-40 * 86_400)
        for tenant in tenants {
            let customer = try await services.customers.create(tenant, NewCustomer(name: "Li Na"))
            _ = try await services.intake.intake(
                tenant,
                NewTicket(customerId: customer.id, channel: "phone", description: "order is missing", category: "fault", priority: "P2")
            )
            try await ownerPool.execute(
                """
                WITH hook AS (
                    INSERT INTO webhooks (tenant_id, url, events, secret, created_at, updated_at)
                    VALUES (\(tenant), 'https://crm.example.com/hook', ARRAY['ticket.created'], 'whsec_1', \(clock.now()), \(clock.now()))
                    RETURNING id)
                INSERT INTO deliveries (tenant_id, webhook_id, event_type, next_attempt_at, created_at)
                SELECT \(tenant), id, 'ticket.created', \(clock.now()), \(clock.now()) FROM hook
                """
            )
            try await ownerPool.execute(
                "INSERT INTO record_timers (tenant_id, kind, record_id, due_at) VALUES (\(tenant), 'problem_report', gen_random_uuid(), \(clock.now()))"
            )
            try await ownerPool.execute("INSERT INTO intake_minutes (tenant_id, channel, minute, count) VALUES (\(tenant), 'chat', \(old), 1)")
            try await ownerPool.execute("INSERT INTO intake_hours (tenant_id, channel, hour, count) VALUES (\(tenant), 'chat', \(old), 1)")
        }
        try await ownerPool.execute("UPDATE ticket_timers SET due_at = \(clock.now()) - interval '1 minute' WHERE done_at IS NULL")
        try await ownerPool.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")

        // The worker's calls, with the statements inside functions tracked.
        let worker = try await PostgresConnection.connect(database.ownerConfiguration)
        try await worker.simpleQuery("SET pg_stat_statements.track = 'all'")
        try await worker.simpleQuery("SET ROLE kefu_worker")
        let now = clock.now()
        let claimed = [
            try await worker.query("SELECT tenant_id, ticket_id, kind FROM kefu_claim_due_timers(\(now), 100, '60 seconds')"),
            try await worker.query("SELECT tenant_id FROM kefu_claim_due_record_timers(\(now), 100, '60 seconds')"),
            try await worker.query("SELECT tenant_id FROM kefu_claim_due_deliveries(\(now), 100, 5, '60 seconds')"),
        ]
        let pruned = try await worker.queryScalar(Int.self, "SELECT kefu_prune_intake_counters(\(now), 100)")
        let timers = try claimed[0].map {
            (tenant: try $0.decode(UUID.self, "tenant_id"), ticket: try $0.decode(UUID.self, "ticket_id"), kind: try $0.decode(String.self, "kind"))
        }
        let acted = try await worker.queryFirst(
            """
            SELECT performed + rescheduled AS acted FROM kefu_act_on_sla_timers(\(now), \(timers.map(\.tenant))::uuid[],
                \(timers.map(\.ticket))::uuid[], \(timers.map(\.kind))::text[], \(SLAClockRule.document)::jsonb)
            """
        )
        await worker.close()
        for rows in claimed {
            XCTAssertEqual(Set(try rows.map { try $0.decode(UUID.self, "tenant_id") }), Set(tenants), "both tenants' work claimed")
        }
        XCTAssertEqual(pruned, 4)
        XCTAssertEqual(try acted?.decode(Int.self, "acted"), timers.filter { $0.kind.hasPrefix("sla:") }.count, "each SLA clock finished or re-armed")

        let statements = try await ownerPool.query(
            """
            SELECT s.query FROM pg_stat_statements s
            WHERE NOT s.toplevel AND s.dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
            """
        ).map { try $0.decode(String.self, at: 0) }
        let locking = statements.filter(Self.locksOrWrites)
        let tables = Set(try await SchemaCatalog.distributedTables(ownerPool))
        for table in ["ticket_timers", "record_timers", "deliveries", "intake_minutes", "intake_hours", "tickets"] {
            XCTAssertTrue(
                locking.contains { $0.contains(/(?i)\b(?:UPDATE|DELETE\s+FROM)\s+/) && $0.contains(table) },
                "no statement locks or writes \(table): \(locking)"
            )
        }
        for statement in locking {
            let unnamed = try Self.referencesWithoutATenant(in: statement, of: tables)
            XCTAssertEqual(unnamed, [], "locks or writes without naming one tenant: \(statement.replacingOccurrences(of: "\n", with: " "))")
        }
    }

    func testTheClassifierTellsOneTenantStatementsFromOthers() throws {
        let tables: Set<String> = ["deliveries", "webhooks", "intake_minutes"]
        XCTAssertEqual(
            try Self.referencesWithoutATenant(
                in: "SELECT 1 FROM deliveries x JOIN webhooks w ON w.tenant_id = v_tenant WHERE x.tenant_id = v_tenant FOR UPDATE OF x SKIP LOCKED",
                of: tables
            ),
            []
        )
        XCTAssertEqual(try Self.referencesWithoutATenant(in: "DELETE FROM intake_minutes WHERE tenant_id = $1 AND minute < $2", of: tables), [])
        XCTAssertEqual(
            try Self.referencesWithoutATenant(
                in: "UPDATE deliveries d SET claimed_until = $1 FROM due WHERE d.tenant_id = due.tenant_id",
                of: tables
            ),
            ["deliveries d"]
        )
        XCTAssertEqual(
            try Self.referencesWithoutATenant(in: "SELECT 1 FROM deliveries x WHERE x.tenant_id = v_tenants[1]", of: tables),
            ["deliveries x"]
        )
        XCTAssertEqual(
            try Self.referencesWithoutATenant(in: "SELECT 1 FROM deliveries WHERE tenant_id = ANY($1)", of: tables),
            ["deliveries deliveries"]
        )
        // An alias used twice needs its filter twice; another alias's filter does not count.
        XCTAssertEqual(
            try Self.referencesWithoutATenant(
                in: """
                    WITH due AS (SELECT d.id FROM deliveries d WHERE d.tenant_id = v_tenant)
                    UPDATE deliveries d SET claimed_until = $1 FROM due locked WHERE locked.tenant_id = $2 AND d.tenant_id = locked.tenant_id
                    """,
                of: tables
            ),
            ["deliveries d", "deliveries d"]
        )
        XCTAssertTrue(Self.locksOrWrites("SELECT 1 FROM record_timers FOR UPDATE SKIP LOCKED"))
        XCTAssertTrue(Self.locksOrWrites("DELETE FROM intake_hours c WHERE c.tenant_id = $1"))
        XCTAssertFalse(Self.locksOrWrites("SELECT tenant_id FROM deliveries ORDER BY next_attempt_at"))
    }
}
