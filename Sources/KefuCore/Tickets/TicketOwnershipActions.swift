import Foundation
import KefuPostgres

extension TicketActionService {
    /// Hands the ticket to a colleague. The conversation stays with the ticket, the first owner
    /// stays on record, the customer is told who continues, and who/when/why is recorded.
    public func transfer(_ principal: Principal, _ ticketID: UUID, _ input: TransferInput) async throws -> Ticket {
        let actor = principal.agentID
        let reason = try Validate.text(input.reason, field: "reason", maxLength: 2000)
        let note = try Validate.text(input.handoverNote, field: "handover_note", maxLength: 5000)
        return try await mutate(principal, .transfer, ticketID) { tx, ticket, context in
            _ = try TicketLifecycle.next(from: ticket.status, on: .transfer)
            let target = try await TicketAgents.requireActive(tx, input.toAgentId, field: "to_agent_id")
            guard target.id != ticket.ownerId else { throw KefuError.invalidField("to_agent_id", "already owns the ticket") }
            try await changeOwner(tx, ticket, to: target.id, at: context.now)
            try await TicketStore.addAssignment(
                tx,
                ticket: ticket.id,
                kind: "transfer",
                from: ticket.ownerId,
                to: target.id,
                by: actor,
                reason: reason,
                handoverNote: note,
                at: context.now
            )
            _ = try await TicketStore.addMessage(
                tx,
                ticket: ticket.id,
                author: .agent(actor),
                visibility: "internal",
                body: "Hand-over: \(note)",
                at: context.now
            )
            _ = try await TicketStore.addMessage(
                tx,
                ticket: ticket.id,
                author: .system,
                visibility: "public",
                body: "Your colleague \(target.name) will continue to help you.",
                at: context.now
            )
            try await TicketStore.record(
                tx,
                ticket: ticket.id,
                actor: .agent(actor),
                kind: "transferred",
                before: ["owner_id": ticket.ownerId.map { .string($0.uuidString) } ?? .null],
                after: [
                    "owner_id": .string(target.id.uuidString), "reason": .string(reason),
                    "handover_note": .string(note),
                ],
                at: context.now
            )
        }
    }

    /// Sends a mis-routed ticket to the right agent (named, or chosen again by routing without the
    /// current owner), recording the reason and how long after assignment it happened.
    public func redispatch(_ principal: Principal, _ ticketID: UUID, _ input: RedispatchInput) async throws -> Ticket {
        let actor = principal.agentID
        let reason = try Validate.text(input.reason, field: "reason", maxLength: 2000)
        return try await mutate(principal, .redispatch, ticketID) { tx, ticket, context in
            _ = try TicketLifecycle.next(from: ticket.status, on: .redispatch)
            let targetID: UUID
            if let named = input.toAgentId {
                targetID = try await TicketAgents.requireActive(tx, named, field: "to_agent_id").id
            } else {
                guard
                    let picked = try await tx.queryScalar(
                        UUID.self,
                        """
                        SELECT a.id FROM agents a
                        WHERE a.tenant_id = \(tx.tenantID) AND a.active AND a.duty_status = 'on_duty'
                          AND a.role IN ('agent', 'supervisor') AND a.id IS DISTINCT FROM \(ticket.ownerId)
                          AND (\(ticket.skill)::text IS NULL OR \(ticket.skill) = ANY (a.skills))
                        ORDER BY \(TicketRouting.openLoad), a.created_at
                        LIMIT 1
                        """
                    )
                else { throw KefuError.conflict("no other on-duty agent can take this ticket") }
                targetID = picked
            }
            guard targetID != ticket.ownerId else { throw KefuError.invalidField("to_agent_id", "already owns the ticket") }
            let seconds = ticket.assignedAt.map { context.now.timeIntervalSince($0) }
            try await changeOwner(tx, ticket, to: targetID, at: context.now)
            try await TicketStore.addAssignment(
                tx,
                ticket: ticket.id,
                kind: "redispatch",
                from: ticket.ownerId,
                to: targetID,
                by: actor,
                reason: reason,
                secondsSincePrevious: seconds,
                at: context.now
            )
            try await TicketStore.record(
                tx,
                ticket: ticket.id,
                actor: .agent(actor),
                kind: "redispatched",
                before: ["owner_id": ticket.ownerId.map { .string($0.uuidString) } ?? .null],
                after: [
                    "owner_id": .string(targetID.uuidString), "reason": .string(reason),
                    "seconds_since_assignment": seconds.map(JSONValue.number) ?? .null,
                ],
                at: context.now
            )
        }
    }

    private func changeOwner(_ tx: TenantTransaction, _ ticket: Ticket, to agent: UUID, at now: Date) async throws {
        try await tx.execute(
            """
            UPDATE tickets SET owner_id = \(agent), first_owner_id = COALESCE(first_owner_id, \(agent)),
                assigned_at = \(now), updated_at = \(now)
            WHERE tenant_id = \(tx.tenantID) AND id = \(ticket.id)
            """
        )
    }
}
