import Foundation
import KefuPostgres

/// What each timer does when it comes due. The ticket is re-read: a timer whose clock moved
/// (resumed after a pause, met meanwhile) re-arms or finishes without acting.
struct TimerActions {
    let actions: TicketActionService

    enum Result {
        case done
        case rescheduled(Date)
    }

    func perform(_ tx: TenantTransaction, _ timer: TimerSweeper.DueTimer, due: Date, now: Date) async throws -> Result {
        let ticket: Ticket
        do {
            ticket = try await TicketStore.fetch(tx, id: timer.ticketID, forUpdate: true)
        } catch KefuError.notFound {
            return .done
        }
        if timer.kind.hasPrefix("sla:") {
            return try await slaClock(tx, ticket, clock: String(timer.kind.dropFirst(4)), now: now)
        }
        switch timer.kind {
        case TimerKind.surveyExpiry: return try await expireSurvey(tx, ticket, now: now)
        case TimerKind.followup: return try await followupOverdue(tx, ticket, now: now)
        case TimerKind.archive: return try await archive(tx, ticket, now: now)
        default: return .done
        }
    }

    /// A missed clock: recorded as a breach, escalated to the on-duty supervisor, and for the
    /// progress clock a reminder to the owner.
    private func slaClock(_ tx: TenantTransaction, _ ticket: Ticket, clock: String, now: Date) async throws -> Result {
        let state = TicketTimers.clock(clock, of: ticket)
        guard state.running, let due = state.due else { return .done }
        if due > now { return .rescheduled(due) }
        try await TicketStore.recordBreach(tx, ticket: ticket.id, clock: clock, dueAt: due, metAt: nil, at: now)
        let supervisors = try await NotificationStore.supervisors(tx)
        let label = clock.replacingOccurrences(of: "_", with: " ")
        try await NotificationStore.notify(tx, supervisors, kind: "sla_breach", ticket: ticket.id,
                                           message: "\(ticket.reference) (\(ticket.priority.rawValue)) missed its \(label) target", at: now)
        if clock == "progress", let owner = ticket.ownerId {
            try await NotificationStore.notify(tx, [owner], kind: "progress_reminder", ticket: ticket.id,
                                               message: "\(ticket.reference): the customer is due a progress update", at: now)
        }
        if clock == "department", let owner = ticket.ownerId {
            try await NotificationStore.notify(tx, [owner], kind: "department_overdue", ticket: ticket.id,
                                               message: "\(ticket.reference): the department has not answered in time", at: now)
        }
        try await TicketStore.record(tx, ticket: ticket.id, actor: .system, kind: "sla_escalated",
                                     after: ["clock": .string(clock), "due_at": .date(due), "supervisors": .number(Double(supervisors.count))], at: now)
        return .done
    }

    private func expireSurvey(_ tx: TenantTransaction, _ ticket: Ticket, now: Date) async throws -> Result {
        let expired = try await tx.execute("""
            UPDATE surveys SET expired_at = \(now)
            WHERE tenant_id = \(tx.tenantID) AND ticket_id = \(ticket.id) AND answered_at IS NULL AND expired_at IS NULL
              AND expires_at <= \(now)
            """)
        if expired > 0 {
            try await TicketStore.record(tx, ticket: ticket.id, actor: .system, kind: "survey_expired", at: now)
        }
        return .done
    }

    private func followupOverdue(_ tx: TenantTransaction, _ ticket: Ticket, now: Date) async throws -> Result {
        let overdue = try await tx.query("""
            SELECT id, assignee_id FROM followups
            WHERE tenant_id = \(tx.tenantID) AND ticket_id = \(ticket.id) AND completed_at IS NULL AND due_at <= \(now)
            """)
        guard !overdue.isEmpty else { return .done }
        var recipients = try await NotificationStore.supervisors(tx)
        recipients += try overdue.compactMap { try $0.decode(UUID?.self, "assignee_id") }
        try await NotificationStore.notify(tx, Array(Set(recipients)), kind: "followup_overdue", ticket: ticket.id,
                                           message: "The QA follow-up call for \(ticket.reference) is overdue", at: now)
        try await TicketStore.record(tx, ticket: ticket.id, actor: .system, kind: "followup_overdue", at: now)
        return .done
    }

    /// Archives a resolved ticket once its record is complete (the survey answered or expired).
    private func archive(_ tx: TenantTransaction, _ ticket: Ticket, now: Date) async throws -> Result {
        guard ticket.status == .resolved || ticket.status == .closed else { return .done }
        if let survey = try await SurveyStore.latest(tx, ticket: ticket.id), survey.answeredAt == nil, survey.expiredAt == nil {
            // Wait for the survey's answer or expiry; the expiry timer comes first.
            return .rescheduled(max(survey.expiresAt, now).addingTimeInterval(1))
        }
        guard ticket.solutionSummary != nil else { return .done }
        try await TicketStore.record(tx, ticket: ticket.id, actor: .system, kind: "archived",
                                     before: ["status": .string(ticket.status.rawValue)], after: ["status": .string(TicketStatus.archived.rawValue)],
                                     at: now)
        try await tx.execute("""
            UPDATE tickets SET status = 'archived', archived_at = \(now), updated_at = \(now)
            WHERE tenant_id = \(tx.tenantID) AND id = \(ticket.id)
            """)
        return .done
    }
}
