import Foundation
import KefuPostgres

/// Owners of tickets: who may take one, and the first take (first-contact ownership).
enum TicketAgents {
    /// An active agent of the tenant who can own tickets (not an integration key), or `invalidField(field)`.
    static func requireActive(_ tx: TenantTransaction, _ id: UUID, field: String) async throws -> Agent {
        let agent = try? await AgentService.fetch(tx, id: id)
        guard let agent, agent.active else { throw KefuError.invalidField(field, "no such active agent") }
        guard agent.role != .integration else { throw KefuError.invalidField(field, "an integration key cannot own tickets") }
        return agent
    }

    /// The first agent to take a ticket becomes its accountable owner and stays on record as
    /// `first_owner_id` for good.
    static func takeFirst(_ tx: TenantTransaction, _ ticket: Ticket, agent: UUID, by actor: UUID?, at now: Date) async throws {
        try await tx.execute(
            """
            UPDATE tickets SET owner_id = \(agent), first_owner_id = COALESCE(first_owner_id, \(agent)),
                assigned_at = \(now), status = 'assigned', updated_at = \(now)
            WHERE tenant_id = \(tx.tenantID) AND id = \(ticket.id)
            """
        )
        try await TicketStore.addAssignment(tx, ticket: ticket.id, kind: "initial", from: nil, to: agent, by: actor, at: now)
        try await TicketStore.record(
            tx,
            ticket: ticket.id,
            actor: actor.map(TicketActor.agent) ?? .system,
            kind: "assigned",
            before: ["status": .string(ticket.status.rawValue), "owner_id": .null],
            after: ["status": .string(TicketStatus.assigned.rawValue), "owner_id": .string(agent.uuidString)],
            at: now
        )
    }
}
