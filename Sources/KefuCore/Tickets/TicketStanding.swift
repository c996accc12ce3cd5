import Foundation
import KefuPostgres

/// What the caller is to a ticket besides (possibly) its owner: a member of its active task
/// force (acts like the owner), a member of the department it is escalated to (does its
/// department work), the executor of its plan in progress (executes it). Read in the same round
/// trip as the locked ticket.
struct TicketStanding: Sendable, Equatable {
    var teamMember = false
    var departmentMember = false
    var planExecutor = false

    /// The standing of agent `agent` towards ticket `ticket`, for a pipeline.
    static func statement(_ tenantID: UUID, ticket: UUID, agent: UUID) -> PostgresStatement<TicketStanding> {
        let query: PostgresQuery = """
            SELECT EXISTS (
                       SELECT 1 FROM ticket_teams t
                       JOIN ticket_team_members m ON m.tenant_id = t.tenant_id AND m.team_id = t.id
                       WHERE t.tenant_id = \(tenantID) AND t.ticket_id = \(ticket) AND t.disbanded_at IS NULL AND m.agent_id = \(agent)
                   ) AS team_member,
                   EXISTS (
                       SELECT 1 FROM tickets k
                       JOIN agents a ON a.tenant_id = k.tenant_id AND a.department_id = k.department_id
                       WHERE k.tenant_id = \(tenantID) AND k.id = \(ticket) AND a.id = \(agent) AND a.active
                   ) AS department_member,
                   EXISTS (
                       SELECT 1 FROM ticket_plans p
                       WHERE p.tenant_id = \(tenantID) AND p.ticket_id = \(ticket) AND p.executor_id = \(agent)
                         AND p.status = ANY (\(TicketPlan.Status.inProgress.map(\.rawValue)))
                   ) AS plan_executor
            """
        return query.decoding { result in
            guard let row = result.rows.first else { return TicketStanding() }
            return TicketStanding(
                teamMember: try row.decode(Bool.self, "team_member"),
                departmentMember: try row.decode(Bool.self, "department_member"),
                planExecutor: try row.decode(Bool.self, "plan_executor")
            )
        }
    }
}
