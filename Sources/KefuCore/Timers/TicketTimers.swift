import Foundation
import KefuPostgres

/// The kinds of ticket timers the worker acts on.
public enum TimerKind {
    public static let slaClocks = SLAClockRule.all.map(\.clock)
    public static func sla(_ clock: String) -> String { "sla:" + clock }
    public static let archive = "archive"
    public static let surveyExpiry = "survey_expiry"
    public static let followup = "followup"
    /// A task force's deadline (`TicketTeamService`).
    public static let teamDeadline = "team_deadline"
}

/// Keeps a ticket's timers in step with its clocks: armed at the current due instant while the
/// clock runs, disarmed when it is met, paused or no longer applies. Runs at the end of every
/// ticket transaction, so timers change atomically with the ticket.
enum TicketTimers {
    /// A clock's current due instant and whether it is still running (`SLAClockRule`).
    static func clock(_ name: String, of ticket: Ticket) -> (due: Date?, running: Bool) {
        SLAClockRule.named(name)?.state(of: ticket) ?? (nil, false)
    }

    /// When a resolved ticket is archived: one working day after resolution.
    static func archiveDue(_ ticket: Ticket, calendar: BusinessCalendar) -> Date? {
        guard ticket.status == .resolved || ticket.status == .closed, let resolved = ticket.resolvedAt else { return nil }
        return calendar.addingWorkingDays(1, to: resolved) ?? resolved.addingTimeInterval(86_400)
    }

    /// The SLA clocks that have a due instant, as timer kinds, and whether each still runs.
    private static func slaTimers(of ticket: Ticket) -> [TimerState] {
        TimerKind.slaClocks.compactMap { name in
            let state = clock(name, of: ticket)
            return state.due.map { TimerState(kind: TimerKind.sla(name), due: $0, running: state.running) }
        }
    }

    /// The timers `ticket` asks for: one per SLA clock with a due instant, and the archive timer
    /// (running once the ticket is resolved or closed; `now` stands in for its absent due).
    static func states(of ticket: Ticket, calendar: BusinessCalendar, now: Date) -> [TimerState] {
        let archive = archiveDue(ticket, calendar: calendar)
        return slaTimers(of: ticket) + [TimerState(kind: TimerKind.archive, due: archive ?? now, running: archive != nil)]
    }

    /// The statement that brings an existing ticket's timers in step with `timers`, for a pipeline.
    static func syncQuery(_ tx: TenantTransaction, ticket: UUID, _ timers: [TimerState], now: Date) -> PostgresQuery {
        // New dues arm a timer; an unchanged due keeps its state (a fired timer stays done);
        // a clock that stopped disarms it.
        """
        INSERT INTO ticket_timers (tenant_id, ticket_id, kind, due_at, done_at)
        SELECT \(tx.tenantID), \(ticket), k.kind, k.due, CASE WHEN k.running THEN NULL ELSE \(now) END
        FROM unnest(\(timers.map(\.kind))::text[], \(timers.map(\.due))::timestamptz[], \(timers.map(\.running))::bool[])
            AS k(kind, due, running)
        WHERE k.running OR EXISTS (
            SELECT 1 FROM ticket_timers t WHERE t.tenant_id = \(tx.tenantID) AND t.ticket_id = \(ticket) AND t.kind = k.kind)
        ON CONFLICT (tenant_id, ticket_id, kind) DO UPDATE
            SET due_at = EXCLUDED.due_at, done_at = EXCLUDED.done_at, claimed_until = NULL, failures = 0, failed_at = NULL
            WHERE ticket_timers.due_at IS DISTINCT FROM EXCLUDED.due_at
               OR (EXCLUDED.done_at IS NOT NULL AND ticket_timers.done_at IS NULL)
        """
    }

    /// The timers of a ticket being created, which has none yet: the running ones of `timers` —
    /// what `syncQuery` arms for it, without its look-ups of existing timers (which PostgreSQL
    /// re-planned on every call).
    static func armNewQuery(_ tx: TenantTransaction, ticket: UUID, _ timers: [TimerState]) -> PostgresQuery {
        let armed = timers.filter(\.running)
        return """
            INSERT INTO ticket_timers (tenant_id, ticket_id, kind, due_at)
            SELECT \(tx.tenantID), \(ticket), k.kind, k.due
            FROM unnest(\(armed.map(\.kind))::text[], \(armed.map(\.due))::timestamptz[]) AS k(kind, due)
            """
    }

    /// Arms a one-off timer (survey expiry, follow-up) at `due`.
    static func arm(_ tx: TenantTransaction, ticket: UUID, kind: String, due: Date) async throws {
        try await tx.execute(armQuery(tx, ticket: ticket, kind: kind, due: due))
    }

    /// The statement `arm` runs, for a pipeline.
    static func armQuery(_ tx: TenantTransaction, ticket: UUID, kind: String, due: Date) -> PostgresQuery {
        """
        INSERT INTO ticket_timers (tenant_id, ticket_id, kind, due_at) VALUES (\(tx.tenantID), \(ticket), \(kind), \(due))
        ON CONFLICT (tenant_id, ticket_id, kind) DO UPDATE
            SET due_at = EXCLUDED.due_at, done_at = NULL, claimed_until = NULL, failures = 0, failed_at = NULL
        """
    }
}

/// A timer as a ticket's clocks ask for it: due at `due`, armed while `running`, finished otherwise.
struct TimerState: Sendable, Equatable {
    var kind: String
    var due: Date
    var running: Bool
}
