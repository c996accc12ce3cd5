import Foundation
import KefuCore
import KefuPostgres
import KefuTestSupport
import XCTest

/// Routing reads each agent's open load from `agents.open_tickets`, which a trigger keeps
/// (sql/015). After every kind of change it must equal a fresh count.
final class AgentLoadTests: TicketTestCase {
    /// Agents whose stored load differs from a count of the tickets they own, as "name: stored ≠ counted".
    private func mismatches() async throws -> [String] {
        try await ownerPool.query(
            """
            SELECT a.name, a.open_tickets, count(t.id)::int AS counted
            FROM agents a
            LEFT JOIN tickets t ON t.tenant_id = a.tenant_id AND t.owner_id = a.id
                 AND t.status IN ('assigned', 'in_progress', 'waiting_on_customer', 'escalated')
            GROUP BY a.tenant_id, a.id, a.name, a.open_tickets
            HAVING a.open_tickets <> count(t.id)
            """
        ).map { "\(try $0.decode(String.self, at: 0)): \(try $0.decode(Int.self, at: 1)) ≠ \(try $0.decode(Int.self, at: 2))" }
    }

    private func assertLoad(_ agent: Agent, _ expected: Int, line: UInt = #line) async throws {
        let stored = try await ownerPool.queryScalar(Int.self, "SELECT open_tickets FROM agents WHERE id = \(agent.id)")
        XCTAssertEqual(stored, expected, agent.name, line: line)
    }

    private func newTicket() async throws -> String {
        let created = try await intake([
            "customer": ["name": "Li Na"], "channel": "phone", "category": "fault",
            "description": "The app crashes.",
        ])
        XCTAssertEqual(created.status, .created, created.raw)
        return try require(created["id"]?.string)
    }

    func testTheStoredLoadFollowsEveryChangeOfOwnerAndStatus() async throws {
        let first = try await addAgent("First Fang", tier: "mid")
        let firstKey = try await keyFor(first)
        let ids = [try await newTicket(), try await newTicket(), try await newTicket(), try await newTicket()]
        try await assertLoad(first, 4)
        let second = try await addAgent("Second Song", tier: "senior")
        let department = try await services.departments.create(tenantID, NewDepartment(name: "Warehouse"))

        // Waiting on the customer and escalated still count; resolved and closed do not; reopened counts again.
        _ = try await act(ids[0], "respond", ["body": "on it"], as: firstKey)
        _ = try await act(ids[0], "request-info", ["body": "Which model?"], as: firstKey)
        _ = try await act(ids[1], "escalate", ["department_id": department.id.uuidString, "note": "lost parcel"], as: firstKey)
        _ = try await act(ids[2], "resolve", ["solution_summary": "fixed"], as: firstKey)
        try await assertLoad(first, 3)
        _ = try await act(ids[2], "reopen", ["reason": "still broken"], as: firstKey)
        try await assertLoad(first, 4)
        _ = try await act(ids[2], "resolve", ["solution_summary": "fixed again"], as: firstKey)
        _ = try await act(ids[2], "close", [:], as: firstKey)

        // A transfer moves one ticket from one agent to the other.
        let transferred = try await act(
            ids[3],
            "transfer",
            [
                "to_agent_id": second.id.uuidString, "reason": "needs senior", "handover_note": "verified",
            ],
            as: firstKey
        )
        XCTAssertEqual(transferred.status, .ok, transferred.raw)
        try await assertLoad(first, 2)
        try await assertLoad(second, 1)

        // The next intake goes to the less loaded agent.
        let next = try await intake(["customer": ["name": "Wu"], "channel": "phone", "category": "fault", "description": "x"])
        XCTAssertEqual(next["owner_id"]?.string, second.id.uuidString, next.raw)

        // Changes made directly in SQL (an operator, the worker) are counted too.
        try await ownerPool.execute("UPDATE tickets SET owner_id = \(first.id) WHERE id = \(try require(UUID(uuidString: ids[3])))")
        try await ownerPool.execute("DELETE FROM ticket_events WHERE ticket_id = \(try require(UUID(uuidString: ids[0])))")
        try await ownerPool.execute("DELETE FROM ticket_messages WHERE ticket_id = \(try require(UUID(uuidString: ids[0])))")
        try await ownerPool.execute("DELETE FROM ticket_assignments WHERE ticket_id = \(try require(UUID(uuidString: ids[0])))")
        try await ownerPool.execute("DELETE FROM ticket_timers WHERE ticket_id = \(try require(UUID(uuidString: ids[0])))")
        try await ownerPool.execute("DELETE FROM tickets WHERE id = \(try require(UUID(uuidString: ids[0])))")
        let remaining = try await mismatches()
        XCTAssertEqual(remaining, [])
    }

    func testConcurrentIntakesAndARolledBackChangeKeepTheCountExact() async throws {
        for name in ["A An", "B Bo", "C Ci"] { _ = try await addAgent(name, tier: "mid") }
        let intake = services.intake
        let tenant = tenantID
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<30 {
                group.addTask {
                    _ = try await intake.intake(
                        tenant,
                        NewTicket(
                            customer: NewCustomer(name: "C\(index)"),
                            channel: "chat",
                            description: "question \(index)",
                            category: "inquiry"
                        )
                    )
                }
            }
            try await group.waitForAll()
        }
        let loads = try await ownerPool.query("SELECT open_tickets FROM agents WHERE tenant_id = \(tenantID) AND role = 'agent'")
            .map { try $0.decode(Int.self, at: 0) }
        XCTAssertEqual(loads.reduce(0, +), 30)
        // A change that rolls back leaves the count as it was.
        _ = try? await ownerPool.transaction { tx in
            try await tx.execute("UPDATE tickets SET status = 'resolved' WHERE tenant_id = \(tenant)")
            throw KefuError.conflict("roll back")
        }
        let after = try await mismatches()
        XCTAssertEqual(after, [])
    }
}
