import Foundation
import KefuCore
import KefuPostgres
import KefuTestSupport
import XCTest

/// The daily rollups behind the weekly report (sql/010_report_rollups.sql) agree with the tickets
/// after every kind of change, and the report reads the same from either source.
final class ReportRollupTests: TicketTestCase {
    /// Monday 2025-11-24 00:00 UTC, the week of `tuesdayTen`.
    private let monday = Date(timeIntervalSince1970: 1_763_942_400)
    private var leaves: [UUID] = []
    private var agentKey = ""
    private var agent: Agent!

    /// Tickets on three days, two channels, three priorities, with leaf tags of one tree; some
    /// answered late, some resolved, one reopened, one waiting on the customer.
    private func arrange() async throws {
        try await makeTaxonomy()
        agent = try await addAgent("Rita Roll", tier: "mid", duty: "away")
        agentKey = try await keyFor(agent)
        let plan: [(day: Double, channel: String, priority: String, tags: [Int])] = [
            (0, "phone", "P1", [0]), (0, "email", "P2", [0, 1]), (1, "phone", "P3", [2]),
            (1, "email", "P2", []), (3, "phone", "P1", [1, 2]), (3, "email", "P3", [0]),
        ]
        var ids: [String] = []
        for (index, ticket) in plan.enumerated() {
            clock.set(minutes(ticket.day * 1440 + Double(index)))
            let reply = try await intake([
                "customer": ["name": "Customer \(index)"], "channel": ticket.channel, "category": "fault",
                "priority": ticket.priority, "description": "issue \(index)",
                "tag_ids": ticket.tags.map { leaves[$0].uuidString },
            ])
            XCTAssertEqual(reply.status, .created, reply.raw)
            ids.append(try require(reply["id"]?.string))
            _ = try await act(ids[index], "assign", ["agent_id": agent.id.uuidString])
        }
        try await assertRollupsMatchTickets("after intake")
        clock.set(minutes(4 * 1440))
        for id in ids.prefix(5) { _ = try await act(id, "respond", ["body": "looking into it"], as: agentKey) }
        for id in ids.prefix(3) {
            let resolved = try await act(id, "resolve", ["solution_summary": "done"], as: agentKey)
            XCTAssertEqual(resolved.status, .ok, resolved.raw)
        }
        clock.set(minutes(4 * 1440 + 30))
        let reopened = try await act(ids[0], "reopen", ["reason": "still broken"], as: agentKey)
        XCTAssertEqual(reopened.status, .ok, reopened.raw)
        let waiting = try await act(ids[5], "request-info", ["body": "which order?"], as: agentKey)
        XCTAssertEqual(waiting.status, .ok, waiting.raw)
        clock.set(minutes(5 * 1440))
    }

    func testRollupsAgreeWithTheTicketsThroughTheLifecycle() async throws {
        try await arrange()
        try await assertRollupsMatchTickets("after responses, resolutions, a reopen and a pause")
        let counted = try await ownerPool.queryScalar(Int.self, "SELECT sum(tickets)::int FROM report_daily WHERE tenant_id = \(tenantID)")
        XCTAssertEqual(counted, 6)
    }

    func testWeeklyReportReadsTheSameFromRollupsAndTickets() async throws {
        try await arrange()
        let fromRollups = try await services.reports.weekly(tenantID, weekStart: monday)
        let fromTickets = try await services.reports.weekly(tenantID, weekStart: monday, source: .tickets)
        XCTAssertEqual(fromRollups.totalTickets, 6)
        XCTAssertEqual(
            fromRollups.byTag.map { "\($0.level) \($0.path) \($0.tickets)" }.prefix(3),
            ["1 product 7", "2 product › billing 5", "3 product › billing › charged twice 3"]
        )
        XCTAssertEqual(fromRollups.daily.map(\.tickets), [0, 2, 2, 0, 2, 0, 0])
        try assertSameJSON(fromRollups, fromTickets)
        let gaps = try await services.articles.gaps(tenantID, from: monday, to: monday.addingTimeInterval(7 * 86_400), minimumTickets: 1)
        let rawGaps = try await services.articles.gaps(
            tenantID,
            from: monday,
            to: monday.addingTimeInterval(7 * 86_400),
            minimumTickets: 1,
            source: .tickets
        )
        XCTAssertEqual(gaps, rawGaps)
        XCTAssertEqual(gaps.map(\.tickets), [3, 2, 2])

        // A start that is not midnight UTC reads the tickets: the days are counted from it.
        let shifted = try await services.reports.weekly(tenantID, weekStart: monday.addingTimeInterval(12 * 3600))
        XCTAssertEqual(shifted.daily.map(\.tickets), [2, 2, 0, 2, 0, 0, 0])
        XCTAssertEqual(shifted.daily.first?.date, "2025-11-24")
        let empty = try await services.reports.weekly(tenantID, weekStart: monday.addingTimeInterval(-7 * 86_400))
        XCTAssertEqual(empty.totalTickets, 0)
        XCTAssertNil(empty.averageFirstResponseSeconds)
        XCTAssertEqual(empty.daily.count, 7)
    }

