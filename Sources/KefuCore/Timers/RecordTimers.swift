import Foundation
import KefuPostgres

/// The records other than tickets that have a deadline the worker watches (`record_timers`,
/// sql/025): a problem report's submission (24 h after filing) and a post-incident review's
/// (48 h after the incident ended).
public enum RecordTimerKind: String, Sendable, CaseIterable {
    case problemReport = "problem_report"
    case incidentReview = "incident_review"
}

/// Arming and finishing record timers, inside the transaction that creates the record or meets
/// its deadline (so the timer changes atomically with the record).
enum RecordTimers {
    /// Arms the deadline of a new record (an existing timer is left as it is).
    static func armQuery(_ tx: TenantTransaction, _ kind: RecordTimerKind, record: UUID, due: Date) -> PostgresQuery {
        """
        INSERT INTO record_timers (tenant_id, kind, record_id, due_at) VALUES (\(tx.tenantID), \(kind.rawValue), \(record), \(due))
        ON CONFLICT DO NOTHING
        """
    }

    /// The deadline was met: the timer finishes without acting.
    static func finishQuery(_ tx: TenantTransaction, _ kind: RecordTimerKind, record: UUID, at now: Date) -> PostgresQuery {
        """
        UPDATE record_timers SET done_at = \(now), claimed_until = NULL
        WHERE tenant_id = \(tx.tenantID) AND kind = \(kind.rawValue) AND record_id = \(record) AND done_at IS NULL
        """
    }
}
