import Foundation
import KefuCore
import KefuPostgres
import KefuTestSupport
import XCTest

/// ticket_events is RANGE-partitioned by month (issue 16 §1, sql/041): partitions are made ahead,
/// the request-path read of a ticket's events prunes the months before the ticket, and the
/// old table's keys, sequence, grants and triggers hold on the partitioned one.
final class TicketEventPartitionTests: TicketTestCase {
    private func phoneTicket() async throws -> Ticket {
        let customer = try await services.customers.create(tenantID, NewCustomer(name: "Li Na"))
        return try await services.intake.intake(
            tenantID,
            NewTicket(customerId: customer.id, channel: "phone", description: "order is missing", category: "fault", priority: "P1")
        ).ticket
    }

    func testTheRequestPathReadOfATicketsEventsSkipsTheMonthsBeforeIt() async throws {
        let made = try await ensurePartitionsAroundTheClock()
        XCTAssertGreaterThanOrEqual(made, 9, "six months back, the clock's month and three ahead")
        let again = try await ensurePartitionsAroundTheClock()
        XCTAssertEqual(again, 0, "idempotent")
        let ticket = try await phoneTicket()
        let month = try await ownerPool.queryScalar(
            String.self,
            "SELECT DISTINCT tableoid::regclass::text FROM ticket_events WHERE ticket_id = \(ticket.id)"
        )
        let expected =
            "ticket_events_p"
            + String(
                format: "%04d%02d",
                Calendar.utc.component(.year, from: ticket.createdAt),
                Calendar.utc.component(.month, from: ticket.createdAt)
            )
        XCTAssertEqual(month, expected, "the events live in their month's partition, not the DEFAULT one")
        let defaultRows = try await ownerPool.queryScalar(Int.self, "SELECT kefu_partition_default_rows()")
        XCTAssertEqual(defaultRows, 0)

        // The shape of TicketQueryService.events' query, with the same bound parameters.
        let plan = try await ownerPool.query(
            """
            EXPLAIN SELECT id, seq, kind, before, after, created_at
            FROM ticket_events WHERE tenant_id = \(tenantID) AND ticket_id = \(ticket.id) AND created_at >= \(ticket.createdAt)
            ORDER BY seq
            """
        ).map { try $0.decode(String.self, "QUERY PLAN") }.joined(separator: "\n")
        let older = try await partitions(of: "ticket_events").filter { $0 < expected && $0 != "ticket_events_default" }
        XCTAssertGreaterThanOrEqual(older.count, 5, "there are older months to skip: \(older)")
        for partition in older {
            XCTAssertFalse(plan.contains(partition), "\(partition) is pruned:\n\(plan)")
        }
        XCTAssertTrue(plan.contains(expected), "the ticket's month is scanned:\n\(plan)")

        // And the service still returns the whole trail.
        let events = try await services.tickets.events(tenantID, ticketID: ticket.id)
        let stored = try await ownerPool.queryScalar(Int.self, "SELECT count(*) FROM ticket_events WHERE ticket_id = \(ticket.id)")
        XCTAssertGreaterThan(events.count, 0)
        XCTAssertEqual(events.count, stored)
    }

    func testTheDefaultPartitionIsASafetyNetThatIsCountedAndNotOverlapped() async throws {
        // No partition for the test clock's month: the insert lands in DEFAULT instead of failing.
        let ticket = try await phoneTicket()
        let inDefault =
            try await ownerPool.queryScalar(
                Int.self,
                "SELECT default_rows FROM kefu_partition_default_rows_by_table() WHERE table_name = 'ticket_events'"
            ) ?? 0
        let total = try await ownerPool.queryScalar(Int.self, "SELECT kefu_partition_default_rows()") ?? 0
        XCTAssertGreaterThanOrEqual(total, inDefault, "the total counts every table's DEFAULT partition")
        XCTAssertGreaterThan(inDefault, 0)
        let before = try await partitions(of: "ticket_events")
        _ = try await ensurePartitionsAroundTheClock()
        let after = try await partitions(of: "ticket_events")
        let month =
            "ticket_events_p"
            + String(
                format: "%04d%02d",
                Calendar.utc.component(.year, from: ticket.createdAt),
                Calendar.utc.component(.month, from: ticket.createdAt)
            )
        XCTAssertFalse(after.contains(month), "a month with rows in DEFAULT is not created (PostgreSQL would refuse)")
        XCTAssertGreaterThan(after.count, before.count, "the other months are")
        let events = try await services.tickets.events(tenantID, ticketID: ticket.id)
        XCTAssertEqual(events.count, inDefault)
    }

