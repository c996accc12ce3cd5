import Foundation
import KefuPostgres

/// A QA follow-up call ("Is it solved? Are you satisfied?").
public struct Followup: Codable, Sendable, Equatable {
    public var id: UUID
    public var ticketId: UUID
    public var assigneeId: UUID?
    public var dueAt: Date
    public var createdAt: Date
    public var completedAt: Date?
    public var solved: Bool?
    public var satisfied: Bool?
    public var notes: String?
}

/// The outcome of a follow-up call.
public struct FollowupOutcome: Codable, Sendable {
    public var solved: Bool
    public var satisfied: Bool
    public var notes: String?
    public init(solved: Bool, satisfied: Bool, notes: String? = nil) {
        self.solved = solved
        self.satisfied = satisfied
        self.notes = notes
    }
}

/// QA follow-ups: listed for the inspector, completed with their outcome.
public struct FollowupService: Sendable {
    let database: TenantDatabase
    let clock: any KefuClock
    static let columns: PostgresQuery = "id, ticket_id, assignee_id, due_at, created_at, completed_at, solved, satisfied, notes"

    public init(database: TenantDatabase, clock: any KefuClock) {
        self.database = database
        self.clock = clock
    }

    /// Open follow-ups: the caller's, or all for supervisors and admins.
    public func open(_ principal: Principal) async throws -> [Followup] {
        let mine: PostgresQuery = principal.may(.readAllFollowups) ? "" : " AND assignee_id = \(principal.agentID)"
        return try await database.transaction(principal.tenantID, readOnly: true) { tx in
            try await tx.query(
                Followup.self,
                """
                SELECT \(Self.columns) FROM followups
                WHERE tenant_id = \(principal.tenantID) AND completed_at IS NULL\(mine) ORDER BY due_at, id
                """
            )
        }
    }

    /// Records the call's outcome (once); an unsolved or unsatisfied customer alerts supervisors.
    public func complete(_ principal: Principal, id: UUID, _ outcome: FollowupOutcome) async throws -> Followup {
        try principal.authorize(.completeFollowup)
        let notes = try outcome.notes.map { try Validate.text($0, field: "notes", maxLength: 5000) }
        return try await database.transaction(principal.tenantID) { tx in
            let now = clock.now()
            guard
                let followup = try await tx.queryFirst(
                    Followup.self,
                    """
                    UPDATE followups SET completed_at = \(now), solved = \(outcome.solved), satisfied = \(outcome.satisfied), notes = \(notes),
                        assignee_id = COALESCE(assignee_id, \(principal.agentID))
                    WHERE tenant_id = \(principal.tenantID) AND id = \(id) AND completed_at IS NULL
                    RETURNING \(Self.columns)
                    """
                )
            else {
                let exists = try await tx.queryFirst("SELECT 1 FROM followups WHERE tenant_id = \(principal.tenantID) AND id = \(id)")
                throw exists == nil ? KefuError.notFound("follow-up") : KefuError.conflict("this follow-up is already completed")
            }
            try await TicketStore.record(
                tx,
                ticket: followup.ticketId,
                actor: .agent(principal.agentID),
                kind: "followup_completed",
                after: ["solved": .bool(outcome.solved), "satisfied": .bool(outcome.satisfied)],
                at: now
            )
            if !outcome.solved || !outcome.satisfied {
                try await NotificationStore.notify(
                    tx,
                    try await NotificationStore.supervisors(tx),
                    kind: "followup_unhappy",
                    ticket: followup.ticketId,
                    message: "A follow-up call found the customer unhappy",
                    at: now
                )
            }
            return followup
        }
    }
}