    func testRollupsFollowChangesMadeDirectlyInTheDatabase() async throws {
        try await arrange()
        _ = try await ownerPool.execute(
            """
            UPDATE tickets SET created_at = created_at - interval '2 days', channel = 'chat', priority = 'P4'
            WHERE tenant_id = \(tenantID) AND number = 2
            """
        )
        try await assertRollupsMatchTickets("after moving a tagged ticket to another day and channel")
        _ = try await ownerPool.execute(
            """
            DELETE FROM ticket_tags WHERE tenant_id = \(tenantID) AND ticket_id = (SELECT id FROM tickets WHERE tenant_id = \(tenantID) AND number = 5)
              AND tag_id = \(leaves[1])
            """
        )
        _ = try await ownerPool.execute(
            """
            INSERT INTO ticket_tags (tenant_id, ticket_id, tag_id)
            SELECT tenant_id, id, \(leaves[1]) FROM tickets WHERE tenant_id = \(tenantID) AND number = 4
            """
        )
        try await assertRollupsMatchTickets("after untagging and tagging")
        _ = try await ownerPool.execute("DELETE FROM tickets WHERE tenant_id = \(tenantID) AND number = 1")
        try await assertRollupsMatchTickets("after deleting a tagged ticket")
        _ = try await ownerPool.execute("UPDATE tickets SET priority = 'P1' WHERE tenant_id = \(tenantID) AND number = 3")
        struct RolledBack: Error {}
        do {
            try await ownerPool.transaction { tx in
                _ = try await tx.execute("UPDATE tickets SET channel = 'api' WHERE tenant_id = \(tenantID) AND number = 6")
                throw RolledBack()
            }
        } catch is RolledBack {}
        try await assertRollupsMatchTickets("after a change and a rolled-back change")
    }

    /// (Tenants with tagged, assigned and archived tickets: `TenantDeletionTests`.)
    func testDeletingATenantTakesItsRollupsWithIt() async throws {
        for index in 0..<2 {
            let reply = try await intake([
                "customer": ["name": "Customer \(index)"], "channel": "email", "category": "fault",
                "description": "issue \(index)",
            ])
            XCTAssertEqual(reply.status, .created, reply.raw)
        }
        try await assertRollupsMatchTickets("before deleting the tenant")
        try await TenantAdminService(ownerPool: ownerPool).delete(slug: "acme", confirm: "acme")
        let left = try await ownerPool.queryScalar(
            Int.self,
            """
            SELECT (SELECT count(*) FROM report_daily) + (SELECT count(*) FROM report_daily_tags)
            """
        )
        XCTAssertEqual(left, 0)
    }

    /// product › billing › {charged twice, wrong amount}, product › login › password reset.
    private func makeTaxonomy() async throws {
        let product = try await services.tags.create(tenantID, NewTag(name: "product"))
        let billing = try await services.tags.create(tenantID, NewTag(name: "billing", parentId: product.id))
        let login = try await services.tags.create(tenantID, NewTag(name: "login", parentId: product.id))
        leaves = [
            try await services.tags.create(tenantID, NewTag(name: "charged twice", parentId: billing.id)).id,
            try await services.tags.create(tenantID, NewTag(name: "wrong amount", parentId: billing.id)).id,
            try await services.tags.create(tenantID, NewTag(name: "password reset", parentId: login.id)).id,
        ]
    }

    /// The rollup tables hold exactly what aggregating the tickets gives (all-zero rows aside).
    private func assertRollupsMatchTickets(_ moment: String, file: StaticString = #filePath, line: UInt = #line) async throws {
        let differences = try await ownerPool.queryScalar(
            Int.self,
            """
            WITH kept AS (
                SELECT tenant_id, day, channel, category, priority, tickets, responded, on_time, first_response_seconds,
                       resolved, resolution_seconds
                FROM report_daily
                WHERE (tickets, responded, on_time, resolved) <> (0, 0, 0, 0) OR first_response_seconds <> 0 OR resolution_seconds <> 0
            ), computed AS (
                SELECT tenant_id, (created_at AT TIME ZONE 'UTC')::date AS day, channel, category, priority, count(*)::int AS tickets,
                       count(first_response_at)::int AS responded,
                       count(*) FILTER (WHERE first_response_at IS NOT NULL
                                        AND (first_response_due_at IS NULL OR first_response_at <= first_response_due_at))::int AS on_time,
                       coalesce(sum(extract(epoch FROM first_response_at - created_at)), 0) AS first_response_seconds,
                       count(resolved_at)::int AS resolved, coalesce(sum(extract(epoch FROM resolved_at - created_at)), 0) AS resolution_seconds
                FROM tickets GROUP BY 1, 2, 3, 4, 5
            ), kept_tags AS (
                SELECT tenant_id, day, tag_id, tickets FROM report_daily_tags WHERE tickets <> 0
            ), computed_tags AS (
                SELECT tt.tenant_id, (t.created_at AT TIME ZONE 'UTC')::date AS day, tt.tag_id, count(*)::int AS tickets
                FROM ticket_tags tt JOIN tickets t ON t.tenant_id = tt.tenant_id AND t.id = tt.ticket_id GROUP BY 1, 2, 3
            )
            SELECT (SELECT count(*) FROM ((SELECT * FROM kept EXCEPT SELECT * FROM computed)
                                          UNION ALL (SELECT * FROM computed EXCEPT SELECT * FROM kept)) d)
                 + (SELECT count(*) FROM ((SELECT * FROM kept_tags EXCEPT SELECT * FROM computed_tags)
                                          UNION ALL (SELECT * FROM computed_tags EXCEPT SELECT * FROM kept_tags)) d)
            """
        )
        XCTAssertEqual(differences, 0, "rollups differ from the tickets \(moment)", file: file, line: line)
    }

    private func assertSameJSON(_ a: WeeklyReport, _ b: WeeklyReport, file: StaticString = #filePath, line: UInt = #line) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        XCTAssertEqual(
            String(decoding: try encoder.encode(a), as: UTF8.self),
            String(decoding: try encoder.encode(b), as: UTF8.self),
            file: file,
            line: line
        )
    }
}
