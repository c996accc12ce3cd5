import Foundation

/// A correction of a ticket's facts (`PATCH /v1/tickets/{id}`), validated, with the facts it
/// needs resolved: each field nil when not given.
struct TicketEdit: Sendable, Equatable {
    var priority: TicketPriority?
    var category: TicketCategory?
    /// Leaf tags of the tenant, unique and sorted (checked like intake's).
    var tagIDs: [UUID]?
    /// A new subject, or `.clear` to remove it.
    var subject: Clearable<String>?
    /// The customer's expected time, or `.clear` to take the policy's resolution target again.
    var expectedResolutionAt: Clearable<Date>?
    /// Told when the priority rises to P1 or P2 (`NotificationStore.supervisors`).
    var supervisors: [UUID] = []
}

extension TicketChange {
    /// Applies `edit`: each field that changes is one event (`<field>_changed`, before → after).
    /// A new category moves the channel's first-reply target while no reply has met it.
    /// A new priority recomputes the clocks from the intake instant under the policy of the new
    /// priority (clocks already met keep their due instants) and, rising to P1 or P2, tells the
    /// supervisors at once.
    mutating func applyEdit(_ edit: TicketEdit, by actor: TicketActor, context: TicketContext) {
        if let category = edit.category, category != ticket.category {
            record(
                actor,
                "category_changed",
                before: ["category": .string(ticket.category.rawValue)],
                after: ["category": .string(category.rawValue)]
            )
            ticket.category = category
            changeChannelResponse(context)
        }
        if let tags = edit.tagIDs, tags != ticket.tagIds {
            func ids(_ values: [UUID]) -> JSONValue { .array(values.map { .string($0.uuidString.lowercased()) }) }
            record(actor, "tags_changed", before: ["tag_ids": ids(ticket.tagIds)], after: ["tag_ids": ids(tags)])
            ticket.tagIds = tags
        }
        if let subject = edit.subject, subject.value != ticket.subject {
            record(
                actor,
                "subject_changed",
                before: ["subject": ticket.subject.map(JSONValue.string) ?? .null],
                after: ["subject": subject.value.map(JSONValue.string) ?? .null]
            )
            ticket.subject = subject.value
        }
        if let priority = edit.priority, priority != ticket.priority {
            changePriority(to: priority, supervisors: edit.supervisors, by: actor, context: context)
        }
        if let expected = edit.expectedResolutionAt {
            changeExpectedResolution(to: expected.value, by: actor, context: context)
        }
        if ticket != before { ticket.updatedAt = at }
    }

    /// The channel's first-reply target for the new category (a complaint's first feedback
    /// replaces a chat's or email's target, and back), counted from intake, while no reply has
    /// met it; the change is recorded with the category's.
    private mutating func changeChannelResponse(_ context: TicketContext) {
        guard ticket.firstResponseAt == nil else { return }
        let due = SLAPlanner.channelResponseDue(
            createdAt: ticket.createdAt,
            channel: ticket.channel,
            category: ticket.category,
            sla: context.settings.sla,
            calendar: context.calendar
        )
        guard due != ticket.channelResponseDueAt else { return }
        record(
            .system,
            "channel_response_moved",
            before: ["channel_response_due_at": .optionalDate(ticket.channelResponseDueAt)],
            after: ["channel_response_due_at": .optionalDate(due)]
        )
        ticket.channelResponseDueAt = due
    }

    /// The clocks of the new priority's policy, counted from intake; met clocks stay as they were.
    private mutating func changePriority(to priority: TicketPriority, supervisors: [UUID], by actor: TicketActor, context: TicketContext) {
        let old = ticket
        ticket.priority = priority
        let policy = context.policy(of: ticket)
        let calendar = context.clockCalendar(policy)
        let targets = SLAPlanner.policyClocks(createdAt: ticket.createdAt, policy: policy, calendar: calendar)
        if ticket.firstResponseAt == nil { ticket.firstResponseDueAt = targets.firstResponse }
        if ticket.planAt == nil { ticket.planDueAt = targets.plan }
        if ticket.expectedResolutionDefaulted && ticket.resolvedAt == nil {
            ticket.expectedResolutionAt = targets.resolution
            ticket.resolutionDueAt = targets.resolution
            ticket.expectedResolutionDefaulted = targets.resolution != nil
        }
        if ticket.progressDueAt != nil, let last = ticket.lastPublicUpdateAt {
            ticket.progressDueAt = SLAPlanner.progressDue(after: last, policy: policy, calendar: calendar)
        }
        func clocks(_ ticket: Ticket) -> [String: JSONValue] {
            [
                "priority": .string(ticket.priority.rawValue), "first_response_due_at": .optionalDate(ticket.firstResponseDueAt),
                "plan_due_at": .optionalDate(ticket.planDueAt), "progress_due_at": .optionalDate(ticket.progressDueAt),
                "resolution_due_at": .optionalDate(ticket.resolutionDueAt),
            ]
        }
        record(actor, "priority_changed", before: clocks(old), after: clocks(ticket))
        if priority <= .p2 && old.priority > .p2 && ticket.status.isOpen {
            notifications.append(
                TicketNotificationDraft(
                    recipients: supervisors,
                    kind: "priority_escalation",
                    message: "\(priority.rawValue) ticket \(ticket.reference) needs attention"
                )
            )
            record(
                .system,
                "escalated_to_supervisor",
                after: ["priority": .string(priority.rawValue), "supervisors": .number(Double(supervisors.count))]
            )
        }
    }

    /// The customer's expected time, or (nil) the policy's resolution target from intake again.
    private mutating func changeExpectedResolution(to expected: Date?, by actor: TicketActor, context: TicketContext) {
        let old = ticket
        if let expected {
            ticket.expectedResolutionAt = expected
            ticket.expectedResolutionDefaulted = false
        } else {
            let policy = context.policy(of: ticket)
            let target = SLAPlanner.policyClocks(createdAt: ticket.createdAt, policy: policy, calendar: context.clockCalendar(policy)).resolution
            ticket.expectedResolutionAt = target
            ticket.expectedResolutionDefaulted = target != nil
        }
        ticket.resolutionDueAt = ticket.expectedResolutionAt
        guard ticket.expectedResolutionAt != old.expectedResolutionAt || ticket.expectedResolutionDefaulted != old.expectedResolutionDefaulted
        else { return }
        func fields(_ ticket: Ticket) -> [String: JSONValue] {
            [
                "expected_resolution_at": .optionalDate(ticket.expectedResolutionAt),
                "expected_resolution_defaulted": .bool(ticket.expectedResolutionDefaulted),
            ]
        }
        record(actor, "expected_resolution_changed", before: fields(old), after: fields(ticket))
    }
}
