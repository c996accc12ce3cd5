import Foundation

/// A ticket's plan (SPEC §3, issue 14 §3): the measures given to the customer, who executes them,
/// by when, and the compensation if any. A P1/P2 or complex plan needs a supervisor's approval;
/// every plan needs the customer's confirmation before it is executed:
/// `proposed → (approved | rejected) → confirmed → executed`, or `proposed → confirmed → executed`
/// when no approval is needed. A newer plan supersedes one that is still in progress.
public struct TicketPlan: Codable, Sendable, Equatable {
    public enum Status: String, Codable, Sendable {
        case proposed, approved, rejected, confirmed, executed, superseded

        /// The statuses of a plan still in progress (at most one per ticket).
        static let inProgress: [Status] = [.proposed, .approved, .confirmed]
    }

    public var id: UUID
    public var tenantId: UUID
    public var ticketId: UUID
    public var measures: String
    public var executorId: UUID
    public var completeBy: Date?
    public var compensation: Compensation?
    public var complex: Bool
    /// P1/P2 tickets and complex plans: a supervisor approves or rejects before anything else.
    public var requiresApproval: Bool
    public var status: Status
    public var proposedBy: UUID?
    public var createdAt: Date
    public var decidedBy: UUID?
    public var decidedAt: Date?
    public var rejectionReason: String?
    /// Who recorded the customer's confirmation (from the channel), when, and how.
    public var confirmedBy: UUID?
    public var confirmedAt: Date?
    public var confirmation: String?
    public var executedBy: UUID?
    public var executedAt: Date?
    public var updatedAt: Date

    /// Applies `step` by `actor` at `now`, or throws the conflict that makes it out of order.
    mutating func apply(_ step: PlanStep, by actor: UUID?, at now: Date) throws {
        switch step {
        case .approve, .reject:
            guard requiresApproval else { throw KefuError.conflict("this plan needs no approval (P3/P4 and not complex)") }
            guard status == .proposed else { throw KefuError.conflict("the plan was already \(status.rawValue)") }
            decidedBy = actor
            decidedAt = now
            if case .reject(let reason) = step {
                status = .rejected
                rejectionReason = reason
            } else {
                status = .approved
            }
        case .confirm(let note):
            guard status == (requiresApproval ? .approved : .proposed) else { throw conflict(confirming: true) }
            status = .confirmed
            confirmedBy = actor
            confirmedAt = now
            confirmation = note
        case .execute:
            guard status == .confirmed else { throw conflict(confirming: false) }
            status = .executed
            executedBy = actor
            executedAt = now
        }
        updatedAt = now
    }

    private func conflict(confirming: Bool) -> KefuError {
        if status == .proposed && requiresApproval { return .conflict("the plan awaits a supervisor's approval") }
        if status == .proposed || status == .approved { return .conflict("the customer has not confirmed the plan") }
        return .conflict("the plan was already \(status.rawValue)")
    }
}

/// A step of a plan after its proposal.
enum PlanStep: Sendable, Equatable {
    case approve
    case reject(reason: String)
    /// The customer's confirmation, recorded from the channel with a note of how it came.
    case confirm(note: String?)
    case execute

    /// The row of the transition table the step follows.
    var kind: TicketLifecycle.Action {
        switch self {
        case .approve: .approvePlan
        case .reject: .rejectPlan
        case .confirm: .confirmPlan
        case .execute: .executePlan
        }
    }

    /// The event the step records, e.g. `plan_approved`.
    var event: String {
        switch self {
        case .approve: "plan_approved"
        case .reject: "plan_rejected"
        case .confirm: "plan_confirmed"
        case .execute: "plan_executed"
        }
    }
}

/// What `POST /v1/tickets/{id}/plan` states besides its measures, validated; the executor is an
/// active agent (default: the ticket's owner, else the caller).
struct PlanProposal: Sendable, Equatable {
    var id = UUID()
    var executor: UUID
    var completeBy: Date?
    var compensation: Compensation?
    var complex: Bool
    /// The plan in progress this one supersedes.
    var superseding: UUID?
    /// Told when the plan needs their approval.
    var supervisors: [UUID] = []
}
