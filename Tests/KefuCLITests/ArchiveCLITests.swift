import Foundation
import KefuCLI
import KefuCore
import KefuPostgres
import KefuTestSupport
import XCTest

/// `kefu archive export` (issue 16 §1): whole past months of ticket_events (and of every other
/// monthly-partitioned table: ArchiveCLITests+Tables.swift) go to CSV files and are dropped,
/// unless a tenant's `retention.service_records_years` still covers them.
final class ArchiveCLITests: CLITestCase {
    var directory: URL!

    override func setUp() async throws {
        try await super.setUp()
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("kefu-archive-\(UUID().uuidString)")
    }

    override func tearDown() async throws {
        try? FileManager.default.removeItem(at: directory)
        try await super.tearDown()
    }

    /// A tenant with one ticket (made through intake, on the test clock).
    func tenantWithTicket(_ slug: String) async throws -> (tenant: TenantCreation, ticket: Ticket) {
        let tenant = try await makeTenant(slug)
        let customer = try await services.customers.create(tenant.tenantId, NewCustomer(name: "Li Na"))
        let ticket = try await services.intake.intake(
            tenant.tenantId,
            NewTicket(customerId: customer.id, channel: "phone", description: "order is missing", category: "fault", priority: "P1")
        ).ticket
        return (tenant, ticket)
    }

    /// The month `monthsAgo` months before the database's now: its partition (made here) and the
    /// first day of the month after it (the `--before` that takes it).
    func oldMonth(_ monthsAgo: Int) async throws -> (partition: String, before: String) {
        let row = try await ownerPool.queryFirst(
            """
            SELECT 'ticket_events_p' || to_char(m, 'YYYYMM') AS partition, to_char(m + interval '1 month', 'YYYY-MM-DD') AS before,
                   kefu_ensure_partitions((m AT TIME ZONE 'UTC'), (m AT TIME ZONE 'UTC')) AS made
            FROM (SELECT date_trunc('month', (now() AT TIME ZONE 'UTC') - make_interval(months => \(monthsAgo)::int)) AS m) s
            """
        )
        return (try XCTUnwrap(row?.decode(String.self, "partition")), try XCTUnwrap(row?.decode(String.self, "before")))
    }

    /// Adds `count` events to `ticket` in `partition`'s month (as the owner: the application
    /// cannot backdate), with text that CSV must quote. Returns their ids.
    func addOldEvents(_ ticket: Ticket, _ partition: String, count: Int) async throws -> [UUID] {
        try await ownerPool.query(
            """
            INSERT INTO ticket_events (tenant_id, ticket_id, actor_kind, kind, before, after, created_at)
            SELECT \(ticket.tenantId), \(ticket.id), 'system', 'test.old', NULL,
                   jsonb_build_object('n', g, 'note', 'a, "quoted" note'),
                   (to_date(substr(\(partition), 16) || '01', 'YYYYMMDD') + g * interval '1 hour') AT TIME ZONE 'UTC'
            FROM generate_series(1, \(count)) g
            RETURNING id
            """
        ).map { try $0.decode(UUID.self, "id") }
    }

    func rows(_ partition: String) async throws -> Int? {
        let exists = try await ownerPool.queryScalar(Bool.self, "SELECT to_regclass(\(partition)) IS NOT NULL")
        guard exists == true else { return nil }
        return try await ownerPool.queryScalar(Int.self, PostgresQuery(unsafeSQL: "SELECT count(*) FROM \(partition)"))
    }

