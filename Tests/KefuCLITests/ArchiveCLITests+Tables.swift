import Foundation
import KefuCLI
import KefuCore
import KefuPostgres
import KefuTestSupport
import XCTest

/// `kefu archive export` takes every monthly-partitioned table with a `tenant_id` column (sql/046),
/// found in the catalog: here a table made by the test, `archive_probe`, next to ticket_events.
extension ArchiveCLITests {
    /// Creates `archive_probe` (RANGE on happened_at) with the monthly partitions of `months`
    /// (from `oldMonth`), a DEFAULT partition, one not named by month (`archive_probe_2001`) and
    /// one named by month whose bounds are two months (`archive_probe_p200201`); and
    /// `archive_untenanted`, partitioned the same way with a month of `months.first` but no
    /// tenant_id column. Only the first kind can be archived.
    func makeProbeTables(_ months: [(partition: String, before: String)]) async throws {
        try await ownerPool.execute(
            """
            CREATE TABLE archive_probe (tenant_id uuid NOT NULL, id bigint NOT NULL, happened_at timestamptz NOT NULL, note text)
                PARTITION BY RANGE (happened_at)
            """
        )
        try await ownerPool.execute(
            "CREATE TABLE archive_untenanted (id bigint NOT NULL, happened_at timestamptz NOT NULL) PARTITION BY RANGE (happened_at)"
        )
        for month in months {
            let suffix = String(month.partition.suffix(6))
            let bounds = "FROM ('\(suffix.prefix(4))-\(suffix.suffix(2))-01 00:00+00') TO ('\(month.before) 00:00+00')"
            try await ownerPool.execute(
                PostgresQuery(unsafeSQL: "CREATE TABLE archive_probe_p\(suffix) PARTITION OF archive_probe FOR VALUES \(bounds)")
            )
            if month.partition == months.first?.partition {
                try await ownerPool.execute(
                    PostgresQuery(unsafeSQL: "CREATE TABLE archive_untenanted_p\(suffix) PARTITION OF archive_untenanted FOR VALUES \(bounds)")
                )
            }
        }
        try await ownerPool.execute(
            "CREATE TABLE archive_probe_2001 PARTITION OF archive_probe FOR VALUES FROM ('2001-01-01 00:00+00') TO ('2002-01-01 00:00+00')"
        )
        try await ownerPool.execute(
            "CREATE TABLE archive_probe_p200201 PARTITION OF archive_probe FOR VALUES FROM ('2002-01-01 00:00+00') TO ('2002-03-01 00:00+00')"
        )
        try await ownerPool.execute("CREATE TABLE archive_probe_default PARTITION OF archive_probe DEFAULT")
    }

    /// Adds `count` rows of `tenant` to `archive_probe` in `partition`'s month, hourly from its start.
    func addProbeRows(_ tenant: UUID, _ partition: String, count: Int) async throws {
        let suffix = String(partition.suffix(6))
        try await ownerPool.execute(
            """
            INSERT INTO archive_probe (tenant_id, id, happened_at, note)
            SELECT \(tenant), g, (to_date(\(suffix) || '01', 'YYYYMMDD') + g * interval '1 hour') AT TIME ZONE 'UTC', 'probe, "quoted"'
            FROM generate_series(1, \(count)) g
            """
        )
    }

