import Foundation

/// A message body (respond, note, request-info, customer reply, plan).
public struct MessageInput: Codable, Sendable {
    public var body: String
    public init(body: String) { self.body = body }
}

/// Merge a duplicate into another ticket of the same customer.
public struct MergeInput: Codable, Sendable {
    /// The ticket that continues.
    public var into: UUID
    public init(into: UUID) { self.into = into }
}

/// Assign a new ticket (default: to the caller).
public struct AssignInput: Codable, Sendable {
    public var agentId: UUID?
    public init(agentId: UUID? = nil) { self.agentId = agentId }
}

/// Hand a ticket to a colleague: the reason and a hand-over note are required.
public struct TransferInput: Codable, Sendable {
    public var toAgentId: UUID
    public var reason: String
    public var handoverNote: String
    public init(toAgentId: UUID, reason: String, handoverNote: String) {
        self.toAgentId = toAgentId
        self.reason = reason
        self.handoverNote = handoverNote
    }
}

/// Send a mis-routed ticket elsewhere (re-routed when no agent is named).
public struct RedispatchInput: Codable, Sendable {
    public var toAgentId: UUID?
    public var reason: String
    public init(toAgentId: UUID? = nil, reason: String) {
        self.toAgentId = toAgentId
        self.reason = reason
    }
}

/// Escalate to a department, which must reply within its deadline.
public struct EscalateInput: Codable, Sendable {
    public var departmentId: UUID
    public var note: String
    /// Overrides the tenant's department reply target (minutes of business time).
    public var replyMinutes: Int?
    public init(departmentId: UUID, note: String, replyMinutes: Int? = nil) {
        self.departmentId = departmentId
        self.note = note
        self.replyMinutes = replyMinutes
    }
}

/// Resolve: the solution summary, optional alternative solutions, optional compensation.
public struct ResolveInput: Codable, Sendable {
    public var solutionSummary: String
    public var solutionOptions: [String]?
    public var compensation: Compensation?
    public init(solutionSummary: String, solutionOptions: [String]? = nil, compensation: Compensation? = nil) {
        self.solutionSummary = solutionSummary
        self.solutionOptions = solutionOptions
        self.compensation = compensation
    }
}

/// Reopen a resolved ticket, with the reason.
public typealias ReopenInput = ReasonInput

/// An action's reason (reopen, a plan's rejection, a department's blocker).
public struct ReasonInput: Codable, Sendable {
    public var reason: String
    public init(reason: String) { self.reason = reason }
}

/// Corrections of a ticket (`PATCH /v1/tickets/{id}`): absent fields stay as they are;
/// `subject: null` removes the subject, `expected_resolution_at: null` takes the priority's
/// resolution target again; `tag_ids`, when given, replaces the ticket's tags.
public struct TicketEditInput: Codable, Sendable, PartialUpdate {
    public var priority: String?
    public var category: String?
    public var tagIds: [UUID]?
    public var subject: Clearable<String>?
    public var expectedResolutionAt: Clearable<Date>?

    public init(
        priority: String? = nil,
        category: String? = nil,
        tagIds: [UUID]? = nil,
        subject: Clearable<String>? = nil,
        expectedResolutionAt: Clearable<Date>? = nil
    ) {
        self.priority = priority
        self.category = category
        self.tagIds = tagIds
        self.subject = subject
        self.expectedResolutionAt = expectedResolutionAt
    }
}
