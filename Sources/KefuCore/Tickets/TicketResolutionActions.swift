import Foundation
import KefuPostgres

extension TicketActionService {
    /// Escalates to a department: it must reply within its deadline, and the customer is told
    /// when to expect an answer.
    public func escalate(_ principal: Principal, _ ticketID: UUID, _ input: EscalateInput) async throws -> Ticket {
        let note = try Validate.text(input.note, field: "note", maxLength: 5000)
        if let minutes = input.replyMinutes, !(1...43_200).contains(minutes) {
            throw KefuError.invalidField("reply_minutes", "must be between 1 and 43200")
        }
        return try await mutate(principal, .escalate, ticketID, .escalate) { tx, _, _ in
            let department: Department
            do {
                department = try await DepartmentService(database: database).get(tx, id: input.departmentId)
            } catch KefuError.notFound {
                throw KefuError.invalidField("department_id", "no such department")
            }
            let members = try await DepartmentService.activeMembers(tx, department: department.id)
            return .escalate(
                to: DepartmentRef(id: department.id, name: department.name, members: members),
                note: note,
                replyMinutes: input.replyMinutes
            )
        }.ticket
    }

    /// Resolves the ticket with a solution summary (and possibly several options and a compensation).
    /// The answer carries the satisfaction survey's token, the one time it exists in plain.
    public func resolve(_ principal: Principal, _ ticketID: UUID, _ input: ResolveInput) async throws -> ResolvedTicket {
        let summary = try Validate.text(input.solutionSummary, field: "solution_summary", maxLength: 10_000)
        let options = try (input.solutionOptions ?? []).enumerated().map { index, option in
            try Validate.text(option, field: "solution_options[\(index)]", maxLength: 5000)
        }
        try Self.validate(input.compensation)
        var surveyToken: String?
        // What follows a resolution (survey, follow-up, problem reports) reads what it wrote:
        // it runs after the change, before COMMIT.
        let resolved = try await database.transaction(principal.tenantID) { tx in
            var context: TicketContext?
            let change = try await mutate(
                tx,
                ticketID,
                .resolve,
                by: .agent(principal.agentID),
                authorize: { try principal.authorize(.resolve, on: $0.ownerId, standing: $1) },
                commit: false
            ) { _, _, loaded in
                context = loaded
                return .resolve(summary: summary, options: options, compensation: input.compensation)
            }
            let token = try await AfterResolution.run(tx, change.ticket, context: try require(context))
            try await SurveyStore.sealForInvitation(tx, token: token, ticket: change.ticket.id, secrets: secrets)
            surveyToken = token
            return change.ticket
        }
        return ResolvedTicket(ticket: resolved, surveyToken: surveyToken)
    }

    /// A compensation's kind (1–100 characters), amount (0–1,000,000,000), currency (an ISO 4217
    /// code) and note (1–1,000 characters).
    static func validate(_ compensation: Compensation?) throws {
        guard let compensation else { return }
        _ = try Validate.text(compensation.kind, field: "compensation.kind", maxLength: 100)
        if let amount = compensation.amount, !(0...1_000_000_000).contains(amount) {
            throw KefuError.invalidField("compensation.amount", "must be between 0 and 1,000,000,000")
        }
        if let currency = compensation.currency, currency.range(of: "^[A-Z]{3}$", options: .regularExpression) == nil {
            throw KefuError.invalidField("compensation.currency", "must be an ISO 4217 code such as CNY")
        }
        if let note = compensation.note { _ = try Validate.text(note, field: "compensation.note", maxLength: 1000) }
    }

    /// Reopens a resolved ticket for second handling.
    public func reopen(_ principal: Principal, _ ticketID: UUID, _ input: ReopenInput) async throws -> Ticket {
        let reason = try Validate.text(input.reason, field: "reason", maxLength: 2000)
        return try await mutate(principal, .reopen, ticketID, .reopen) { _, _, _ in .reopen(reason: reason) }.ticket
    }

    /// Closes a resolved ticket.
    public func close(_ principal: Principal, _ ticketID: UUID) async throws -> Ticket {
        try await mutate(principal, .close, ticketID, .close) { _, _, _ in .close }.ticket
    }
}

/// A resolved ticket and the token of the customer's satisfaction survey (`POST /v1/surveys/{token}`):
/// shown here once, since only its hash is stored.
public struct ResolvedTicket: Sendable {
    public var ticket: Ticket
    public var surveyToken: String?
}
