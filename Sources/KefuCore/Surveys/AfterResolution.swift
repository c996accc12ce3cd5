import Foundation
import KefuPostgres

/// What follows a resolution, in the same transaction: the satisfaction survey, a QA follow-up
/// for complaints and high-value customers, and a problem report when the same problem recurs.
enum AfterResolution {
    /// Resolved tickets of one leaf tag within 7 days that make a problem recurring.
    static let recurringThreshold = 5

    /// Returns the survey's token: the only time it exists in plain (only its hash is stored).
    static func run(_ tx: TenantTransaction, _ ticket: Ticket, context: TicketContext) async throws -> String {
        let token = try await SurveyStore.invite(tx, ticket: ticket.id, settings: context.settings, at: context.now)
        try await scheduleFollowup(tx, ticket, at: context.now)
        try await reportRecurringProblems(tx, ticket, at: context.now)
        return token
    }

    private static func scheduleFollowup(_ tx: TenantTransaction, _ ticket: Ticket, at now: Date) async throws {
        let highValue =
            try await tx.queryScalar(
                Bool.self,
                """
                SELECT high_value FROM customers WHERE tenant_id = \(tx.tenantID) AND id = \(ticket.customerId)
                """
            ) ?? false
        guard ticket.category == .complaint || highValue else { return }
        let due = now.addingTimeInterval(24 * 3600)
        let assignee = try await tx.queryScalar(
            UUID.self,
            """
            SELECT a.id FROM agents a WHERE a.tenant_id = \(tx.tenantID) AND a.active AND a.role = 'qa'
            ORDER BY (SELECT count(*) FROM followups f WHERE f.tenant_id = a.tenant_id AND f.assignee_id = a.id AND f.completed_at IS NULL),
                     a.created_at
            LIMIT 1
            """
        )
        try await tx.execute(
            """
            INSERT INTO followups (tenant_id, ticket_id, assignee_id, due_at, created_at)
            VALUES (\(tx.tenantID), \(ticket.id), \(assignee), \(due), \(now))
            """
        )
        try await TicketTimers.arm(tx, ticket: ticket.id, kind: TimerKind.followup, due: due)
        if let assignee {
            try await NotificationStore.notify(
                tx,
                [assignee],
                kind: "followup",
                ticket: ticket.id,
                message: "Follow-up call for \(ticket.reference) due within 24 h: is it solved? are they satisfied?",
                at: now
            )
        }
        try await TicketStore.record(
            tx,
            ticket: ticket.id,
            actor: .system,
            kind: "followup_scheduled",
            after: ["due_at": .date(due), "assignee_id": assignee.map { .string($0.uuidString) } ?? .null],
            at: now
        )
    }

    /// The same leaf tag resolved `recurringThreshold` times in 7 days files one problem report
    /// per tag and week (`ProblemReportStore.fileRecurring`, with its 24 h deadline), and the
    /// supervisors are asked for the form.
    private static func reportRecurringProblems(_ tx: TenantTransaction, _ ticket: Ticket, at now: Date) async throws {
        let reports = try await ProblemReportStore.fileRecurring(tx, tags: ticket.tagIds, threshold: recurringThreshold, at: now)
        guard !reports.isEmpty else { return }
        let supervisors = try await NotificationStore.supervisors(tx)
        for report in reports {
            try await NotificationStore.notify(
                tx,
                supervisors,
                kind: "problem_report",
                ticket: ticket.id,
                message: "Recurring problem: \(report.occurrences) tickets tagged \(report.tag) resolved in 7 days; "
                    + "file the problem feedback form within 24 h",
                at: now
            )
        }
    }
}
