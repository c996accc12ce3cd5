import Foundation
import KefuPostgres

/// The weekly service analysis of one tenant.
public struct WeeklyReport: Codable, Sendable {
    public struct Count: Codable, Sendable, Equatable {
        public var key: String
        public var tickets: Int
    }

    public struct TagCount: Codable, Sendable, Equatable {
        public var level: Int
        public var path: String
        public var tickets: Int
    }

    public struct SLACompliance: Codable, Sendable, Equatable {
        public var priority: String
        public var tickets: Int
        public var responded: Int
        public var onTime: Int
        public var rate: Double?
    }

    public struct Dissatisfied: Codable, Sendable, Equatable {
        public var ticketId: UUID
        public var reference: String
        public var overall: Int
        public var tags: [String]
    }

    /// Problem feedback forms in the week: filed (created), submitted, and found overdue (their
    /// 24 h deadline passed unsubmitted), each counted by the instant it happened.
    public struct ProblemReports: Codable, Sendable, Equatable {
        public var filed: Int
        public var submitted: Int
        public var overdue: Int
    }

    public struct Day: Codable, Sendable, Equatable {
        public var date: String
        public var tickets: Int
        public var onTimeRate: Double?
    }

    public var tenant: String
    public var from: Date
    public var to: Date
    public var totalTickets: Int
    public var byChannel: [Count]
    public var byCategory: [Count]
    /// Volume per tag at every level of the taxonomy, most frequent first (top recurring problems).
    public var byTag: [TagCount]
    public var slaByPriority: [SLACompliance]
    public var averageFirstResponseSeconds: Double?
    public var averageResolutionSeconds: Double?
    public var dissatisfied: [Dissatisfied]
    public var knowledgeGaps: [KnowledgeGap]
    public var incidents: [Incident]
    public var problemReports: ProblemReports
    public var daily: [Day]
}
