import Foundation

/// A tenant's contingency mode as front-ends see it.
public struct SurgeStatus: Codable, Sendable, Equatable {
    public var active: Bool
    public var incidentId: UUID?
    /// Bot / automatic replies are off while the mode lasts.
    public var autoRepliesOff: Bool
    /// The fast "transfer to human" path: chat intake goes straight to an agent.
    public var fastTransfer: Bool
    public var rates: [SurgeRate]
}

/// A surge incident: when, where, how strong, and what level-1 response did.
public struct Incident: Codable, Sendable, Equatable {
    public var id: UUID
    public var tenantId: UUID
    public var channel: String
    public var trigger: String
    public var startedAt: Date
    public var endedAt: Date?
    public var liveCount: Int
    public var normalCount: Double
    public var ratio: Double
    public var baseline: String
    public var actions: [String]
    public var startedBy: UUID?
    public var endedBy: UUID?
    /// The scheduled event this incident happened during, if any.
    public var eventId: UUID?
}

/// One entry of a review's emergency-issue list (it becomes training material).
public struct EmergencyIssue: Codable, Sendable, Equatable {
    public var title: String
    public var detail: String?
}

/// The post-incident review, due 48 h after the incident ends.
public struct IncidentReview: Codable, Sendable, Equatable {
    public var incidentId: UUID
    public var dueAt: Date
    /// What could have been foreseen.
    public var foreseeable: String?
    /// Where the process stalled.
    public var processStalls: String?
    public var emergencyIssues: [EmergencyIssue]
    public var submittedAt: Date?
    public var submittedBy: UUID?
    public var updatedAt: Date
    /// When the worker found the review unsubmitted at its due time and reminded the
    /// supervisors (`incident_review_overdue`); nil while on time.
    public var overdueAt: Date?
}

/// An edit of a review; `submit: true` marks it done.
public struct IncidentReviewUpdate: Codable, Sendable, PartialUpdate {
    public var foreseeable: String?
    public var processStalls: String?
    public var emergencyIssues: [EmergencyIssue]?
    public var submit: Bool?
    public init(foreseeable: String? = nil, processStalls: String? = nil, emergencyIssues: [EmergencyIssue]? = nil, submit: Bool? = nil) {
        self.foreseeable = foreseeable
        self.processStalls = processStalls
        self.emergencyIssues = emergencyIssues
        self.submit = submit
    }
}