    func files() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).sorted()
    }

    /// The files of `tables` only: the other partitioned tables (sql/045) have their empty old
    /// months archived in the same run.
    func files(of tables: String...) -> [String] {
        files().filter { name in tables.contains { name.hasPrefix("\($0)_p") } }
    }

    /// The exported entries of `tables` only (the others' months are empty).
    func entries(_ exported: [JSONValue], of tables: String...) -> [JSONValue] {
        exported.filter { tables.contains($0["table"]?.string ?? "") }
    }

    func testExportWritesEachOldMonthToCSVAndDropsIt() async throws {
        let (tenant, ticket) = try await tenantWithTicket("acme")
        let old = try await oldMonth(24)
        let newer = try await oldMonth(12)
        let ids = try await addOldEvents(ticket, old.partition, count: 5)
        _ = try await addOldEvents(ticket, newer.partition, count: 2)
        let exportedRows = try await ownerPool.query(
            "SELECT id, seq, after::text AS after, created_at FROM ticket_events WHERE id = ANY(\(ids)) ORDER BY seq"
        ).map {
            "\(try $0.decode(UUID.self, "id")) \(try $0.decode(Int.self, "seq")) \(try $0.decode(String.self, "after")) \(try $0.decode(Date.self, "created_at"))"
        }
        let elsewhere = try await ownerPool.queryScalar(Int.self, "SELECT count(*) FROM ticket_events WHERE id <> ALL(\(ids))")
        let page = try await withAPI { api in try await api.get("/v1/tickets/\(ticket.id)/events", key: tenant.apiKey) }
        XCTAssertEqual(page.status, .ok, page.raw)

        let printed = try await kefu("archive", "export", "--before", old.before, "--to", directory.path)
        let file = directory.appendingPathComponent("\(old.partition).csv")
        XCTAssertTrue(printed.contains("archived ticket_events \(old.partition): 5 rows"), printed)
        XCTAssertTrue(printed.contains(file.path), printed)
        XCTAssertEqual(files(of: "ticket_events"), ["\(old.partition).csv"], "one file for the month's events")
        XCTAssertTrue(files().allSatisfy { $0.hasSuffix(".csv") }, "no temporary left behind: \(files())")
        let text = try String(contentsOf: file, encoding: .utf8)
        let lines = text.split(separator: "\n")
        XCTAssertEqual(lines.first, "tenant_id,ticket_id,id,seq,actor_kind,actor_id,kind,before,after,created_at,xid")
        XCTAssertEqual(lines.count, 6, text)
        XCTAssertTrue(text.contains(#""{""n"": 1, ""note"": ""a, \""quoted\"" note""}""#), text)
        let mode = try FileManager.default.attributesOfItem(atPath: file.path)[.posixPermissions] as? NSNumber
        XCTAssertEqual(mode?.intValue, 0o600, "an archive holds personal data")

        let remaining = try await rows(old.partition)
        XCTAssertNil(remaining, "the month is detached and dropped")
        let newerRows = try await rows(newer.partition)
        XCTAssertEqual(newerRows, 2, "a later month is untouched")
        let left = try await ownerPool.queryScalar(Int.self, "SELECT count(*) FROM ticket_events")
        XCTAssertEqual(left, elsewhere)
        let after = try await withAPI { api in try await api.get("/v1/tickets/\(ticket.id)/events", key: tenant.apiKey) }
        XCTAssertEqual(after.status, .ok, after.raw)
        XCTAssertEqual(after.raw, page.raw, "the ticket's page is what it was")

        // The documented restore: the file loads back (HEADER match checks the columns), rows exact.
        try await ownerPool.execute("CREATE TABLE restored (LIKE ticket_events INCLUDING DEFAULTS)")
        let restored = try await ownerPool.withConnection { connection in
            try await connection.copyIn("COPY restored FROM STDIN WITH (FORMAT csv, HEADER match)", lines: lines.map(String.init))
        }
        XCTAssertEqual(restored, 5)
        let back = try await ownerPool.query("SELECT id, seq, after::text AS after, created_at FROM restored ORDER BY seq").map {
            "\(try $0.decode(UUID.self, "id")) \(try $0.decode(Int.self, "seq")) \(try $0.decode(String.self, "after")) \(try $0.decode(Date.self, "created_at"))"
        }
        XCTAssertEqual(back, exportedRows)

        let again = try await kefu("archive", "export", "--before", old.before, "--to", directory.path)
        XCTAssertTrue(again.hasPrefix("Nothing to archive"), again)
    }

    func testATenantsRetentionRefusesTheWholeRunNamingIt() async throws {
        let (acme, ticket) = try await tenantWithTicket("acme")
        let (_, betaTicket) = try await tenantWithTicket("beta")
        let old = try await oldMonth(24)
        let older = try await oldMonth(36)
        _ = try await addOldEvents(ticket, old.partition, count: 3)
        _ = try await addOldEvents(betaTicket, older.partition, count: 2)
        let set = try await withAPI { api in
            try await api.patch("/v1/settings", key: acme.apiKey, #"{"settings": {"retention": {"service_records_years": 5}}}"#)
        }
        XCTAssertEqual(set.status, .ok, set.raw)

        await XCTAssertThrowsErrorAsync(try await self.kefu("archive", "export", "--before", old.before, "--to", self.directory.path)) { error in
            let message = "\(error)"
            XCTAssertTrue(message.contains("acme") && message.contains(acme.tenantId.uuidString.lowercased()), message)
            XCTAssertTrue(message.contains("ticket_events (\(old.partition)): tenant acme") && message.contains("5 years"), message)
            XCTAssertFalse(message.contains("beta"), "beta has no retention: \(message)")
        }
        XCTAssertEqual(files(), [], "nothing written")
        let kept = try await rows(old.partition)
        XCTAssertEqual(kept, 3)
        let olderKept = try await rows(older.partition)
        XCTAssertEqual(olderKept, 2, "beta's month is not archived either: the run is refused whole")

        // Two years is past a one-year retention: the same run goes through.
        try await ownerPool.execute(
            "UPDATE tenants SET settings = jsonb_set(settings, '{retention,service_records_years}', '1') WHERE id = \(acme.tenantId)"
        )
        let printed = try await kefu("archive", "export", "--before", old.before, "--to", directory.path, "--json")
        let all = try JSONDecoder().decode(JSONValue.self, from: Data(printed.utf8)).array ?? []
        XCTAssertEqual(all.filter { $0["table"]?.string != "ticket_events" }.map { $0["rows"]?.number }, [0, 0, 0, 0, 0, 0])
        let exported = entries(all, of: "ticket_events")
        XCTAssertEqual(exported.map { $0["partition"]?.string }, [older.partition, old.partition])
        XCTAssertEqual(exported.map { $0["rows"]?.number }, [2, 3])
        XCTAssertEqual(exported.map { $0["table"]?.string }, ["ticket_events", "ticket_events"])
        let gone = try await rows(old.partition)
        XCTAssertNil(gone)
    }

    func testBadFutureAndAlreadyArchivedRunsAreRefused() async throws {
        let (_, ticket) = try await tenantWithTicket("acme")
        let old = try await oldMonth(24)
        _ = try await addOldEvents(ticket, old.partition, count: 2)

        for bad in ["2025-13-01", "yesterday", "2025-1-1"] {
            await XCTAssertThrowsErrorAsync(try await self.kefu("archive", "export", "--before", bad, "--to", self.directory.path)) { error in
                XCTAssertTrue("\(error)".contains("YYYY-MM-DD"), "\(bad): \(error)")
            }
        }
        let tomorrow = try await ownerPool.queryScalar(String.self, "SELECT to_char((now() AT TIME ZONE 'UTC') + interval '1 day', 'YYYY-MM-DD')")
        await XCTAssertThrowsErrorAsync(try await self.kefu("archive", "export", "--before", try XCTUnwrap(tomorrow), "--to", self.directory.path)) {
            error in
            XCTAssertTrue("\(error)".contains("in the future"), "\(error)")
        }
        let nothing = try await kefu("archive", "export", "--before", "2001-01-01", "--to", directory.path)
        XCTAssertTrue(nothing.hasPrefix("Nothing to archive"), nothing)
        XCTAssertEqual(files(), [])

        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let file = directory.appendingPathComponent("\(old.partition).csv")
        try Data("keep me".utf8).write(to: file)
        await XCTAssertThrowsErrorAsync(try await self.kefu("archive", "export", "--before", old.before, "--to", self.directory.path)) { error in
            XCTAssertTrue("\(error)".contains("already exists"), "\(error)")
        }
        XCTAssertEqual(try String(contentsOf: file, encoding: .utf8), "keep me", "never overwritten")
        XCTAssertEqual(files(), ["\(old.partition).csv"])
        let kept = try await rows(old.partition)
        XCTAssertEqual(kept, 2)
    }

    /// A failure after the file got its name (here DROP TABLE, refused for a view on the
    /// partition) rolls the month back and removes the file: a rerun starts clean.
    func testAFailedDropLeavesTheMonthAttachedAndNoFile() async throws {
        let (_, ticket) = try await tenantWithTicket("acme")
        let old = try await oldMonth(24)
        _ = try await addOldEvents(ticket, old.partition, count: 4)
        try await ownerPool.execute(PostgresQuery(unsafeSQL: "CREATE VIEW holds_the_month AS SELECT id FROM \(old.partition)"))
        await XCTAssertThrowsErrorAsync(try await self.kefu("archive", "export", "--before", old.before, "--to", self.directory.path)) { error in
            XCTAssertEqual((error as? PostgresError)?.sqlState, "2BP01", "dependent objects still exist: \(error)")
        }
        XCTAssertEqual(files(of: "ticket_events"), [], "neither the file nor its temporary is left")
        XCTAssertTrue(files().allSatisfy { $0.hasSuffix(".csv") }, "no temporary left behind: \(files())")
        let kept = try await rows(old.partition)
        XCTAssertEqual(kept, 4, "still attached, every row")
        let attached = try await ownerPool.queryScalar(Int.self, "SELECT count(*) FROM ticket_events WHERE kind = 'test.old'")
        XCTAssertEqual(attached, 4)

        try await ownerPool.execute("DROP VIEW holds_the_month")
        let printed = try await kefu("archive", "export", "--before", old.before, "--to", directory.path)
        XCTAssertTrue(printed.contains("archived ticket_events \(old.partition): 4 rows"), printed)
    }
}
