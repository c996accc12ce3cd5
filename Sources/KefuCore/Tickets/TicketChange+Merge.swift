import Foundation

extension TicketChange {
    /// A duplicate is closed into `target`: `close_reason` `merged`, `merged_into` pointing at
    /// it. Its clocks stop (a closed ticket runs none, and a merged one is never archived by the
    /// worker, so every timer is disarmed), the customer is told where the conversation goes on
    /// (the `merge_notice` template), and the event names the target.
    mutating func merge(into target: MergeTarget, next: TicketStatus, by actor: TicketActor, _ context: TicketContext) {
        let previous = ticket.status
        ticket.status = next
        ticket.closedAt = at
        ticket.closeReason = .merged
        ticket.mergedInto = target.id
        ticket.updatedAt = at
        say(actor, .internal, "Merged into \(target.reference)")
        say(
            .system,
            .public,
            context.texts.render(.mergeNotice, ["ticket_reference": ticket.reference, "target_reference": target.reference])
        )
        record(
            actor,
            "merged",
            before: ["status": .string(previous.rawValue)],
            after: [
                "status": .string(next.rawValue), "close_reason": .string(TicketCloseReason.merged.rawValue),
                "merged_into": .string(target.id.uuidString), "merged_into_reference": .string(target.reference),
            ]
        )
    }

    /// The ticket a duplicate was merged into: its value and timers stay as they are; its audit
    /// trail records the duplicate (whose messages its conversation shows from now on).
    static func receivingMerge(of duplicate: Ticket, into target: Ticket, by actor: TicketActor, at now: Date) -> TicketChange {
        var change = TicketChange(before: target, ticket: target, at: now)
        change.record(
            actor,
            "merged_from",
            after: ["ticket_id": .string(duplicate.id.uuidString), "reference": .string(duplicate.reference)]
        )
        return change
    }
}
