import Foundation

/// Where a ticket came in.
public enum TicketChannel: String, Codable, Sendable, CaseIterable {
    case chat, phone, email
    case webForm = "web_form"
    case inApp = "in_app"
    case social, community, api
}

/// What kind of problem it is; decides how it is handled.
public enum TicketCategory: String, Codable, Sendable, CaseIterable {
    /// How-to, pricing, rules — usually solved from the knowledge base.
    case inquiry
    /// Errors, malfunctions, performance.
    case fault
    /// Thank, record, forward to the owning department.
    case suggestion
    /// Empathy, record the demand, start the complaint process.
    case complaint
}

/// Urgency, with SLA targets per level (tenant settings).
public enum TicketPriority: String, Codable, Sendable, CaseIterable, Comparable {
    case p1 = "P1"
    case p2 = "P2"
    case p3 = "P3"
    case p4 = "P4"

    public static func < (lhs: TicketPriority, rhs: TicketPriority) -> Bool { lhs.rawValue < rhs.rawValue }

    /// The default when neither the request nor a routing rule sets one.
    public static func `default`(for category: TicketCategory) -> TicketPriority {
        switch category {
        case .complaint: .p2
        case .inquiry, .fault: .p3
        case .suggestion: .p4
        }
    }
}

/// Where a ticket is in its life: `new → assigned → in_progress ⇄ waiting_on_customer → escalated
/// → resolved → closed/archived`, reopened from resolved.
public enum TicketStatus: String, Codable, Sendable, CaseIterable {
    case new, assigned
    case inProgress = "in_progress"
    case waitingOnCustomer = "waiting_on_customer"
    case escalated, resolved, closed, archived

    /// Statuses in which the ticket still needs work (and its clocks run).
    public static let open: [TicketStatus] = [.new, .assigned, .inProgress, .waitingOnCustomer, .escalated]

    public var isOpen: Bool { Self.open.contains(self) }
}

/// Why a ticket was closed: after its resolution, or merged into another ticket as a duplicate.
public enum TicketCloseReason: String, Codable, Sendable, CaseIterable {
    case resolved, merged
}

/// Who did something to a ticket.
public struct TicketActor: Sendable, Equatable {
    public enum Kind: String, Sendable { case agent, customer, system }
    public var kind: Kind
    public var id: UUID?

    public static let system = TicketActor(kind: .system, id: nil)
    public static func agent(_ id: UUID) -> TicketActor { TicketActor(kind: .agent, id: id) }
    public static let customer = TicketActor(kind: .customer, id: nil)
}

/// Compensation offered with a resolution.
public struct Compensation: Codable, Sendable, Equatable {
    public var kind: String
    public var amount: Double?
    public var currency: String?
    public var note: String?
}

