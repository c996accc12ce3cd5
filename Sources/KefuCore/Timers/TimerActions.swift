import Foundation
import KefuPostgres

/// What a survey-expiry, follow-up or archive timer does when it comes due, inside its tenant's
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
