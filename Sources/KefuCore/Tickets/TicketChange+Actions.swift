import Foundation

extension TicketChange {
    /// Applies `action` to `ticket`, whose transition to `next` `TicketLifecycle.next` allowed.
    mutating func perform(_ action: TicketAction, next: TicketStatus, by actor: TicketActor, context: TicketContext) throws {
        switch action {
        case .create:
            throw KefuError.conflict("the ticket already exists")
        case .assign(let agent):
            take(agent.id, by: actor)
        case .respond(let body, let missingInfo):
            if ticket.status == .new {
                guard actor.kind == .agent, let agent = actor.id else { throw KefuError.invalidField("agent", "no such active agent") }
                take(agent, by: actor)
            }
            say(actor, .public, body)
            publicUpdate(context)
            setStatus(next, by: actor, kind: "responded")
            if missingInfo { infoMissing(by: actor, context: context) }
        case .note(let body):
            say(actor, .internal, body)
            record(actor, "noted")
        case .progress(let note):
            notifyProgress(note, next: next, by: actor, context: context)
        case .requestInfo(let body):
            say(actor, .public, body)
            publicUpdate(context)
            infoRequested()
            pause(by: actor)
            setStatus(next, by: actor, kind: "info_requested")
        case .customerReply(let body):
            say(actor, .public, body)
            if ticket.status == .waitingOnCustomer { resume(context) }
            setStatus(next, by: actor, kind: "customer_replied")
        case .plan(let body, let proposal):
            say(actor, .public, body)
            publicUpdate(context)
            planGiven()
            record(actor, "plan_given")
            if let proposal { propose(proposal, measures: body, by: actor, context: context) }
        case .planStep(let step, let current, let notify):
            try planStep(step, current, notify: notify, by: actor, context: context)
        case .departmentAck:
            try acknowledge(by: actor, explicitly: true)
        case .departmentBlocker(let reason, let supervisors):
            try reportBlocker(reason, supervisors: supervisors, by: actor)
        case .departmentSolved(let note):
            try solutionReady(note, by: actor, context: context)
        case .departmentReply(let body):
            try handBack(body, next: next, by: actor, context: context)
        case .transfer(let target, let reason, let note):
            try handOver(to: target.id, by: actor, kind: "transfer", reason: reason, handoverNote: note)
            say(actor, .internal, "Hand-over: \(note)")
            say(.system, .public, context.texts.render(.transferNotice, ["ticket_reference": ticket.reference, "agent_name": target.name]))
            record(
                actor,
                "transferred",
                before: ["owner_id": .optionalID(before?.ownerId)],
                after: ["owner_id": .string(target.id.uuidString), "reason": .string(reason), "handover_note": .string(note)]
            )
        case .redispatch(let target, let reason):
            let seconds = ticket.assignedAt.map { at.timeIntervalSince($0) }
            try handOver(to: target, by: actor, kind: "redispatch", reason: reason, secondsSincePrevious: seconds)
            record(
                actor,
                "redispatched",
                before: ["owner_id": .optionalID(before?.ownerId)],
                after: [
                    "owner_id": .string(target.uuidString), "reason": .string(reason),
                    "seconds_since_assignment": seconds.map(JSONValue.number) ?? .null,
                ]
            )
        case .escalate(let department, let note, let replyMinutes):
            escalate(to: department, note: note, replyMinutes: replyMinutes, next: next, by: actor, context: context)
        case .resolve(let summary, let options, let compensation):
            planGiven()
            meet("resolution", due: ticket.resolutionDueAt)
            if ticket.firstResponseAt == nil { publicUpdate(context) }
            ticket.solutionSummary = summary
            ticket.solutionOptions = options
            ticket.compensation = compensation
            ticket.resolvedAt = at
            ticket.progressDueAt = nil
            ticket.slaPausedAt = nil
            ticket.lastPublicUpdateAt = at
            customerContacted()
            say(actor, .public, summary)
            inviteToSurvey(context)
            setStatus(next, by: actor, kind: "resolved")
        case .reopen(let reason):
            reopen(next, because: reason, by: actor, context: context)
        case .secondHandling(let rating):
            reopen(next, because: "customer rated the handling \(rating.overall)/5: second handling", by: actor, context: context)
            notifications.append(
                TicketNotificationDraft(
                    recipients: rating.supervisors,
                    kind: "low_rating",
                    message: "Ticket \(ticket.reference) was rated \(rating.overall)/5 and reopened"
                )
            )
        case .close:
            ticket.closedAt = at
            ticket.closeReason = .resolved
            setStatus(next, by: actor, kind: "closed")
        case .merge(let target):
            merge(into: target, next: next, by: actor, context)
        case .archive:
            ticket.archivedAt = at
            setStatus(next, by: actor, kind: "archived")
        case .edit(let edit):
            applyEdit(edit, by: actor, context: context)
        }
    }

