import Foundation
import KefuPostgres

extension TicketActionService {
    /// Hands the ticket to a colleague. The conversation stays with the ticket, the first owner
    /// stays on record, the customer is told who continues, and who/when/why is recorded.
    public func transfer(_ principal: Principal, _ ticketID: UUID, _ input: TransferInput) async throws -> Ticket {
        let reason = try Validate.text(input.reason, field: "reason", maxLength: 2000)
        let note = try Validate.text(input.handoverNote, field: "handover_note", maxLength: 5000)
        return try await mutate(principal, .transfer, ticketID, .transfer) { tx, _, _ in
            let target = try await TicketAgents.requireActive(tx, input.toAgentId, field: "to_agent_id")
            return .transfer(to: target, reason: reason, handoverNote: note)
        }.ticket
    }

    /// Sends a mis-routed ticket to the right agent (named, or chosen again by routing without the
    /// current owner), recording the reason and how long after assignment it happened.
    public func redispatch(_ principal: Principal, _ ticketID: UUID, _ input: RedispatchInput) async throws -> Ticket {
        let reason = try Validate.text(input.reason, field: "reason", maxLength: 2000)
        return try await mutate(principal, .redispatch, ticketID, .redispatch) { tx, ticket, _ in
            if let named = input.toAgentId {
                return .redispatch(to: try await TicketAgents.requireActive(tx, named, field: "to_agent_id").id, reason: reason)
            }
            guard let picked = try await TicketRouting.pickOtherAgent(tx, for: ticket) else {
                throw KefuError.conflict("no other on-duty agent can take this ticket")
            }
            return .redispatch(to: picked, reason: reason)
        }.ticket
    }
}