    func testEveryMonthlyPartitionedTableIsArchivedAndRetentionNamesTheTable() async throws {
        let (acme, ticket) = try await tenantWithTicket("acme")
        let (beta, _) = try await tenantWithTicket("beta")
        let old = try await oldMonth(24)
        let newer = try await oldMonth(12)
        try await makeProbeTables([old, newer])
        let probeOld = "archive_probe_p\(old.partition.suffix(6))"
        let probeNewer = "archive_probe_p\(newer.partition.suffix(6))"
        let untenanted = "archive_untenanted_p\(old.partition.suffix(6))"
        _ = try await addOldEvents(ticket, old.partition, count: 3)
        try await addProbeRows(acme.tenantId, probeOld, count: 2)
        try await addProbeRows(beta.tenantId, probeOld, count: 3)
        try await addProbeRows(beta.tenantId, probeNewer, count: 1)
        let suffix = String(old.partition.suffix(6))
        try await ownerPool.execute(
            """
            INSERT INTO archive_untenanted (id, happened_at)
            SELECT g, (to_date(\(suffix) || '01', 'YYYYMMDD') + g * interval '1 hour') AT TIME ZONE 'UTC' FROM generate_series(1, 2) g
            """
        )
        try await ownerPool.execute(
            """
            INSERT INTO archive_probe (tenant_id, id, happened_at) VALUES
                (\(beta.tenantId), 1, '2001-06-01 00:00+00'), (\(beta.tenantId), 2, '2002-02-01 00:00+00'), (\(beta.tenantId), 3, '1990-01-01 00:00+00')
            """
        )

        // beta's rows in the old month are only in archive_probe: its retention still refuses the run.
        try await ownerPool.execute(
            "UPDATE tenants SET settings = jsonb_set(settings, '{retention}', '{\"service_records_years\": 5}') WHERE id = \(beta.tenantId)"
        )
        await XCTAssertThrowsErrorAsync(try await self.kefu("archive", "export", "--before", old.before, "--to", self.directory.path)) { error in
            let message = "\(error)"
            XCTAssertTrue(message.contains("archive_probe (\(probeOld)): tenant beta (\(beta.tenantId.uuidString.lowercased()))"), message)
            XCTAssertFalse(message.contains("ticket_events") || message.contains("acme"), "acme keeps nothing: \(message)")
            XCTAssertFalse(message.contains("archive_probe_2001") || message.contains("archive_probe_p200201"), "no such month: \(message)")
        }
        XCTAssertEqual(files(), [], "nothing written")
        let probeKept = try await rows(probeOld)
        XCTAssertEqual(probeKept, 5)
        let eventsKept = try await rows(old.partition)
        XCTAssertEqual(eventsKept, 3, "the whole run is refused, other tables included")

        try await ownerPool.execute(
            "UPDATE tenants SET settings = jsonb_set(settings, '{retention,service_records_years}', '1') WHERE id = \(beta.tenantId)"
        )
        let printed = try await kefu("archive", "export", "--before", old.before, "--to", directory.path, "--json")
        let all = try JSONDecoder().decode(JSONValue.self, from: Data(printed.utf8)).array ?? []
        XCTAssertEqual(
            all.map { $0["table"]?.string },
            ["archive_probe", "delivery_attempts", "notifications", "ticket_events", "ticket_sla_breaches"],
            "in a month, tables by name"
        )
        let exported = entries(all, of: "archive_probe", "ticket_events")
        XCTAssertEqual(exported.map { $0["partition"]?.string }, [probeOld, old.partition])
        XCTAssertEqual(exported.map { $0["rows"]?.number }, [5, 3])
        XCTAssertEqual(files(of: "archive_probe", "ticket_events"), ["\(probeOld).csv", "\(old.partition).csv"].sorted())
        let text = try String(contentsOf: directory.appendingPathComponent("\(probeOld).csv"), encoding: .utf8)
        let lines = text.split(separator: "\n")
        XCTAssertEqual(lines.first, "tenant_id,id,happened_at,note")
        XCTAssertEqual(lines.count, 6, text)
        XCTAssertTrue(text.contains(#""probe, ""quoted""""#), text)

        let probeGone = try await rows(probeOld)
        XCTAssertNil(probeGone)
        let eventsGone = try await rows(old.partition)
        XCTAssertNil(eventsGone)
        for (partition, count) in [
            (probeNewer, 1), (untenanted, 2), ("archive_probe_2001", 1), ("archive_probe_p200201", 1), ("archive_probe_default", 1),
        ] {
            let left = try await rows(partition)
            XCTAssertEqual(left, count, "\(partition) is left alone")
        }

        // Later months, the table without tenant_id and the odd partitions are never taken.
        try await ownerPool.execute("UPDATE tenants SET settings = settings - 'retention' WHERE id = \(beta.tenantId)")
        let rest = try await kefu("archive", "export", "--before", newer.before, "--to", directory.path)
        XCTAssertTrue(rest.contains("archived archive_probe \(probeNewer): 1 rows"), rest)
        XCTAssertFalse(
            rest.contains("untenanted") || rest.contains("archive_probe_2001") || rest.contains("p200201") || rest.contains("_default"),
            rest
        )
        let untenantedLeft = try await rows(untenanted)
        XCTAssertEqual(untenantedLeft, 2)
        await XCTAssertThrowsErrorAsync(try await self.ownerPool.execute("SELECT kefu_archive_lock_partition(\(untenanted))")) { error in
            XCTAssertEqual((error as? PostgresError)?.sqlState, "42P01", "\(error)")
        }
    }

    func testTheArchiveFunctionsAreTheOwnersOnly() async throws {
        let functions = [
            "kefu_monthly_partitions()", "kefu_archivable_partitions(timestamptz)",
            "kefu_archive_retention_conflicts(timestamptz, integer, integer)", "kefu_archive_lock_partition(text)",
            "kefu_archive_drop_partition(text, bigint)", "kefu_archive_copy_statement(text)",
        ]
        for function in functions {
            for role in ["kefu_app", "kefu_worker", "kefu_definer"] {
                let allowed = try await ownerPool.queryScalar(Bool.self, "SELECT has_function_privilege(\(role)::name, \(function)::text, 'EXECUTE')")
                XCTAssertEqual(allowed, false, "\(role) may call \(function)")
            }
        }
        let tables = try await ownerPool.query("SELECT DISTINCT table_name FROM kefu_monthly_partitions() ORDER BY 1").map {
            try $0.decode(String.self, "table_name")
        }
        XCTAssertTrue(tables.contains("ticket_events"), "\(tables)")
    }
}
