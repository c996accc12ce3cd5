import Foundation

/// Department hand-offs and missing information on the change being built (SPEC §3, issue 14 §2):
/// each deadline is an SLA clock (`SLAClockRule`: `info_request`, `department_notify`,
/// `blocker_report`, `solution_handback`, `customer_contact`) whose timer the worker fires at its
/// due instant, and which the action that meets it records as met (or breached, when late).
extension TicketChange {
    /// An escalation: the department's members are notified at once and must acknowledge
    /// within `sla.department_notify_minutes`; a department still without a hand-back at its
    /// reply deadline (`replyDue`) is blocked and must report the blocker within
    /// `sla.blocker_report_minutes` of that deadline. A new escalation starts them afresh.
    mutating func startDepartmentClocks(_ department: DepartmentRef, replyDue: Date?, context: TicketContext) {
        let sla = context.settings.sla
        ticket.departmentNotifyDueAt = SLAPlanner.deadline(minutes: sla.departmentNotifyMinutes, from: at, calendar: context.calendar)
        ticket.departmentAckedAt = nil
        ticket.blockerReportDueAt = replyDue.flatMap {
            SLAPlanner.deadline(minutes: sla.blockerReportMinutes, from: $0, calendar: context.calendar)
        }
        ticket.blockerReportedAt = nil
        ticket.solutionReadyAt = nil
        ticket.solutionHandbackDueAt = nil
        let by = ticket.departmentNotifyDueAt.map { " Acknowledge by \(AutoReply.localTime($0, calendar: context.calendar))." } ?? ""
        notifications.append(
            TicketNotificationDraft(
                recipients: department.members,
                kind: "department_escalation",
                message: "\(ticket.reference) was escalated to \(department.name).\(by)"
            )
        )
    }

    /// A response marked `missing_info`: the customer must be asked (request-info) within
    /// `sla.missing_info_request_minutes` of the ticket's first response — of this response when
    /// information was already asked for once (a second round). Nothing changes while a round
    /// is still pending.
    mutating func infoMissing(by actor: TicketActor, context: TicketContext) {
        let pending = ticket.infoRequestDueAt != nil && ticket.infoRequestedAt == nil
        guard !pending else { return }
        let from = ticket.infoRequestDueAt == nil ? (ticket.firstResponseAt ?? at) : at
        ticket.infoRequestDueAt = SLAPlanner.deadline(
            minutes: context.settings.sla.missingInfoRequestMinutes,
            from: from,
            calendar: context.calendar
        )
        ticket.infoRequestedAt = nil
        record(actor, "info_missing", after: ["request_by": .optionalDate(ticket.infoRequestDueAt)])
    }

    /// request-info meets a pending `info_request` clock.
    mutating func infoRequested() {
        guard ticket.infoRequestDueAt != nil, ticket.infoRequestedAt == nil else { return }
        meet("info_request", due: ticket.infoRequestDueAt)
        ticket.infoRequestedAt = at
    }

    /// A public message to the customer (or the resolution) meets a pending `customer_contact`
    /// clock, started by a department's hand-back.
    mutating func customerContacted() {
        guard ticket.customerContactDueAt != nil, ticket.customerContactedAt == nil else { return }
        meet("customer_contact", due: ticket.customerContactDueAt)
        ticket.customerContactedAt = at
    }

    /// The department acknowledges, meeting `department_notify`. Every department action
    /// acknowledges too; only an explicit second acknowledgement is a conflict.
    mutating func acknowledge(by actor: TicketActor, explicitly: Bool) throws {
        guard ticket.departmentAckedAt == nil else {
            if explicitly { throw KefuError.conflict("the department has already acknowledged this escalation") }
            return
        }
        meet("department_notify", due: ticket.departmentNotifyDueAt)
        ticket.departmentAckedAt = at
        ticket.updatedAt = at
        record(
            actor,
            "department_acknowledged",
            after: [
                "department_id": .optionalID(ticket.departmentId), "acknowledge_by": .optionalDate(ticket.departmentNotifyDueAt),
                "on_time": .bool(ticket.departmentNotifyDueAt.map { at <= $0 } ?? true),
            ]
        )
    }

    /// The department reports what blocks it: the supervisors are notified; the first report
    /// meets `blocker_report`.
    mutating func reportBlocker(_ reason: String, supervisors: [UUID], by actor: TicketActor) throws {
        try acknowledge(by: actor, explicitly: false)
        if ticket.blockerReportedAt == nil {
            meet("blocker_report", due: ticket.blockerReportDueAt)
            ticket.blockerReportedAt = at
        }
        ticket.updatedAt = at
        say(actor, .internal, "Blocker reported by the department: \(reason)")
        notifications.append(
            TicketNotificationDraft(
                recipients: supervisors,
                kind: "department_blocked",
                message: "\(ticket.reference): the department is blocked: \(reason)"
            )
        )
        record(actor, "department_blocked", after: ["reason": .string(reason), "report_by": .optionalDate(ticket.blockerReportDueAt)])
    }

    /// The department's solution is ready: it must be handed back within
    /// `sla.solution_handback_minutes`. A department with a solution is no longer blocked.
    mutating func solutionReady(_ note: String, by actor: TicketActor, context: TicketContext) throws {
        guard ticket.solutionReadyAt == nil else { throw KefuError.conflict("the department's solution is already recorded as ready") }
        try acknowledge(by: actor, explicitly: false)
        ticket.solutionReadyAt = at
        ticket.solutionHandbackDueAt = SLAPlanner.deadline(
            minutes: context.settings.sla.solutionHandbackMinutes,
            from: at,
            calendar: context.calendar
        )
        if ticket.blockerReportedAt == nil { ticket.blockerReportDueAt = nil }
        ticket.updatedAt = at
        say(actor, .internal, "Solution ready: \(note)")
        record(actor, "department_solution_ready", after: ["hand_back_by": .optionalDate(ticket.solutionHandbackDueAt)])
    }

    /// The department hands its solution back: the ticket returns to its owner (in progress),
    /// who must contact the customer within `sla.customer_contact_minutes`. Meets
    /// `solution_handback` (the solution counts as ready now if it was not recorded earlier) and
    /// the department's reply deadline.
    mutating func handBack(_ body: String, next: TicketStatus, by actor: TicketActor, context: TicketContext) throws {
        try acknowledge(by: actor, explicitly: false)
        if ticket.solutionReadyAt == nil { ticket.solutionReadyAt = at }
        meet("solution_handback", due: ticket.solutionHandbackDueAt)
        meet("department", due: ticket.departmentDueAt)
        ticket.customerContactDueAt = SLAPlanner.deadline(
            minutes: context.settings.sla.customerContactMinutes,
            from: at,
            calendar: context.calendar
        )
        ticket.customerContactedAt = nil
        say(actor, .internal, "Department hand-back: \(body)")
        setStatus(next, by: actor, kind: "department_replied")
        if let owner = ticket.ownerId {
            let by = ticket.customerContactDueAt.map { " Contact the customer by \(AutoReply.localTime($0, calendar: context.calendar))." } ?? ""
            notifications.append(
                TicketNotificationDraft(
                    recipients: [owner],
                    kind: "department_reply",
                    message: "\(ticket.reference): the department handed back its solution.\(by)"
                )
            )
        }
    }
}
