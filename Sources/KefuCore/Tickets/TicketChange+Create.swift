import Foundation

extension TicketChange {
    /// Intake: the new ticket (routed, its SLA clocks started under the policy of its priority and
    /// the customer's segment, assigned when routing found an agent), the customer's message, the
    /// acknowledgement, the automatic reply outside service hours, the initial assignment and,
    /// for P1/P2, the supervisors' notification.
    static func creating(_ facts: NewTicketFacts, by actor: TicketActor, context: TicketContext) -> TicketChange {
        let request = facts.request
        let now = context.now
        let priority = facts.priority
        let owner = facts.owner
        let policy = context.policy(priority, facts.segment)
        let clockCalendar = context.clockCalendar(policy)
        let clocks = SLAPlanner.initialClocks(
            createdAt: now,
            policy: policy,
            channel: request.channel,
            category: request.category,
            sla: context.settings.sla,
            clockCalendar: clockCalendar,
            channelCalendar: context.calendar,
            expectedResolutionAt: request.expectedResolutionAt
        )
        let acknowledgement = Acknowledgement.atIntake(channel: request.channel, byGateway: request.byGateway)
        // Outside the hours its clocks count on, the customer is told when a person will answer
        // (a ticket whose policy counts 24x7 is answered within its target, so it gets none).
        let autoReply =
            facts.autoRepliesOff
            ? nil
            : AutoReply.make(
                settings: context.settings,
                calendar: clockCalendar,
                texts: context.texts,
                reference: facts.reference,
                at: now,
                suggestions: facts.suggestions.map(\.title)
            )
        let ticket = Ticket(
            id: facts.id,
            tenantId: facts.tenantID,
            number: facts.number,
            reference: facts.reference,
            customerId: facts.customerID,
            contact: request.contact,
            channel: request.channel,
            subject: request.subject,
            description: request.description,
            attachments: request.attachments,
            occurredAt: request.occurredAt,
            expectedResolutionAt: clocks.resolutionDueAt,
            expectedResolutionDefaulted: clocks.resolutionDefaulted,
            category: request.category,
            priority: priority,
            slaSegment: facts.segment,
            status: owner == nil ? .new : .assigned,
            skill: facts.routing.skill,
            tier: facts.routing.minTier,
            ownerId: owner,
            firstOwnerId: owner,
            departmentId: nil,
            departmentDueAt: nil,
            tagIds: request.tagIDs,
            solutionSummary: nil,
            solutionOptions: [],
            compensation: nil,
            autoReply: autoReply?.text,
            humanAvailableAt: autoReply?.humanAvailableAt,
            reopenCount: 0,
            createdAt: now,
            acknowledgedAt: acknowledgement == .pending ? nil : now,
            assignedAt: owner == nil ? nil : now,
            firstResponseAt: nil,
            planAt: nil,
            lastPublicUpdateAt: nil,
            resolvedAt: nil,
            closedAt: nil,
            archivedAt: nil,
            updatedAt: now,
            acknowledgementDueAt: clocks.acknowledgementDueAt,
            channelResponseDueAt: clocks.channelResponseDueAt,
            firstResponseDueAt: clocks.firstResponseDueAt,
            planDueAt: clocks.planDueAt,
            progressDueAt: nil,
            resolutionDueAt: clocks.resolutionDueAt,
            slaPausedAt: nil,
            breached: false,
            suggestedArticleIds: facts.suggestions.map(\.id)
        )
        var change = TicketChange(before: nil, ticket: ticket, at: now)
        change.creation = TicketCreation(idempotencyKey: request.idempotencyKey, fingerprint: request.fingerprint)
        change.say(actor, .public, request.description)
        change.record(
            actor,
            "created",
            after: [
                "number": .number(Double(facts.number)), "status": .string(TicketStatus.new.rawValue),
                "priority": .string(priority.rawValue), "channel": .string(request.channel.rawValue),
                "category": .string(request.category.rawValue), "customer_id": .string(facts.customerID.uuidString),
                "routing_rule": facts.routing.rule.map(JSONValue.string) ?? .null,
                "first_response_due_at": .optionalDate(clocks.firstResponseDueAt),
                "channel_response_due_at": .optionalDate(clocks.channelResponseDueAt), "plan_due_at": .optionalDate(clocks.planDueAt),
                "resolution_due_at": .optionalDate(clocks.resolutionDueAt), "expected_resolution_defaulted": .bool(clocks.resolutionDefaulted),
                "sla_segment": facts.segment.map { .string($0.rawValue) } ?? .null, "sla_calendar": .string(policy.calendar.rawValue),
            ]
        )
        if acknowledgement == .message {
            change.say(.system, .public, context.texts.render(.acknowledgement, ["ticket_reference": facts.reference]))
        }
        if acknowledgement != .pending {
            change.record(.system, "acknowledged", after: ["acknowledged_at": .date(now), "by": .string(acknowledgement.rawValue)])
        }
        if let autoReply {
            change.say(.system, .public, autoReply.text)
            change.record(.system, "auto_reply", after: ["human_available_at": .optionalDate(autoReply.humanAvailableAt)])
        }
        if let owner {
            change.assignments.append(TicketAssignmentDraft(kind: "initial", from: nil, to: owner, by: nil))
            change.record(
                .system,
                "assigned",
                before: ["status": .string(TicketStatus.new.rawValue), "owner_id": .null],
                after: [
                    "status": .string(TicketStatus.assigned.rawValue), "owner_id": .string(owner.uuidString),
                    "skill": facts.routing.skill.map(JSONValue.string) ?? .null,
                ]
            )
        }
        if priority <= .p2 {
            // P1 and P2 go to the on-duty supervisor at once.
            change.notifications.append(
                TicketNotificationDraft(
                    recipients: facts.supervisors,
                    kind: "priority_escalation",
                    message: "\(priority.rawValue) ticket \(ticket.reference) needs attention"
                )
            )
            change.record(
                .system,
                "escalated_to_supervisor",
                after: ["priority": .string(priority.rawValue), "supervisors": .number(Double(facts.supervisors.count))]
            )
        }
        return change
    }
}
