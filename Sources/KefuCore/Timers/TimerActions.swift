import Foundation
import KefuPostgres

/// What a survey-expiry, follow-up, task-force deadline or archive timer does when it comes due, inside its tenant's
/// transaction. The ticket is re-read: a timer whose reason went away finishes without acting.
/// SLA clocks are acted on a whole batch at a time (`SLAClockBatch`).
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
        switch timer.kind {
        case TimerKind.surveyExpiry: return try await expireSurvey(tx, ticket, now: now)
        case TimerKind.followup: return try await followupOverdue(tx, ticket, now: now)
        case TimerKind.archive: return try await archive(tx, ticket, now: now)
        case TimerKind.teamDeadline: return try await teamDeadline(tx, ticket, now: now)
        default: return .done
        }
    }

    private func expireSurvey(_ tx: TenantTransaction, _ ticket: Ticket, now: Date) async throws -> Result {
        let expired = try await tx.execute(
            """
            UPDATE surveys SET expired_at = \(now)
            WHERE tenant_id = \(tx.tenantID) AND ticket_id = \(ticket.id) AND answered_at IS NULL AND expired_at IS NULL
              AND expires_at <= \(now)
            """
        )
        if expired > 0 {
            try await TicketStore.record(tx, ticket: ticket.id, actor: .system, kind: "survey_expired", at: now)
        }
        return .done
    }

    private func followupOverdue(_ tx: TenantTransaction, _ ticket: Ticket, now: Date) async throws -> Result {
        let overdue = try await tx.query(
            """
            SELECT id, assignee_id FROM followups
            WHERE tenant_id = \(tx.tenantID) AND ticket_id = \(ticket.id) AND completed_at IS NULL AND due_at <= \(now)
            """
        )
        guard !overdue.isEmpty else { return .done }
        var recipients = try await NotificationStore.supervisors(tx)
        recipients += try overdue.compactMap { try $0.decode(UUID?.self, "assignee_id") }
        try await NotificationStore.notify(
            tx,
            Array(Set(recipients)),
            kind: "followup_overdue",
            ticket: ticket.id,
            message: "The QA follow-up call for \(ticket.reference) is overdue",
            at: now
        )
        try await TicketStore.record(tx, ticket: ticket.id, actor: .system, kind: "followup_overdue", at: now)
        return .done
    }

    /// A task force whose deadline passed while its ticket is still open: the lead and the
    /// supervisors are reminded. A disbanded team, a later deadline or a finished ticket: nothing.
    private func teamDeadline(_ tx: TenantTransaction, _ ticket: Ticket, now: Date) async throws -> Result {
        guard ticket.status.isOpen, let team = try await TicketTeamService.current(tx, ticket: ticket.id) else { return .done }
        guard team.deadline <= now else { return .rescheduled(team.deadline) }
        let recipients = Set(try await NotificationStore.supervisors(tx) + [team.leadId])
        try await NotificationStore.notify(
            tx,
            recipients.sorted { $0.uuidString < $1.uuidString },
            kind: "team_deadline_passed",
            ticket: ticket.id,
            message: "The task force's deadline for \(ticket.reference) has passed and the ticket is still open",
            at: now
        )
        try await TicketStore.record(
            tx,
            ticket: ticket.id,
            actor: .system,
            kind: "team_deadline_passed",
            after: ["team_id": .string(team.id.uuidString)],
            at: now
        )
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
        _ = try await actions.mutate(tx, ticket.id, .archive, by: .system, commit: false) { _, _, _ in .archive }
        return .done
    }
}
