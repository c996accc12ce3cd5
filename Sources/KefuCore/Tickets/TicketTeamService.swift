import Foundation
import KefuPostgres

/// A P1/P2 ticket's temporary task force (SPEC §3, issue 14 §3): members from at least two teams
/// (departments, or a department and the front line of agents without one), a lead among them and a deadline. Members act on the ticket like its owner (`TicketStanding`)
/// and find it with `GET /v1/tickets?team_member=me`.
public struct TicketTeam: Codable, Sendable, Equatable {
    public var id: UUID
    public var tenantId: UUID
    public var ticketId: UUID
    public var leadId: UUID
    public var deadline: Date
    public var memberIds: [UUID]
    public var formedBy: UUID
    public var formedAt: Date
    public var disbandedBy: UUID?
    public var disbandedAt: Date?
}

/// Forming a task force: its members (2–50 active agents of at least two teams), its lead (one of them) and its deadline
/// (in the future).
public struct TeamInput: Codable, Sendable {
    public var memberIds: [UUID]
    public var leadId: UUID
    public var deadline: Date
    public init(memberIds: [UUID], leadId: UUID, deadline: Date) {
        self.memberIds = memberIds
        self.leadId = leadId
        self.deadline = deadline
    }
}

/// Forms, reads and disbands task forces. Forming notifies every member and arms the
/// `team_deadline` timer; when the deadline passes with the team still on an open ticket, the
/// worker reminds the lead and the supervisors (`TimerActions`).
public struct TicketTeamService: Sendable {
    let database: TenantDatabase
    let clock: any KefuClock

    public init(database: TenantDatabase, clock: any KefuClock) {
        self.database = database
        self.clock = clock
    }

    static let columns: PostgresQuery = """
        t.id, t.tenant_id, t.ticket_id, t.lead_id, t.deadline,
        ARRAY(SELECT m.agent_id FROM ticket_team_members m WHERE m.tenant_id = t.tenant_id AND m.team_id = t.id ORDER BY m.agent_id) AS member_ids,
        t.formed_by, t.formed_at, t.disbanded_by, t.disbanded_at
        """

    /// Forms the ticket's task force (supervisors and admins; P1/P2 open tickets without one).
    public func form(_ principal: Principal, _ ticketID: UUID, _ input: TeamInput) async throws -> TicketTeam {
        try principal.authorize(.formTeam)
        let members = Array(Set(input.memberIds)).sorted { $0.uuidString < $1.uuidString }
        guard (2...50).contains(members.count) else { throw KefuError.invalidField("member_ids", "must name 2 to 50 agents") }
        guard members.contains(input.leadId) else { throw KefuError.invalidField("lead_id", "must be one of member_ids") }
        let now = clock.now()
        guard input.deadline > now else { throw KefuError.invalidField("deadline", "must be in the future") }
        return try await database.transaction(principal.tenantID) { tx in
            let ticket = try await TicketStore.fetch(tx, id: ticketID, forUpdate: true)
            guard ticket.status.isOpen else { throw KefuError.conflict("a task force is for open tickets; this one is \(ticket.status.rawValue)") }
            guard ticket.priority <= .p2 else { throw KefuError.conflict("a task force is for P1/P2 tickets") }
            guard try await Self.current(tx, ticket: ticketID) == nil else {
                throw KefuError.conflict("the ticket already has a task force: disband it first")
            }
            let departments = try await tx.query(
                """
                SELECT id, department_id FROM agents
                WHERE tenant_id = \(tx.tenantID) AND id = ANY (\(members)) AND active AND role <> 'integration'
                """
            )
            guard departments.count == members.count else { throw KefuError.invalidField("member_ids", "no such active agent") }
            let teams = Set(try departments.map { try $0.decode(UUID?.self, "department_id") })
            guard teams.count >= 2 else {
                throw KefuError.invalidField(
                    "member_ids",
                    "a task force spans at least two teams: two departments, or a department and the front line (agents without one)"
                )
            }
            let departmentCount = teams.compactMap { $0 }.count
            let team = TicketTeam(
                id: UUID(),
                tenantId: tx.tenantID,
                ticketId: ticketID,
                leadId: input.leadId,
                deadline: input.deadline,
                memberIds: members,
                formedBy: principal.agentID,
                formedAt: now
            )
            _ = try await tx.pipeline([
                """
                INSERT INTO ticket_teams (tenant_id, id, ticket_id, lead_id, deadline, formed_by, formed_at)
                VALUES (\(tx.tenantID), \(team.id), \(ticketID), \(team.leadId), \(team.deadline), \(team.formedBy), \(now))
                """,
                """
                INSERT INTO ticket_team_members (tenant_id, team_id, agent_id) SELECT \(tx.tenantID), \(team.id), unnest(\(members))
                """,
                NotificationStore.notifyQuery(
                    tx,
                    members,
                    kind: "team_member",
                    ticket: ticketID,
                    message:
                        "You are on the task force for \(ticket.reference) (\(ticket.priority.rawValue)) until \(KefuJSON.format(team.deadline))",
                    at: now
                ),
                TicketStore.recordQuery(
                    tx,
                    ticket: ticketID,
                    actor: .agent(principal.agentID),
                    kind: "team_formed",
                    after: [
                        "team_id": .string(team.id.uuidString), "lead_id": .string(team.leadId.uuidString),
                        "member_ids": .array(members.map { .string($0.uuidString) }), "deadline": .date(team.deadline),
                        "departments": .number(Double(departmentCount)),
                    ],
                    at: now
                ),
                TicketTimers.armQuery(tx, ticket: ticketID, kind: TimerKind.teamDeadline, due: team.deadline),
            ])
            return team
        }
    }

    /// The ticket's active task force (404 `team` when it has none).
    public func get(_ tenantID: UUID, _ ticketID: UUID) async throws -> TicketTeam {
        try await database.transaction(tenantID, readOnly: true) { tx in
            _ = try await TicketStore.fetch(tx, id: ticketID)
            guard let team = try await Self.current(tx, ticket: ticketID) else { throw KefuError.notFound("team") }
            return team
        }
    }

    /// Disbands the ticket's active task force; the record stays.
    public func disband(_ principal: Principal, _ ticketID: UUID) async throws -> TicketTeam {
        try principal.authorize(.formTeam)
        return try await database.transaction(principal.tenantID) { tx in
            let ticket = try await TicketStore.fetch(tx, id: ticketID, forUpdate: true)
            guard ticket.status != .archived else { throw KefuError.conflict("archived tickets are read-only") }
            guard var team = try await Self.current(tx, ticket: ticketID) else { throw KefuError.notFound("team") }
            let now = clock.now()
            team.disbandedBy = principal.agentID
            team.disbandedAt = now
            _ = try await tx.pipeline([
                """
                UPDATE ticket_teams SET disbanded_by = \(principal.agentID), disbanded_at = \(now)
                WHERE tenant_id = \(tx.tenantID) AND id = \(team.id)
                """,
                TicketStore.recordQuery(
                    tx,
                    ticket: ticketID,
                    actor: .agent(principal.agentID),
                    kind: "team_disbanded",
                    after: ["team_id": .string(team.id.uuidString)],
                    at: now
                ),
            ])
            return team
        }
    }

    /// The ticket's active task force, nil when none.
    static func current(_ tx: TenantTransaction, ticket: UUID) async throws -> TicketTeam? {
        try await tx.queryFirst(
            TicketTeam.self,
            "SELECT \(columns) FROM ticket_teams t WHERE t.tenant_id = \(tx.tenantID) AND t.ticket_id = \(ticket) AND t.disbanded_at IS NULL"
        )
    }
}
