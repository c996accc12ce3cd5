import Foundation
import KefuPostgres

/// What a record's missed deadline does, inside its tenant's transaction: the record is locked
/// and read again; if the deadline is still unmet, the breach is recorded on it (`overdue_at`)
/// and the supervisors are reminded (`kefu_alert_recipients`). A record met meanwhile, or gone,
/// finishes its timer without acting.
enum RecordTimerActions {
    static func perform(_ tx: TenantTransaction, _ timer: TimerSweeper.DueRecordTimer, now: Date) async throws {
        switch timer.kind {
        case .problemReport: try await problemReportOverdue(tx, id: timer.recordID, now: now)
        case .incidentReview: try await incidentReviewOverdue(tx, incidentID: timer.recordID, now: now)
        }
    }

    private static func problemReportOverdue(_ tx: TenantTransaction, id: UUID, now: Date) async throws {
        guard
            let row = try await tx.queryFirst(
                """
                UPDATE problem_reports p SET overdue_at = \(now), updated_at = \(now)
                FROM tags g
                WHERE p.tenant_id = \(tx.tenantID) AND p.id = \(id) AND p.status = 'open' AND p.overdue_at IS NULL
                  AND g.tenant_id = p.tenant_id AND g.id = p.tag_id
                RETURNING g.name, p.occurrences
                """
            )
        else { return }
        let tag = try row.decode(String.self, "name")
        let occurrences = try row.decode(Int?.self, "occurrences") ?? 0
        try await NotificationStore.notify(
            tx,
            try await NotificationStore.supervisors(tx),
            kind: "problem_report_overdue",
            ticket: nil,
            message: "The problem feedback form for \(tag) (\(occurrences) tickets in 7 days) was due within 24 h and is not "
                + "submitted: problem report \(id.uuidString.lowercased())",
            at: now
        )
    }

    private static func incidentReviewOverdue(_ tx: TenantTransaction, incidentID: UUID, now: Date) async throws {
        guard
            try await tx.execute(
                """
                UPDATE incident_reviews SET overdue_at = \(now)
                WHERE tenant_id = \(tx.tenantID) AND incident_id = \(incidentID) AND submitted_at IS NULL AND overdue_at IS NULL
                """
            ) > 0
        else { return }
        try await NotificationStore.notify(
            tx,
            try await NotificationStore.supervisors(tx),
            kind: "incident_review_overdue",
            ticket: nil,
            message: "The post-incident review of incident \(incidentID.uuidString.lowercased()) was due within 48 h of the "
                + "incident's end and is not submitted",
            at: now
        )
    }
}
