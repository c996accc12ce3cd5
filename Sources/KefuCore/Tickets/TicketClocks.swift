import Foundation
import KefuPostgres

/// SLA effects of ticket actions: milestones met (or breached), pauses and resumes.
enum TicketClocks {
    /// A public update to the customer: the first one meets the response clocks; every one
    /// restarts the progress clock.
    static func publicUpdate(_ tx: TenantTransaction, _ ticket: Ticket, context: TicketContext) async throws {
        let now = context.now
        if ticket.firstResponseAt == nil {
            try await checkMet(tx, ticket, clock: "channel_response", due: ticket.channelResponseDueAt, at: now)
            try await checkMet(tx, ticket, clock: "first_response", due: ticket.firstResponseDueAt, at: now)
            try await TicketStore.record(
                tx,
                ticket: ticket.id,
                actor: .system,
                kind: "first_response",
                after: [
                    "first_response_at": .date(now), "due_at": .optionalDate(ticket.firstResponseDueAt),
                    "on_time": .bool(ticket.firstResponseDueAt.map { now <= $0 } ?? true),
                ],
                at: now
            )
        }
        if let due = ticket.progressDueAt, ticket.firstResponseAt != nil {
            try await checkMet(tx, ticket, clock: "progress", due: due, at: now)
        }
        let progressDue = SLAPlanner.progressDue(after: now, sla: context.settings.sla, calendar: context.calendar)
        try await tx.execute(
            """
            UPDATE tickets SET first_response_at = COALESCE(first_response_at, \(now)), last_public_update_at = \(now),
                progress_due_at = \(progressDue), updated_at = \(now)
            WHERE tenant_id = \(tx.tenantID) AND id = \(ticket.id)
            """
        )
    }

    static func planGiven(_ tx: TenantTransaction, _ ticket: Ticket, at now: Date) async throws {
        guard ticket.planAt == nil else { return }
        try await checkMet(tx, ticket, clock: "plan", due: ticket.planDueAt, at: now)
        try await tx.execute("UPDATE tickets SET plan_at = \(now) WHERE tenant_id = \(tx.tenantID) AND id = \(ticket.id)")
    }

    /// Records a breach when a milestone came after its due instant.
    static func checkMet(_ tx: TenantTransaction, _ ticket: Ticket, clock: String, due: Date?, at now: Date) async throws {
        guard let due, now > due else { return }
        try await TicketStore.recordBreach(tx, ticket: ticket.id, clock: clock, dueAt: due, metAt: now, at: now)
    }

    static func pause(_ tx: TenantTransaction, _ ticket: Ticket, at now: Date, actor: TicketActor) async throws {
        try await tx.execute(
            """
            UPDATE tickets SET sla_paused_at = COALESCE(sla_paused_at, \(now))
            WHERE tenant_id = \(tx.tenantID) AND id = \(ticket.id)
            """
        )
        try await TicketStore.record(tx, ticket: ticket.id, actor: actor, kind: "sla_paused", after: ["paused_at": .date(now)], at: now)
    }

    /// Shifts every open clock by the business time spent waiting and clears the pause.
    static func resume(_ tx: TenantTransaction, _ ticket: Ticket, context: TicketContext) async throws {
        // The ticket row read before `pause` may be stale: re-read the pause instant and clocks.
        let current = try await TicketStore.fetch(tx, id: ticket.id)
        guard let pausedAt = current.slaPausedAt else { return }
        let now = context.now
        func shift(_ due: Date?, open: Bool) -> Date? {
            open ? SLAPlanner.resumed(due, pausedAt: pausedAt, resumedAt: now, calendar: context.calendar) : due
        }
        let responded = current.firstResponseAt != nil
        let channelDue = shift(current.channelResponseDueAt, open: !responded)
        let firstDue = shift(current.firstResponseDueAt, open: !responded)
        let planDue = shift(current.planDueAt, open: current.planAt == nil)
        let progressDue = shift(current.progressDueAt, open: true)
        try await tx.execute(
            """
            UPDATE tickets SET sla_paused_at = NULL, channel_response_due_at = \(channelDue), first_response_due_at = \(firstDue),
                plan_due_at = \(planDue), progress_due_at = \(progressDue), updated_at = \(now)
            WHERE tenant_id = \(tx.tenantID) AND id = \(ticket.id)
            """
        )
        try await TicketStore.record(
            tx,
            ticket: ticket.id,
            actor: .system,
            kind: "sla_resumed",
            before: [
                "paused_at": .date(pausedAt), "first_response_due_at": .optionalDate(current.firstResponseDueAt),
                "plan_due_at": .optionalDate(current.planDueAt), "progress_due_at": .optionalDate(current.progressDueAt),
            ],
            after: [
                "paused_seconds": .number(context.calendar.businessSeconds(from: pausedAt, to: now)),
                "first_response_due_at": .optionalDate(firstDue), "plan_due_at": .optionalDate(planDue),
                "progress_due_at": .optionalDate(progressDue),
            ],
            at: now
        )
    }
}