/// A ticket as the API shows it.
public struct Ticket: Codable, Sendable, Equatable {
    public var id: UUID
    public var tenantId: UUID
    public var number: Int
    /// The human-readable number, e.g. `T-000123`.
    public var reference: String
    public var customerId: UUID
    public var contact: String?
    public var channel: TicketChannel
    public var subject: String?
    public var description: String
    public var attachments: [String]
    public var occurredAt: Date?
    /// The customer's expected resolution time; when they gave none, the priority's resolution
    /// target from intake (`expectedResolutionDefaulted`).
    public var expectedResolutionAt: Date?
    /// The expected time was not given by the customer but taken from the SLA policy.
    public var expectedResolutionDefaulted: Bool
    public var category: TicketCategory
    public var priority: TicketPriority
    /// The customer's segment at intake: with the priority it chooses the SLA policy
    /// (nil for tickets taken in before SLA policies existed).
    public var slaSegment: CustomerSegment?
    public var status: TicketStatus
    public var skill: String?
    public var tier: AgentTier?
    public var ownerId: UUID?
    public var firstOwnerId: UUID?
    public var departmentId: UUID?
    public var departmentDueAt: Date?
    public var tagIds: [UUID]
    public var solutionSummary: String?
    public var solutionOptions: [String]
    public var compensation: Compensation?
    public var autoReply: String?
    public var humanAvailableAt: Date?
    public var reopenCount: Int
    public var createdAt: Date
    /// When the customer was told the request was received (see `Acknowledgement`).
    public var acknowledgedAt: Date?
    public var assignedAt: Date?
    public var firstResponseAt: Date?
    public var planAt: Date?
    public var lastPublicUpdateAt: Date?
    public var resolvedAt: Date?
    public var closedAt: Date?
    public var archivedAt: Date?
    public var updatedAt: Date
    /// The acknowledgement clock: one minute after intake.
    public var acknowledgementDueAt: Date?
    public var channelResponseDueAt: Date?
    public var firstResponseDueAt: Date?
    public var planDueAt: Date?
    public var progressDueAt: Date?
    public var resolutionDueAt: Date?
    public var slaPausedAt: Date?
    public var breached: Bool
    /// Published knowledge-base articles suggested at intake for the description.
    public var suggestedArticleIds: [UUID]
    /// Information is missing (a response said so): the customer must be asked by then.
    public var infoRequestDueAt: Date? = nil
    /// When the customer was asked for the missing information.
    public var infoRequestedAt: Date? = nil
    /// The escalated department must acknowledge by then.
    public var departmentNotifyDueAt: Date? = nil
    public var departmentAckedAt: Date? = nil
    /// A department still without a hand-back at its reply deadline is blocked and must report
    /// the blocker by then.
    public var blockerReportDueAt: Date? = nil
    public var blockerReportedAt: Date? = nil
    /// When the department recorded its solution ready, and when it must hand it back.
    public var solutionReadyAt: Date? = nil
    public var solutionHandbackDueAt: Date? = nil
    /// After the hand-back the owner must contact the customer by then.
    public var customerContactDueAt: Date? = nil
    public var customerContactedAt: Date? = nil
    /// Why the ticket was closed (nil while not closed, and for tickets closed before sql/025).
    public var closeReason: TicketCloseReason? = nil
    /// The ticket this duplicate was merged into (`close_reason` `merged`).
    public var mergedInto: UUID? = nil
}

/// Input for ticket intake.
public struct NewTicket: Codable, Sendable {
    /// An existing customer …
    public var customerId: UUID?
    /// … or a new one, created (or found by `external_id`) with the ticket.
    public var customer: NewCustomer?
    public var contact: String?
    public var channel: String
    public var subject: String?
    public var description: String
    public var attachments: [String]?
    public var occurredAt: Date?
    public var expectedResolutionAt: Date?
    public var category: String
    public var tagIds: [UUID]?
    /// Given, or derived from the tenant's routing rules and the category.
    public var priority: String?

    public init(
        customerId: UUID? = nil,
        customer: NewCustomer? = nil,
        contact: String? = nil,
        channel: String,
        subject: String? = nil,
        description: String,
        attachments: [String]? = nil,
        occurredAt: Date? = nil,
        expectedResolutionAt: Date? = nil,
        category: String,
        tagIds: [UUID]? = nil,
        priority: String? = nil
    ) {
        self.customerId = customerId
        self.customer = customer
        self.contact = contact
        self.channel = channel
        self.subject = subject
        self.description = description
        self.attachments = attachments
        self.occurredAt = occurredAt
        self.expectedResolutionAt = expectedResolutionAt
        self.category = category
        self.tagIds = tagIds
        self.priority = priority
    }
}

/// A message of the conversation.
public struct TicketMessage: Codable, Sendable, Equatable {
    public var id: UUID
    public var ticketId: UUID
    public var authorKind: String
    public var authorId: UUID?
    public var visibility: String
    public var body: String
    public var createdAt: Date
}

/// One entry of the audit trail.
public struct TicketEvent: Codable, Sendable {
    public var id: UUID
    public var ticketId: UUID
    public var seq: Int
    public var actorKind: String
    public var actorId: UUID?
    public var kind: String
    public var before: JSONValue?
    public var after: JSONValue?
    public var createdAt: Date
}

/// One change of owner.
public struct TicketAssignment: Codable, Sendable, Equatable {
    public var id: UUID
    public var ticketId: UUID
    public var kind: String
    public var fromAgentId: UUID?
    public var toAgentId: UUID
    public var byAgentId: UUID?
    public var reason: String?
    public var handoverNote: String?
    public var secondsSincePrevious: Double?
    public var createdAt: Date
}

/// A missed SLA clock.
public struct SLABreach: Codable, Sendable, Equatable {
    public var clock: String
    public var dueAt: Date
    public var metAt: Date?
    public var detectedAt: Date
    public var lateSeconds: Double
}
