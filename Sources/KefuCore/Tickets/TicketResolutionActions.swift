import Foundation
import KefuPostgres

extension TicketActionService {
    /// Escalates to a department: it must reply within its deadline, and the customer is told
    /// when to expect an answer.
    public func escalate(_ principal: Principal, _ ticketID: UUID, _ input: EscalateInput) async throws -> Ticket {
        let actor = principal.agentID
        let note = try Validate.text(input.note, field: "note", maxLength: 5000)
        if let minutes = input.replyMinutes, !(1...43_200).contains(minutes) {
            throw KefuError.invalidField("reply_minutes", "must be between 1 and 43200")
        }
        return try await mutate(principal, .escalate, ticketID) { tx, ticket, context in
            let next = try TicketLifecycle.next(from: ticket.status, on: .escalate)
            let department: Department
            do {
                department = try await DepartmentService(database: database).get(tx, id: input.departmentId)
            } catch KefuError.notFound {
                throw KefuError.invalidField("department_id", "no such department")
            }
            let minutes = input.replyMinutes ?? context.settings.sla.departmentReplyMinutes
            let due = SLAPlanner.deadline(minutes: minutes, from: context.now, calendar: context.calendar)
            try await tx.execute(
                """
                UPDATE tickets SET department_id = \(department.id), department_due_at = \(due)
                WHERE tenant_id = \(tx.tenantID) AND id = \(ticket.id)
                """
            )
            _ = try await TicketStore.addMessage(
                tx,
                ticket: ticket.id,
                author: .agent(actor),
                visibility: "internal",
                body: "Escalated to \(department.name): \(note)",
                at: context.now
            )
            let expected = due.map { " We expect an answer by \(AutoReply.localTime($0, calendar: context.calendar))." } ?? ""
            _ = try await TicketStore.addMessage(
                tx,
                ticket: ticket.id,
                author: .system,
                visibility: "public",
                body: "We have passed your request to our \(department.name) team.\(expected)",
                at: context.now
            )
            try await TicketClocks.publicUpdate(tx, ticket, context: context)
            try await setStatus(tx, ticket, next, actor: .agent(actor), kind: "escalated", at: context.now)
            try await TicketStore.record(
                tx,
                ticket: ticket.id,
                actor: .agent(actor),
                kind: "department_notified",
                after: ["department_id": .string(department.id.uuidString), "due_at": .optionalDate(due)],
                at: context.now
            )
        }
    }

    /// Resolves the ticket with a solution summary (and possibly several options and a compensation).
    /// The answer carries the satisfaction survey's token, the one time it exists in plain.
    public func resolve(_ principal: Principal, _ ticketID: UUID, _ input: ResolveInput) async throws -> ResolvedTicket {
        let actor = principal.agentID
        let summary = try Validate.text(input.solutionSummary, field: "solution_summary", maxLength: 10_000)
        let options = try (input.solutionOptions ?? []).enumerated().map { index, option in
            try Validate.text(option, field: "solution_options[\(index)]", maxLength: 5000)
        }
        if let compensation = input.compensation {
            _ = try Validate.text(compensation.kind, field: "compensation.kind", maxLength: 100)
            if let amount = compensation.amount, amount < 0 || !amount.isFinite {
                throw KefuError.invalidField("compensation.amount", "must not be negative")
            }
        }
        var surveyToken: String?
        let resolved = try await mutate(principal, .resolve, ticketID) { tx, ticket, context in
            let next = try TicketLifecycle.next(from: ticket.status, on: .resolve)
            try await TicketClocks.planGiven(tx, ticket, at: context.now)
            try await TicketClocks.checkMet(tx, ticket, clock: "resolution", due: ticket.resolutionDueAt, at: context.now)
            if ticket.firstResponseAt == nil { try await TicketClocks.publicUpdate(tx, ticket, context: context) }
            try await tx.execute(
                """
                UPDATE tickets SET solution_summary = \(summary), solution_options = \(json: options),
                    compensation = \(input.compensation.map { PostgresJSON($0) }), resolved_at = \(context.now),
                    progress_due_at = NULL, sla_paused_at = NULL, last_public_update_at = \(context.now)
                WHERE tenant_id = \(tx.tenantID) AND id = \(ticket.id)
                """
            )
            _ = try await TicketStore.addMessage(tx, ticket: ticket.id, author: .agent(actor), visibility: "public", body: summary, at: context.now)
            try await setStatus(tx, ticket, next, actor: .agent(actor), kind: "resolved", at: context.now)
            surveyToken = try await AfterResolution.run(tx, ticket, context: context)
        }
        return ResolvedTicket(ticket: resolved, surveyToken: surveyToken)
    }

    /// Reopens a resolved ticket for second handling.
    public func reopen(_ principal: Principal, _ ticketID: UUID, _ input: ReopenInput) async throws -> Ticket {
        let reason = try Validate.text(input.reason, field: "reason", maxLength: 2000)
        return try await mutate(principal, .reopen, ticketID) { tx, ticket, context in
            try await reopen(tx, ticket, context: context, actor: .agent(principal.agentID), reason: reason)
        }
    }

    func reopen(_ tx: TenantTransaction, _ ticket: Ticket, context: TicketContext, actor: TicketActor, reason: String) async throws {
        let next = try TicketLifecycle.next(from: ticket.status, on: .reopen)
        let progressDue = SLAPlanner.progressDue(after: context.now, sla: context.settings.sla, calendar: context.calendar)
        try await tx.execute(
            """
            UPDATE tickets SET resolved_at = NULL, reopen_count = reopen_count + 1, progress_due_at = \(progressDue)
            WHERE tenant_id = \(tx.tenantID) AND id = \(ticket.id)
            """
        )
        _ = try await TicketStore.addMessage(
            tx,
            ticket: ticket.id,
            author: actor,
            visibility: "internal",
            body: "Reopened: \(reason)",
            at: context.now
        )
        try await setStatus(tx, ticket, next, actor: actor, kind: "reopened", at: context.now)
    }

    /// Closes a resolved ticket.
    public func close(_ principal: Principal, _ ticketID: UUID) async throws -> Ticket {
        let actor = principal.agentID
        return try await mutate(principal, .close, ticketID) { tx, ticket, context in
            let next = try TicketLifecycle.next(from: ticket.status, on: .close)
            try await tx.execute("UPDATE tickets SET closed_at = \(context.now) WHERE tenant_id = \(tx.tenantID) AND id = \(ticket.id)")
            try await setStatus(tx, ticket, next, actor: .agent(actor), kind: "closed", at: context.now)
        }
    }
}

/// A resolved ticket and the token of the customer's satisfaction survey (`POST /v1/surveys/{token}`):
/// shown here once, since only its hash is stored.
public struct ResolvedTicket: Sendable {
    public var ticket: Ticket
    public var surveyToken: String?
}
