/// The ticket state machine: which action may happen in which status, and where it leads.
/// Anything else is a `conflict` (HTTP 409) with a message saying why. `apply` turns an action
/// into the whole change it makes (`TicketChange`), without a database; `docs/ARCHITECTURE.md`
/// prints the table of `next`.
public enum TicketLifecycle {
    public enum Action: String, Sendable, CaseIterable {
        /// Intake; legal only when there is no ticket yet.
        case create
        case assign, respond, note
        /// A templated progress notice to the customer (`POST /v1/tickets/{id}/progress`).
        case notifyProgress = "notify_progress"
        case requestInfo = "request_info"
        case customerReply = "customer_reply"
        case plan
        case approvePlan = "approve_plan"
        case rejectPlan = "reject_plan"
        case confirmPlan = "confirm_plan"
        case executePlan = "execute_plan"
        case transfer, redispatch, escalate
        case departmentAck = "department_ack"
        case departmentBlocker = "department_blocker"
        case departmentSolved = "department_solved"
        case departmentReply = "department_reply"
        case resolve, reopen
        /// A low survey rating: the customer's verdict reopens a resolved or closed ticket.
        case secondHandling = "second_handling"
        case close
        /// A duplicate is closed into another open ticket of the same customer.
        case merge
        case archive
        /// Priority, category, tags, subject or expected time corrected; any status but archived.
        case edit
    }

    /// The status after `action`, or a conflict error.
    public static func next(from status: TicketStatus, on action: Action) throws -> TicketStatus {
        switch (action, status) {
        case (.assign, .new): return .assigned
        case (.respond, .new), (.respond, .assigned), (.respond, .inProgress): return .inProgress
        case (.respond, .waitingOnCustomer), (.respond, .escalated): return status
        case (.note, _) where status.isOpen: return status
        case (.notifyProgress, .assigned): return .inProgress
        case (.notifyProgress, .inProgress), (.notifyProgress, .waitingOnCustomer), (.notifyProgress, .escalated): return status
        case (.plan, _), (.approvePlan, _), (.rejectPlan, _), (.confirmPlan, _), (.executePlan, _):
            guard status.isOpen && status != .new else { break }
            return status
        case (.requestInfo, .assigned), (.requestInfo, .inProgress): return .waitingOnCustomer
        case (.customerReply, .waitingOnCustomer): return .inProgress
        case (.customerReply, _) where status.isOpen || status == .resolved: return status
        case (.transfer, _), (.redispatch, _):
            guard status.isOpen && status != .new else { break }
            return status
        case (.escalate, .assigned), (.escalate, .inProgress), (.escalate, .waitingOnCustomer): return .escalated
        case (.departmentAck, .escalated), (.departmentBlocker, .escalated), (.departmentSolved, .escalated): return status
        case (.departmentReply, .escalated): return .inProgress
        case (.resolve, _) where status.isOpen && status != .new: return .resolved
        case (.reopen, .resolved), (.secondHandling, .resolved), (.secondHandling, .closed): return .inProgress
        case (.close, .resolved): return .closed
        case (.merge, _) where status.isOpen: return .closed
        case (.archive, .resolved), (.archive, .closed): return .archived
        case (.edit, _) where status != .archived: return status
        default: break
        }
        throw KefuError.conflict(reason(action, status))
    }

    /// The change `action` makes to `ticket` (nil for `.create`) at `context.now`, done by
    /// `actor`: the new value, its messages, owner history, events, breaches, notifications and
    /// timers. Throws the transition's conflict, or `invalidField` for a target that cannot be.
    static func apply(_ action: TicketAction, to ticket: Ticket?, by actor: TicketActor, context: TicketContext) throws -> TicketChange {
        var change: TicketChange
        switch (action, ticket) {
        case (.create(let facts), nil):
            change = TicketChange.creating(facts, by: actor, context: context)
        case (_, let ticket?):
            let next = try next(from: ticket.status, on: action.kind)
            change = TicketChange(before: ticket, ticket: ticket, at: context.now)
            try change.perform(action, next: next, by: actor, context: context)
        case (_, nil):
            throw KefuError.notFound("ticket")
        }
        change.timers = TicketTimers.states(of: change.ticket, calendar: context.calendar, now: context.now)
        return change
    }

    private static func reason(_ action: Action, _ status: TicketStatus) -> String {
        if action == .create { return "the ticket already exists" }
        let name = action.rawValue.replacingOccurrences(of: "_", with: " ")
        switch status {
        case .new: return "cannot \(name) a new ticket: assign it first"
        case .archived: return "archived tickets are read-only"
        case .closed: return "cannot \(name) a closed ticket"
        case .resolved: return "cannot \(name) a resolved ticket (reopen it first)"
        default: return "cannot \(name) a ticket that is \(status.rawValue.replacingOccurrences(of: "_", with: " "))"
        }
    }
}
