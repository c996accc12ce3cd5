import Foundation
import KefuPostgres

/// One checklist item of a QA review.
public struct ChecklistItem: Codable, Sendable, Equatable {
    public var item: String
    public var passed: Bool
}

/// A QA inspector's review of a ticket's conversation.
public struct QAReview: Codable, Sendable, Equatable {
    public var id: UUID
    public var ticketId: UUID
    public var agentId: UUID
    public var reviewerId: UUID
    public var score: Int
    public var checklist: [ChecklistItem]
    public var comments: String?
    public var createdAt: Date
}

public struct NewQAReview: Codable, Sendable {
    public var score: Int
    public var checklist: [ChecklistItem]?
    public var comments: String?
}

/// A customer's complaint about an agent.
public struct AgentComplaint: Codable, Sendable, Equatable {
    public var id: UUID
    public var agentId: UUID
    public var ticketId: UUID?
    public var description: String
    public var createdAt: Date
}

public struct NewAgentComplaint: Codable, Sendable {
    public var ticketId: UUID?
    public var description: String
}

/// QA reviews (by `qa` agents) and complaints about agents.
public struct QualityService: Sendable {
    let database: TenantDatabase
    let clock: any KefuClock

    public init(database: TenantDatabase, clock: any KefuClock) {
        self.database = database
        self.clock = clock
    }

    /// Reviews a ticket's conversation; the reviewed agent is the ticket's owner.
    public func review(_ principal: Principal, ticketID: UUID, _ input: NewQAReview) async throws -> QAReview {
        try principal.authorize(.reviewTicket)
        guard (0...100).contains(input.score) else { throw KefuError.invalidField("score", "must be between 0 and 100") }
        let checklist = try (input.checklist ?? []).enumerated().map { index, entry in
            ChecklistItem(item: try Validate.text(entry.item, field: "checklist[\(index)].item"), passed: entry.passed)
        }
        let comments = try input.comments.map { try Validate.text($0, field: "comments", maxLength: 10_000) }
        return try await database.transaction(principal.tenantID) { tx in
            let ticket = try await TicketStore.fetch(tx, id: ticketID)
            guard let owner = ticket.ownerId else { throw KefuError.conflict("the ticket has no owner to review") }
            return try require(
                try await tx.queryFirst(
                    QAReview.self,
                    """
                    INSERT INTO qa_reviews (tenant_id, ticket_id, agent_id, reviewer_id, score, checklist, comments, created_at)
                    VALUES (\(tx.tenantID), \(ticketID), \(owner), \(principal.agentID), \(Int32(input.score)), \(json: checklist), \(comments), \(clock.now()))
                    RETURNING id, ticket_id, agent_id, reviewer_id, score, checklist, comments, created_at
                    """
                )
            )
        }
    }

    public func reviews(_ tenantID: UUID, agentID: UUID?) async throws -> [QAReview] {
        try await database.transaction(tenantID, readOnly: true) { tx in
            try await tx.query(
                QAReview.self,
                """
                SELECT id, ticket_id, agent_id, reviewer_id, score, checklist, comments, created_at FROM qa_reviews
                WHERE tenant_id = \(tenantID) AND (\(agentID)::uuid IS NULL OR agent_id = \(agentID)) ORDER BY created_at, id
                """
            )
        }
    }

    public func complain(_ principal: Principal, agentID: UUID, _ input: NewAgentComplaint) async throws -> AgentComplaint {
        try principal.authorize(.complainAboutAgent)
        let description = try Validate.text(input.description, field: "description", maxLength: 10_000)
        return try await database.transaction(principal.tenantID) { tx in
            _ = try await AgentService.fetch(tx, id: agentID)
            if let ticket = input.ticketId {
                do { _ = try await TicketStore.fetch(tx, id: ticket) } catch KefuError.notFound {
                    throw KefuError.invalidField("ticket_id", "no such ticket")
                }
            }
            return try require(
                try await tx.queryFirst(
                    AgentComplaint.self,
                    """
                    INSERT INTO agent_complaints (tenant_id, agent_id, ticket_id, description, recorded_by, created_at)
                    VALUES (\(tx.tenantID), \(agentID), \(input.ticketId), \(description), \(principal.agentID), \(clock.now()))
                    RETURNING id, agent_id, ticket_id, description, created_at
                    """
                )
            )
        }
    }
}
