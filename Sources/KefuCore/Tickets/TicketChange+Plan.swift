import Foundation

/// A ticket's plan on the change being built: proposed with the plan action, then approved or
/// rejected (P1/P2, complex), confirmed by the customer and executed (`TicketPlan`).
extension TicketChange {
    /// A new plan record (after its measures were given to the customer): supervisors are asked
    /// for approval when it needs it (P1/P2 or complex).
    /// A plan that needs no approval goes to the customer for confirmation at once.
    mutating func propose(_ proposal: PlanProposal, measures: String, by actor: TicketActor, context: TicketContext) {
        let requiresApproval = proposal.complex || ticket.priority <= .p2
        let plan = TicketPlan(
            id: proposal.id,
            tenantId: ticket.tenantId,
            ticketId: ticket.id,
            measures: measures,
            executorId: proposal.executor,
            completeBy: proposal.completeBy,
            compensation: proposal.compensation,
            complex: proposal.complex,
            requiresApproval: requiresApproval,
            status: .proposed,
            proposedBy: actor.id,
            createdAt: at,
            updatedAt: at
        )
        self.plan = plan
        supersededPlan = proposal.superseding
        if requiresApproval {
            notifications.append(
                TicketNotificationDraft(
                    recipients: proposal.supervisors,
                    kind: "plan_approval",
                    message: "\(ticket.reference) (\(ticket.priority.rawValue)): a plan awaits your approval"
                )
            )
        }
        record(
            actor,
            "plan_proposed",
            after: [
                "plan_id": .string(plan.id.uuidString), "executor_id": .string(plan.executorId.uuidString),
                "complete_by": .optionalDate(plan.completeBy), "requires_approval": .bool(requiresApproval),
                "superseded_plan_id": .optionalID(proposal.superseding),
            ]
        )
        if !requiresApproval { askToConfirm(plan, context) }
    }

    /// A step of the plan in progress, in order (409 otherwise); `notify` hears of a decision. An
    /// approved plan goes to the customer for confirmation; a rejected one tells them nothing.
    mutating func planStep(_ step: PlanStep, _ current: TicketPlan?, notify: [UUID], by actor: TicketActor, context: TicketContext) throws {
        guard var plan = current else { throw KefuError.conflict("the ticket has no plan in progress") }
        let before = plan.status
        try plan.apply(step, by: actor.id, at: at)
        self.plan = plan
        ticket.updatedAt = at
        var after: [String: JSONValue] = ["plan_id": .string(plan.id.uuidString), "status": .string(plan.status.rawValue)]
        if case .reject(let reason) = step { after["reason"] = .string(reason) }
        // The customer's words stay in the plan (erasable with the customer), not in the append-only trail.
        if case .confirm(let note) = step { after["confirmation_noted"] = .bool(note != nil) }
        record(actor, step.event, before: ["status": .string(before.rawValue)], after: after)
        if step == .approve { askToConfirm(plan, context) }
        if step == .approve || step.kind == .rejectPlan {
            notifications.append(
                TicketNotificationDraft(
                    recipients: notify,
                    kind: step.event,
                    message: "\(ticket.reference): the plan was \(plan.status.rawValue) by a supervisor"
                )
            )
        }
    }
}
