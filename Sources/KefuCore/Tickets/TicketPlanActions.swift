import Foundation
import KefuPostgres

extension TicketActionService {
    /// A plan or workaround given to the customer (P1 within 2 h, P2 within 4 h), recorded as a
    /// plan that P1/P2 and complex plans need a supervisor to approve, and every plan the customer
    /// to confirm, before it is executed. It supersedes a plan still in progress.
    public func plan(_ principal: Principal, _ ticketID: UUID, _ input: PlanInput) async throws -> Ticket {
        let body = try Self.body(MessageInput(body: input.body))
        try Self.validate(input.compensation)
        return try await mutate(principal, .plan, ticketID, .plan) { tx, ticket, _ in
            var executor = ticket.ownerId ?? principal.agentID
            if let named = input.executorId { executor = try await TicketAgents.requireActive(tx, named, field: "executor_id").id }
            let complex = input.complex ?? false
            var supervisors: [UUID] = []
            if complex || ticket.priority <= .p2 { supervisors = try await NotificationStore.supervisors(tx) }
            let proposal = PlanProposal(
                executor: executor,
                completeBy: input.completeBy,
                compensation: input.compensation,
                complex: complex,
                superseding: try await TicketPlanStore.current(tx, ticket: ticket.id)?.id,
                supervisors: supervisors
            )
            return .plan(body: body, proposal: proposal)
        }.ticket
    }

    /// A supervisor approves the ticket's plan in progress (P1/P2 or complex).
    public func approvePlan(_ principal: Principal, _ ticketID: UUID) async throws -> TicketPlan {
        try await planStep(principal, .approvePlan, ticketID, .approve)
    }

    /// A supervisor rejects the ticket's plan in progress, with the reason.
    public func rejectPlan(_ principal: Principal, _ ticketID: UUID, _ input: PlanRejectInput) async throws -> TicketPlan {
        let reason = try Validate.text(input.reason, field: "reason", maxLength: 2000)
        return try await planStep(principal, .approvePlan, ticketID, .reject(reason: reason))
    }

    /// Records the customer's confirmation of the plan (from the channel: the agent, or the
    /// channel gateway's integration key), after its approval when it needs one.
    public func confirmPlan(_ principal: Principal, _ ticketID: UUID, _ input: PlanConfirmInput) async throws -> TicketPlan {
        let note = try input.note.map { try Validate.text($0, field: "note", maxLength: 2000) }
        return try await planStep(principal, .confirmPlan, ticketID, .confirm(note: note))
    }

    /// Records the plan executed (the owner, its task force or the plan's executor), once the
    /// customer confirmed it.
    public func executePlan(_ principal: Principal, _ ticketID: UUID) async throws -> TicketPlan {
        try await planStep(principal, .executePlan, ticketID, .execute)
    }

    /// The ticket's plans, oldest first.
    public func plans(_ tenantID: UUID, _ ticketID: UUID) async throws -> [TicketPlan] {
        try await database.transaction(tenantID, readOnly: true) { tx in
            _ = try await TicketStore.fetch(tx, id: ticketID)
            return try await TicketPlanStore.all(tx, ticket: ticketID)
        }
    }

    private func planStep(_ principal: Principal, _ authority: KefuAction, _ ticketID: UUID, _ step: PlanStep) async throws -> TicketPlan {
        let change = try await mutate(principal, authority, ticketID, step.kind) { tx, ticket, _ in
            let current = try await TicketPlanStore.current(tx, ticket: ticket.id)
            let notify = Array(Set([ticket.ownerId, current?.executorId].compactMap { $0 })).sorted { $0.uuidString < $1.uuidString }
            return .planStep(step, current: current, notify: notify)
        }
        return try require(change.plan)
    }
}
