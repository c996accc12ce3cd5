/// The ticket state machine: which action may happen in which status, and where it leads.
/// Anything else is a `conflict` (HTTP 409) with a message saying why.
public enum TicketLifecycle {
    public enum Action: String, Sendable {
        case assign, respond, note
        case requestInfo = "request_info"
        case customerReply = "customer_reply"
        case plan
        case transfer, redispatch, escalate, resolve, reopen, close, archive
    }

    /// The status after `action`, or a conflict error.
    public static func next(from status: TicketStatus, on action: Action) throws -> TicketStatus {
        switch (action, status) {
        case (.assign, .new): return .assigned
        case (.respond, .new), (.respond, .assigned), (.respond, .inProgress): return .inProgress
        case (.respond, .waitingOnCustomer), (.respond, .escalated): return status
        case (.note, _) where status.isOpen: return status
        case (.plan, _) where status.isOpen && status != .new: return status
        case (.requestInfo, .assigned), (.requestInfo, .inProgress): return .waitingOnCustomer
        case (.customerReply, .waitingOnCustomer): return .inProgress
        case (.customerReply, _) where status.isOpen || status == .resolved: return status
        case (.transfer, _), (.redispatch, _):
            guard status.isOpen && status != .new else { break }
            return status
        case (.escalate, .assigned), (.escalate, .inProgress), (.escalate, .waitingOnCustomer): return .escalated
        case (.resolve, _) where status.isOpen && status != .new: return .resolved
        case (.reopen, .resolved): return .inProgress
        case (.close, .resolved): return .closed
        case (.archive, .resolved), (.archive, .closed): return .archived
        default: break
        }
        throw KefuError.conflict(reason(action, status))
    }

    private static func reason(_ action: Action, _ status: TicketStatus) -> String {
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