    func testMigrateMakesTheComingMonthsAhead() async throws {
        let nextName = try await ownerPool.queryScalar(
            String.self,
            "SELECT 'ticket_events_p' || to_char((now() AT TIME ZONE 'UTC') + interval '1 month', 'YYYYMM')"
        )
        let next = try XCTUnwrap(nextName)
        var names = try await partitions(of: "ticket_events")
        XCTAssertTrue(names.contains(next), "the migration made next month: \(names)")
        try await ownerPool.execute(PostgresQuery(unsafeSQL: "DROP TABLE \(next)"))
        names = try await partitions(of: "ticket_events")
        XCTAssertFalse(names.contains(next))
        let applied = try await Migrator(database.ownerConfiguration, migrations: Migration.load(from: TestCluster.sqlDirectory)).migrate()
        XCTAssertEqual(applied.count, 0, "nothing pending")
        names = try await partitions(of: "ticket_events")
        XCTAssertTrue(names.contains(next), "kefu migrate made it again")
        let lastName = try await ownerPool.queryScalar(
            String.self,
            "SELECT 'ticket_events_p' || to_char((now() AT TIME ZONE 'UTC') + interval '11 months', 'YYYYMM')"
        )
        XCTAssertTrue(names.contains(try XCTUnwrap(lastName)), "a year of months is made ahead: \(names)")
    }

    func testKeysSequenceGrantsAndTriggersSurviveThePartitioning() async throws {
        let key = try await ownerPool.queryScalar(
            String.self,
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'ticket_events'::regclass AND contype = 'p'"
        )
        XCTAssertEqual(key, "PRIMARY KEY (tenant_id, id, created_at)")
        let foreign = try await ownerPool.queryScalar(
            String.self,
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'ticket_events'::regclass AND contype = 'f'"
        )
        XCTAssertEqual(foreign, "FOREIGN KEY (tenant_id, ticket_id) REFERENCES tickets(tenant_id, id) ON DELETE CASCADE")
        let triggers = try await ownerPool.query(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = 'ticket_events'::regclass AND NOT tgisinternal ORDER BY tgname"
        ).map { try $0.decode(String.self, "tgname") }
        XCTAssertEqual(triggers, ["ticket_events_archived_frozen", "ticket_events_outbox"])
        for privilege in ["SELECT", "INSERT", "UPDATE", "DELETE"] {
            let onParent = try await ownerPool.queryScalar(Bool.self, "SELECT has_table_privilege('kefu_app', 'ticket_events', \(privilege))")
            XCTAssertEqual(onParent, privilege == "SELECT" || privilege == "INSERT", "kefu_app \(privilege) ticket_events")
            let onPartition = try await ownerPool.queryScalar(
                Bool.self,
                "SELECT has_table_privilege('kefu_app', 'ticket_events_default', \(privilege))"
            )
            XCTAssertEqual(onPartition, false, "partitions are reached only through the parent")
        }
        let first = try await phoneTicket()
        let second = try await phoneTicket()
        let seqs = try await ownerPool.query(
            "SELECT ticket_id, max(seq) AS top, min(seq) AS low FROM ticket_events WHERE ticket_id IN (\(first.id), \(second.id)) GROUP BY ticket_id"
        )
        var top: [UUID: Int] = [:]
        var low: [UUID: Int] = [:]
        for row in seqs {
            top[try row.decode(UUID.self, "ticket_id")] = try row.decode(Int.self, "top")
            low[try row.decode(UUID.self, "ticket_id")] = try row.decode(Int.self, "low")
        }
        XCTAssertLessThan(try XCTUnwrap(top[first.id]), try XCTUnwrap(low[second.id]), "seq keeps increasing")
    }
}

extension Calendar {
    fileprivate static let utc: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()
}
