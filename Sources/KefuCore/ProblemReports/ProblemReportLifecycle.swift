import Foundation

/// The problem report's steps, as data: `open → submitted → accepted → done`, one step at a
/// time; any other change of status is a conflict (409). Who may take each step is a
/// `KefuAction` (see `Authorization.swift`): submitting is filing the form, accepting and
/// marking done is settling it.
public enum ProblemReportLifecycle {
    /// The status each status may move to.
    static let steps: [ProblemReportStatus: ProblemReportStatus] = [.open: .submitted, .submitted: .accepted, .accepted: .done]

    /// Checks the move from `status` to `target`; a move to the same status is no move.
    public static func check(from status: ProblemReportStatus, to target: ProblemReportStatus) throws {
        guard status != target, steps[status] != target else { return }
        throw KefuError.conflict("a problem report cannot go from \(status.rawValue) to \(target.rawValue)")
    }

    /// The action a caller needs to move a report to `target`.
    public static func authority(to target: ProblemReportStatus) -> KefuAction {
        switch target {
        case .open, .submitted: .fileProblemReport
        case .accepted, .done: .settleProblemReport
        }
    }

    /// The first field a submitted form must have and lacks, nil when complete: the problem,
    /// the suggested fix and the responsible department.
    public static func missingForSubmission(problem: String?, suggestedFix: String?, departmentId: UUID?) -> String? {
        if problem == nil { return "problem" }
        if suggestedFix == nil { return "suggested_fix" }
        if departmentId == nil { return "department_id" }
        return nil
    }
}

/// A `ProblemReportUpdate` with every value checked (no database needed).
struct ValidatedProblemReportUpdate: Sendable, Equatable {
    static let maximumTextLength = 10_000
    static let occurrences = 1...1_000_000
    static let affectedCustomers = 0...100_000_000
    static let maximumTickets = 200

    var problem: String?
    var occurrences: Int?
    var ticketIds: [UUID]?
    var affectedCustomers: Int?
    var suggestedFix: String?
    var departmentId: Clearable<UUID>?
    var status: ProblemReportStatus?
    var editsForm: Bool

    init(_ input: ProblemReportUpdate) throws {
        problem = try input.problem.map { try Validate.text($0, field: "problem", maxLength: Self.maximumTextLength) }
        suggestedFix = try input.suggestedFix.map { try Validate.text($0, field: "suggested_fix", maxLength: Self.maximumTextLength) }
        if let value = input.occurrences, !Self.occurrences.contains(value) {
            throw KefuError.invalidField("occurrences", "must be between \(Self.occurrences.lowerBound) and \(Self.occurrences.upperBound)")
        }
        occurrences = input.occurrences
        if let value = input.affectedCustomers, !Self.affectedCustomers.contains(value) {
            throw KefuError.invalidField(
                "affected_customers",
                "must be between \(Self.affectedCustomers.lowerBound) and \(Self.affectedCustomers.upperBound)"
            )
        }
        affectedCustomers = input.affectedCustomers
        if let ids = input.ticketIds {
            guard ids.count <= Self.maximumTickets else {
                throw KefuError.invalidField("ticket_ids", "must have at most \(Self.maximumTickets) tickets")
            }
            var unique: [UUID] = []
            for id in ids where !unique.contains(id) { unique.append(id) }
            ticketIds = unique
        }
        departmentId = input.departmentId
        status = try input.status.map { try Validate.choice($0, ProblemReportStatus.self, field: "status") }
        editsForm = input.editsForm
    }
}
