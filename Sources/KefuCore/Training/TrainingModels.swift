import Foundation

/// How a course is taught.
public enum CourseMethod: String, Codable, Sendable, CaseIterable {
    case `internal`, online, practical, external
}

/// The content areas of a training plan.
public enum ContentArea: String, Codable, Sendable, CaseIterable {
    case productKnowledge = "product_knowledge"
    case communication
    case serviceAwareness = "service_awareness"
    case problemSolving = "problem_solving"
    case emergencyHandling = "emergency_handling"
}

/// One month's topic of a plan's schedule.
public struct PlanScheduleItem: Codable, Sendable, Equatable {
    public var month: Int
    public var topic: String
}

/// The annual training plan.
public struct TrainingPlan: Codable, Sendable, Equatable {
    public var id: UUID
    public var year: Int
    public var goals: String
    public var contentAreas: [String]
    public var schedule: [PlanScheduleItem]
    public var createdAt: Date
}

public struct NewTrainingPlan: Codable, Sendable {
    public var year: Int
    public var goals: String
    public var contentAreas: [String]
    public var schedule: [PlanScheduleItem]?
}

public struct Course: Codable, Sendable, Equatable {
    public var id: UUID
    public var name: String
    public var method: CourseMethod
    public var contentArea: String
    /// Promotion to this tier requires the course's certificate.
    public var requiredForTier: AgentTier?
    public var theoryWeight: Double
    public var practicalWeight: Double
    public var ratingWeight: Double
    public var passMark: Double
    public var certificateValidDays: Int
    public var createdAt: Date
}

public struct NewCourse: Codable, Sendable {
    public var name: String
    public var method: String
    public var contentArea: String
    public var requiredForTier: String?
    public var theoryWeight: Double?
    public var practicalWeight: Double?
    public var ratingWeight: Double?
    public var passMark: Double?
    public var certificateValidDays: Int?
}

public struct Enrolment: Codable, Sendable, Equatable {
    public var id: UUID
    public var courseId: UUID
    public var agentId: UUID
    public var sessionId: UUID?
    /// `enrolled`, `passed`, or `retake_required` after a failed assessment.
    public var status: String
    public var attempts: Int
    public var createdAt: Date
}

/// Scores of one attempt (0–100); the customer-rating component comes from the agent's CSAT.
public struct AssessmentInput: Codable, Sendable {
    public var theoryScore: Double
    public var practicalScore: Double
}

public struct Assessment: Codable, Sendable, Equatable {
    public var id: UUID
    public var enrolmentId: UUID
    public var attempt: Int
    public var theoryScore: Double
    public var practicalScore: Double
    public var ratingScore: Double?
    public var total: Double
    public var passed: Bool
    public var assessedAt: Date
}

public struct Certificate: Codable, Sendable, Equatable {
    public var id: UUID
    public var number: String
    public var agentId: UUID
    public var courseId: UUID
    public var issuedOn: String
    public var expiresOn: String
}

/// An assessment with its outcome: a certificate on a pass, a retake otherwise.
public struct AssessmentResult: Codable, Sendable {
    public var assessment: Assessment
    public var enrolment: Enrolment
    public var certificate: Certificate?
}

/// Whether an agent may be promoted to the next tier, and why not.
public struct PromotionEligibility: Codable, Sendable, Equatable {
    public var agentId: UUID
    public var name: String
    public var tier: AgentTier
    public var nextTier: AgentTier?
    public var eligible: Bool
    public var reasons: [String]
    public var csat: Double?
    public var resolvedTickets: Int
}

/// An emergency issue from a post-incident review: required material for the next plan.
public struct TrainingMaterial: Codable, Sendable, Equatable {
    public var incidentId: UUID
    public var reviewedAt: Date
    public var title: String
    public var detail: String?
}

/// A scheduled session of a course.
public struct TrainingSession: Codable, Sendable, Equatable {
    public var id: UUID
    public var courseId: UUID
    public var startsAt: Date
    public var endsAt: Date
    public var trainer: String?
    public var location: String?
}

public struct NewTrainingSession: Codable, Sendable {
    public var startsAt: Date
    public var endsAt: Date
    public var trainer: String?
    public var location: String?
}
