import Foundation

/// SLA effects of ticket actions on the change being built: milestones met (or breached),
/// pauses and resumes.
extension TicketChange {
    /// A public update to the customer: the first one meets the acknowledgement (if still open)
    /// and the response clocks; every one restarts the progress clock on the policy's calendar.
    mutating func publicUpdate(_ context: TicketContext) {
        if ticket.acknowledgedAt == nil {
            meet("acknowledgement", due: ticket.acknowledgementDueAt)
            ticket.acknowledgedAt = at
        }
        if ticket.firstResponseAt == nil {
            meet("channel_response", due: ticket.channelResponseDueAt)
            meet("first_response", due: ticket.firstResponseDueAt)
            record(
                .system,
                "first_response",
                after: [
                    "first_response_at": .date(at), "due_at": .optionalDate(ticket.firstResponseDueAt),
                    "on_time": .bool(ticket.firstResponseDueAt.map { at <= $0 } ?? true),
                ]
            )
        } else if let due = ticket.progressDueAt {
            meet("progress", due: due)
        }
        ticket.firstResponseAt = ticket.firstResponseAt ?? at
        ticket.lastPublicUpdateAt = at
        let policy = context.policy(of: ticket)
        ticket.progressDueAt = SLAPlanner.progressDue(after: at, policy: policy, calendar: context.clockCalendar(policy))
        ticket.updatedAt = at
    }

    /// The first plan or workaround meets the plan clock.
    mutating func planGiven() {
        guard ticket.planAt == nil else { return }
        meet("plan", due: ticket.planDueAt)
        ticket.planAt = at
    }

    /// A milestone met now: a breach (flagging the ticket) when it came after its due instant.
    /// Its `sla_breached` event is written only if the breach is new (`TicketStore.save`).
    mutating func meet(_ clock: String, due: Date?) {
        guard let due, at > due else { return }
        let breach = SLABreachDraft(clock: clock, dueAt: due, metAt: at)
        ticket.breached = true
        events.append(
            TicketEventRecord(
                actor: .system,
                kind: "sla_breached",
                after: ["clock": .string(clock), "due_at": .date(due), "met_at": .date(at), "late_seconds": .number(breach.lateSeconds)],
                breach: breach
            )
        )
    }

    /// Waiting on the customer: the clocks stop where they are.
    mutating func pause(by actor: TicketActor) {
        ticket.slaPausedAt = ticket.slaPausedAt ?? at
        record(actor, "sla_paused", after: ["paused_at": .date(at)])
    }

    /// Shifts every open clock by the business time spent waiting (on the calendar it counts on)
    /// and clears the pause.
    mutating func resume(_ context: TicketContext) {
        guard let pausedAt = ticket.slaPausedAt else { return }
        let old = ticket
        let policyCalendar = context.clockCalendar(context.policy(of: ticket))
        func shift(_ due: Date?, open: Bool, calendar: BusinessCalendar? = nil) -> Date? {
            open ? SLAPlanner.resumed(due, pausedAt: pausedAt, resumedAt: at, calendar: calendar ?? policyCalendar) : due
        }
        let responded = old.firstResponseAt != nil
        ticket.slaPausedAt = nil
        ticket.channelResponseDueAt = shift(old.channelResponseDueAt, open: !responded, calendar: context.calendar)
        ticket.firstResponseDueAt = shift(old.firstResponseDueAt, open: !responded)
        ticket.planDueAt = shift(old.planDueAt, open: old.planAt == nil)
        ticket.progressDueAt = shift(old.progressDueAt, open: true)
        ticket.updatedAt = at
        record(
            .system,
            "sla_resumed",
            before: [
                "paused_at": .date(pausedAt), "first_response_due_at": .optionalDate(old.firstResponseDueAt),
                "plan_due_at": .optionalDate(old.planDueAt), "progress_due_at": .optionalDate(old.progressDueAt),
            ],
            after: [
                "paused_seconds": .number(policyCalendar.businessSeconds(from: pausedAt, to: at)),
                "first_response_due_at": .optionalDate(ticket.firstResponseDueAt), "plan_due_at": .optionalDate(ticket.planDueAt),
                "progress_due_at": .optionalDate(ticket.progressDueAt),
            ]
        )
    }
}
