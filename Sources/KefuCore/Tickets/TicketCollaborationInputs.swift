import Foundation

/// A public reply; `missing_info: true` says information is missing, so the customer must be
/// asked for it (request-info) within `sla.missing_info_request_minutes` of the first response.
public struct RespondInput: Codable, Sendable {
    public var body: String
    public var missingInfo: Bool?
    public init(body: String, missingInfo: Bool? = nil) {
        self.body = body
        self.missingInfo = missingInfo
    }
}

/// A progress notice (`POST /v1/tickets/{id}/progress`): the agent's optional note about the
/// progress (1–1,000 characters), written into the `progress_notice` template.
public struct ProgressInput: Codable, Sendable {
    public var note: String?
    public init(note: String? = nil) { self.note = note }
}

/// A plan: its measures as told to the customer (`body`), who executes them (an active agent;
/// default the ticket's owner), by when, the compensation if any, and whether it is complex
/// (complex plans need a supervisor's approval whatever the priority).
public struct PlanInput: Codable, Sendable {
    public var body: String
    public var executorId: UUID?
    public var completeBy: Date?
    public var compensation: Compensation?
    public var complex: Bool?
    public init(body: String, executorId: UUID? = nil, completeBy: Date? = nil, compensation: Compensation? = nil, complex: Bool? = nil) {
        self.body = body
        self.executorId = executorId
        self.completeBy = completeBy
        self.compensation = compensation
        self.complex = complex
    }
}

/// A supervisor's rejection of a plan, with the reason.
public typealias PlanRejectInput = ReasonInput

/// The customer's confirmation of the plan, recorded from the channel: how it came (optional).
public struct PlanConfirmInput: Codable, Sendable {
    public var note: String?
    public init(note: String? = nil) { self.note = note }
}

/// What blocks the escalated department.
public typealias DepartmentBlockerInput = ReasonInput
