import Foundation

/// A ticket action with every fact it needs from the database already resolved (the target
/// agent and their name, the department, the agent routing chose, the supervisors to notify),
/// so that `TicketLifecycle.apply` decides everything else without a database.
enum TicketAction: Sendable {
    /// Intake: a new ticket from a validated request and what intake looked up for it.
    case create(NewTicketFacts)
    /// A new ticket goes to an agent (the caller taking it, or someone they name).
    case assign(to: AgentRef)
    /// A public reply by the acting agent (who takes a new ticket); `missingInfo` says the
    /// customer must be asked for missing information (`sla.missing_info_request_minutes`).
    case respond(body: String, missingInfo: Bool = false)
    /// A progress notice to the customer from the `progress_notice` template, with the agent's
    /// optional `note`: a public update like a reply (it meets and re-arms the progress clock).
    case progress(note: String?)
    /// An internal note.
    case note(body: String)
    /// A public question to the customer: the ticket waits and its clocks pause.
    case requestInfo(body: String)
    /// The customer wrote.
    case customerReply(body: String)
    /// A plan or workaround was given to the customer: its measures (`body`) and, when
    /// `proposal` is given, the plan record that goes through approval, confirmation and execution.
    case plan(body: String, proposal: PlanProposal? = nil)
    /// A step of the ticket's plan in progress (`current`, nil when there is none).
    case planStep(PlanStep, current: TicketPlan?, notify: [UUID] = [])
    /// The ticket goes to a colleague, with a reason and a hand-over note.
    case transfer(to: AgentRef, reason: String, handoverNote: String)
    /// A mis-routed ticket goes to another agent (named, or picked by routing).
    case redispatch(to: UUID, reason: String)
    /// The ticket goes to a department, which must answer within `replyMinutes` (the tenant's
    /// default when nil).
    case escalate(to: DepartmentRef, note: String, replyMinutes: Int?)
    /// The escalated department acknowledges the escalation.
    case departmentAck
    /// The escalated department reports what blocks it; `supervisors` hear of it.
    case departmentBlocker(reason: String, supervisors: [UUID])
    /// The escalated department's solution is ready: the hand-back is due.
    case departmentSolved(note: String)
    /// The escalated department hands the solution back to the owner.
    case departmentReply(body: String)
    /// The ticket is solved.
    case resolve(summary: String, options: [String], compensation: Compensation?)
    /// A resolved ticket needs more work (an agent says so).
    case reopen(reason: String)
    /// The customer rated the handling low: the ticket is reopened (closed ones too, within the
    /// survey window) and the supervisors are alerted.
    case secondHandling(LowRating)
    /// A resolved ticket is closed.
    case close
    /// An open duplicate is closed into `target`, an open ticket of the same customer.
    case merge(into: MergeTarget)
    /// A resolved or closed ticket's record is complete and becomes read-only.
    case archive
    /// Priority, category, tags, subject or expected time corrected (`PATCH /v1/tickets/{id}`).
    case edit(TicketEdit)

    /// The row of the transition table (`TicketLifecycle.next`) this action follows.
    var kind: TicketLifecycle.Action {
        switch self {
        case .create: .create
        case .assign: .assign
        case .respond: .respond
        case .note: .note
        case .progress: .notifyProgress
        case .requestInfo: .requestInfo
        case .customerReply: .customerReply
        case .plan: .plan
        case .planStep(let step, _, _): step.kind
        case .departmentAck: .departmentAck
        case .departmentBlocker: .departmentBlocker
        case .departmentSolved: .departmentSolved
        case .departmentReply: .departmentReply
        case .transfer: .transfer
        case .redispatch: .redispatch
        case .escalate: .escalate
        case .resolve: .resolve
        case .reopen: .reopen
        case .secondHandling: .secondHandling
        case .close: .close
        case .merge: .merge
        case .archive: .archive
        case .edit: .edit
        }
    }
}

/// An active agent who can own tickets, as checked by `TicketAgents.requireActive`.
struct AgentRef: Sendable, Equatable {
    var id: UUID
    var name: String
}

/// The ticket a duplicate is merged into, as checked by `TicketActionService.merge`.
struct MergeTarget: Sendable, Equatable {
    var id: UUID
    var reference: String
}

/// A department of the tenant, as read by `DepartmentService`, with its active members (who
/// are notified of an escalation).
struct DepartmentRef: Sendable, Equatable {
    var id: UUID
    var name: String
    var members: [UUID] = []
}

/// A survey answer at or below the tenant's low-rating threshold, and who hears of it.
struct LowRating: Sendable, Equatable {
    var overall: Int
    var supervisors: [UUID]
}

/// What intake knows before the ticket exists: the validated request and the database's answers
/// (customer, routing, agent pick, number, surge mode, article suggestions, supervisors).
struct NewTicketFacts: Sendable {
    var id = UUID()
    var tenantID: UUID
    var number: Int
    /// The ticket's reference, as `kefu_ticket_reference` writes it for `number`.
    var reference: String
    var customerID: UUID
    /// The customer's segment: with the priority it chooses the SLA policy.
    var segment: CustomerSegment? = nil
    var request: ValidatedIntake
    var routing: RoutingDecision
    /// The agent intake routing picked, nil when nobody is on duty.
    var owner: UUID?
    var suggestions: [ArticleSuggestion]
    /// Surge mode has turned automatic replies off.
    var autoRepliesOff: Bool
    /// Told at once of a P1 or P2 ticket (`NotificationStore.supervisors`).
    var supervisors: [UUID]

    /// The request's priority, else the routing rule's, else the category's default.
    var priority: TicketPriority { Self.priority(request, routing) }

    /// The priority intake gives a request routed by `routing` (needed before the facts are
    /// complete: it decides whether supervisors are looked up).
    static func priority(_ request: ValidatedIntake, _ routing: RoutingDecision) -> TicketPriority {
        request.priority ?? routing.priority ?? .default(for: request.category)
    }
}
