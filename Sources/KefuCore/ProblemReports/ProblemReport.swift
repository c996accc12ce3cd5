import Foundation

/// Where a problem feedback form is: filed `open` by Kefu, `submitted` by the helpdesk (due
/// within 24 h of filing), `accepted` by the responsible side, `done` once the fix is in.
public enum ProblemReportStatus: String, Codable, Sendable, CaseIterable {
    case open, submitted, accepted, done
}

/// The problem feedback form of the third handling stage (root cause): filed when the same leaf
/// tag is resolved `AfterResolution.recurringThreshold` times within 7 days, one per tag and week.
public struct ProblemReport: Codable, Sendable, Equatable {
    public var id: UUID
    public var tenantId: UUID
    /// The recurring leaf tag, and its name.
    public var tagId: UUID
    public var tagName: String
    /// The ISO week (its Monday, UTC) the report belongs to.
    public var weekStart: String
    public var status: ProblemReportStatus
    /// What the problem is (prefilled from the tag).
    public var problem: String?
    /// How often it occurred (prefilled: tickets resolved with the tag in the 7 days).
    public var occurrences: Int?
    /// The tickets it occurred in (prefilled: those tickets, at most 200).
    public var ticketIds: [UUID]
    /// How many customers it affected (prefilled: distinct customers of those tickets).
    public var affectedCustomers: Int?
    public var suggestedFix: String?
    /// The department responsible for the fix.
    public var departmentId: UUID?
    /// Submission deadline: 24 h after filing.
    public var dueAt: Date
    /// When the worker found the deadline missed (the breach record); nil while on time.
    public var overdueAt: Date?
    public var submittedAt: Date?
    public var submittedBy: UUID?
    public var acceptedAt: Date?
    public var acceptedBy: UUID?
    public var doneAt: Date?
    public var doneBy: UUID?
    public var createdAt: Date
    public var updatedAt: Date
}

/// An edit of a problem report (`PATCH /v1/problem-reports/{id}`): the form's fields, while the
/// report is open, and/or a `status` transition. `department_id: null` clears the department.
public struct ProblemReportUpdate: Codable, Sendable, PartialUpdate {
    public var problem: String?
    public var occurrences: Int?
    public var ticketIds: [UUID]?
    public var affectedCustomers: Int?
    public var suggestedFix: String?
    public var departmentId: Clearable<UUID>?
    public var status: String?

    public init(
        problem: String? = nil,
        occurrences: Int? = nil,
        ticketIds: [UUID]? = nil,
        affectedCustomers: Int? = nil,
        suggestedFix: String? = nil,
        departmentId: Clearable<UUID>? = nil,
        status: String? = nil
    ) {
        self.problem = problem
        self.occurrences = occurrences
        self.ticketIds = ticketIds
        self.affectedCustomers = affectedCustomers
        self.suggestedFix = suggestedFix
        self.departmentId = departmentId
        self.status = status
    }

    /// Whether any field of the form is given (not only a status).
    var editsForm: Bool {
        problem != nil || occurrences != nil || ticketIds != nil || affectedCustomers != nil || suggestedFix != nil
            || departmentId != nil
    }
}

/// The filters of `GET /v1/problem-reports`; every one optional.
public struct ProblemReportFilter: Sendable, Equatable {
    /// Any of these statuses (empty: all).
    public var statuses: [ProblemReportStatus]
    /// Only reports whose deadline was missed (true) or not (false).
    public var overdue: Bool?
    public var tagId: UUID?
    public var departmentId: UUID?

    public init(statuses: [ProblemReportStatus] = [], overdue: Bool? = nil, tagId: UUID? = nil, departmentId: UUID? = nil) {
        self.statuses = statuses
        self.overdue = overdue
        self.tagId = tagId
        self.departmentId = departmentId
    }
}