    /// Back to work: the resolution (and closure) no longer stand, progress updates are due again.
    private mutating func reopen(_ next: TicketStatus, because reason: String, by actor: TicketActor, context: TicketContext) {
        ticket.resolvedAt = nil
        ticket.closedAt = nil
        ticket.closeReason = nil
        ticket.mergedInto = nil
        ticket.reopenCount += 1
        let policy = context.policy(of: ticket)
        ticket.progressDueAt = SLAPlanner.progressDue(after: at, policy: policy, calendar: context.clockCalendar(policy))
        say(actor, .internal, "Reopened: \(reason)")
        setStatus(next, by: actor, kind: "reopened")
    }

    /// The status moves to `next` (or stays), the ticket counts as updated, and the event says
    /// which status it came from.
    mutating func setStatus(_ next: TicketStatus, by actor: TicketActor, kind: String) {
        let previous = before?.status ?? ticket.status
        ticket.status = next
        ticket.updatedAt = at
        record(actor, kind, before: ["status": .string(previous.rawValue)], after: ["status": .string(next.rawValue)])
    }

    /// The first agent to take a ticket becomes its accountable owner and stays on record as
    /// `first_owner_id` for good.
    private mutating func take(_ agent: UUID, by actor: TicketActor) {
        let previous = ticket.status
        changeOwner(to: agent)
        ticket.status = .assigned
        assignments.append(TicketAssignmentDraft(kind: "initial", from: nil, to: agent, by: actor.id))
        record(
            actor.kind == .agent ? actor : .system,
            "assigned",
            before: ["status": .string(previous.rawValue), "owner_id": .null],
            after: ["status": .string(TicketStatus.assigned.rawValue), "owner_id": .string(agent.uuidString)]
        )
    }

    /// Transfer and redispatch: the ticket goes to another agent, recorded in the owner history.
    private mutating func handOver(
        to agent: UUID,
        by actor: TicketActor,
        kind: String,
        reason: String,
        handoverNote: String? = nil,
        secondsSincePrevious: Double? = nil
    ) throws {
        let from = ticket.ownerId
        guard agent != from else { throw KefuError.invalidField("to_agent_id", "already owns the ticket") }
        changeOwner(to: agent)
        assignments.append(
            TicketAssignmentDraft(
                kind: kind,
                from: from,
                to: agent,
                by: actor.id,
                reason: reason,
                handoverNote: handoverNote,
                secondsSincePrevious: secondsSincePrevious
            )
        )
    }

    private mutating func changeOwner(to agent: UUID) {
        ticket.ownerId = agent
        ticket.firstOwnerId = ticket.firstOwnerId ?? agent
        ticket.assignedAt = at
        ticket.updatedAt = at
    }

    /// The department must reply within its deadline; the customer is told when to expect it.
    private mutating func escalate(
        to department: DepartmentRef,
        note: String,
        replyMinutes: Int?,
        next: TicketStatus,
        by actor: TicketActor,
        context: TicketContext
    ) {
        let minutes = replyMinutes ?? context.settings.sla.departmentReplyMinutes
        let due = SLAPlanner.deadline(minutes: minutes, from: at, calendar: context.calendar)
        ticket.departmentId = department.id
        ticket.departmentDueAt = due
        startDepartmentClocks(department, replyDue: due, context: context)
        say(actor, .internal, "Escalated to \(department.name): \(note)")
        let notice = context.texts.render(
            .escalationNotice,
            ["ticket_reference": ticket.reference, "department_name": department.name, "expected_time": due.map(context.texts.time)]
        )
        say(.system, .public, notice)
        publicUpdate(context)
        setStatus(next, by: actor, kind: "escalated")
        record(
            actor,
            "department_notified",
            after: [
                "department_id": .string(department.id.uuidString), "due_at": .optionalDate(due),
                "members_notified": .number(Double(department.members.count)),
                "acknowledge_by": .optionalDate(ticket.departmentNotifyDueAt),
            ]
        )
    }
}

extension JSONValue {
    /// An optional id as text, null when absent.
    static func optionalID(_ id: UUID?) -> JSONValue { id.map { .string($0.uuidString) } ?? .null }
}
