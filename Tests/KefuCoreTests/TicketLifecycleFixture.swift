import Foundation
import XCTest

@testable import KefuCore

/// Tickets, agents and a context built in code, for lifecycle tests without a database. The
/// calendar is always open in UTC, so business time is wall time and every due instant exact.
enum LifecycleFixture {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)
    static let tenant = UUID()
    static let alice = AgentRef(id: UUID(), name: "Alice")
    static let carol = AgentRef(id: UUID(), name: "Carol")
    static let billing = DepartmentRef(id: UUID(), name: "Billing")
    static let settings = TenantSettings()
    static let context = TicketContext(now: now, settings: settings, calendar: .alwaysOpen(timezone: "UTC"))

    static func minutes(_ count: Double) -> Date { now.addingTimeInterval(count * 60) }

    /// A ticket created an hour ago by email, owned by Alice from `in_progress` on, with every
    /// clock due in the future and the fields its `status` implies.
    static func ticket(_ status: TicketStatus) -> Ticket {
        let created = minutes(-60)
        var ticket = Ticket(
            id: UUID(),
            tenantId: tenant,
            number: 42,
            reference: "T-000042",
            customerId: UUID(),
            contact: nil,
            channel: .email,
            subject: "Printer",
            description: "It does not print",
            attachments: [],
            occurredAt: nil,
            expectedResolutionAt: nil,
            expectedResolutionDefaulted: false,
            category: .fault,
            priority: .p3,
            slaSegment: nil,
            status: status,
            skill: nil,
            tier: .junior,
            ownerId: nil,
            firstOwnerId: nil,
            departmentId: nil,
            departmentDueAt: nil,
            tagIds: [],
            solutionSummary: nil,
            solutionOptions: [],
            compensation: nil,
            autoReply: nil,
            humanAvailableAt: nil,
            reopenCount: 0,
            createdAt: created,
            acknowledgedAt: created,
            assignedAt: nil,
            firstResponseAt: nil,
            planAt: nil,
            lastPublicUpdateAt: nil,
            resolvedAt: nil,
            closedAt: nil,
            archivedAt: nil,
            updatedAt: created,
            acknowledgementDueAt: created.addingTimeInterval(60),
            channelResponseDueAt: minutes(600),
            firstResponseDueAt: minutes(60),
            planDueAt: minutes(180),
            progressDueAt: nil,
            resolutionDueAt: nil,
            slaPausedAt: nil,
            breached: false,
            suggestedArticleIds: []
        )
        guard status != .new else { return ticket }
        ticket.ownerId = alice.id
        ticket.firstOwnerId = alice.id
        ticket.assignedAt = minutes(-50)
        guard status != .assigned else { return ticket }
        ticket.firstResponseAt = minutes(-40)
        ticket.lastPublicUpdateAt = minutes(-40)
        ticket.progressDueAt = minutes(80)
        switch status {
        case .waitingOnCustomer:
            ticket.slaPausedAt = minutes(-10)
        case .escalated:
            ticket.departmentId = billing.id
            ticket.departmentDueAt = minutes(90)
        case .resolved, .closed, .archived:
            ticket.progressDueAt = nil
            ticket.planAt = minutes(-30)
            ticket.solutionSummary = "Replaced the cable"
            ticket.resolvedAt = minutes(-20)
            ticket.lastPublicUpdateAt = minutes(-20)
            if status != .resolved { ticket.closedAt = minutes(-10) }
            if status == .archived { ticket.archivedAt = minutes(-5) }
        default:
            break
        }
        return ticket
    }

    /// One action of each kind, with its facts resolved.
    static func action(_ kind: TicketLifecycle.Action) throws -> TicketAction {
        switch kind {
        case .create: return .create(try newTicket())
        case .assign: return .assign(to: alice)
        case .respond: return .respond(body: "We are on it")
        case .note: return .note(body: "Checked the logs")
        case .notifyProgress: return .progress(note: "The spare part is on its way")
        case .requestInfo: return .requestInfo(body: "Which model is it?")
        case .customerReply: return .customerReply(body: "An LX-200")
        case .plan: return .plan(body: "Use the other printer meanwhile")
        case .approvePlan: return .planStep(.approve, current: plan(.proposed))
        case .rejectPlan: return .planStep(.reject(reason: "Too costly"), current: plan(.proposed))
        case .confirmPlan: return .planStep(.confirm(note: "By phone"), current: plan(.approved))
        case .executePlan: return .planStep(.execute, current: plan(.confirmed))
        case .departmentAck: return .departmentAck
        case .departmentBlocker: return .departmentBlocker(reason: "Waiting for the bank", supervisors: [carol.id])
        case .departmentSolved: return .departmentSolved(note: "Refund issued")
        case .departmentReply: return .departmentReply(body: "Refund issued; tell the customer")
        case .transfer: return .transfer(to: carol, reason: "Hardware", handoverNote: "Cable checked")
        case .redispatch: return .redispatch(to: carol.id, reason: "Wrong skill")
        case .escalate: return .escalate(to: billing, note: "Refund?", replyMinutes: nil)
        case .resolve: return .resolve(summary: "Replaced the cable", options: [], compensation: nil)
        case .reopen: return .reopen(reason: "Still broken")
        case .secondHandling: return .secondHandling(LowRating(overall: 1, supervisors: [carol.id]))
        case .close: return .close
        case .merge: return .merge(into: MergeTarget(id: UUID(), reference: "T-000043"))
        case .archive: return .archive
        case .edit: return .edit(TicketEdit(priority: .p1, supervisors: [carol.id]))
        }
    }

    /// A plan needing approval, in `status`.
    static func plan(_ status: TicketPlan.Status) -> TicketPlan {
        TicketPlan(
            id: UUID(),
            tenantId: tenant,
            ticketId: UUID(),
            measures: "Swap the printer",
            executorId: alice.id,
            completeBy: nil,
            compensation: nil,
            complex: true,
            requiresApproval: true,
            status: status,
            proposedBy: alice.id,
            createdAt: minutes(-5),
            updatedAt: minutes(-5)
        )
    }

    /// Who does `kind`: the customer writes, the worker archives, Alice does the rest.
    static func actor(_ kind: TicketLifecycle.Action) -> TicketActor {
        switch kind {
        case .create, .customerReply, .secondHandling: .customer
        case .archive: .system
        default: .agent(alice.id)
        }
    }

    /// Intake's facts for a fault by email, routed to Alice unless `owner` says otherwise.
    static func newTicket(priority: String? = nil, owner: UUID? = alice.id, supervisors: [UUID] = []) throws -> NewTicketFacts {
        let request = try ValidatedIntake(
            NewTicket(customerId: UUID(), channel: "email", description: "It does not print", category: "fault", priority: priority),
            idempotencyKey: nil
        )
        return NewTicketFacts(
            tenantID: tenant,
            number: 7,
            reference: "T-000007",
            customerID: request.customerID!,
            request: request,
            routing: RoutingDecision(skill: nil, minTier: .junior, maxTier: .senior, priority: nil, rule: nil),
            owner: owner,
            suggestions: [],
            autoRepliesOff: false,
            supervisors: supervisors
        )
    }

    static func apply(_ action: TicketAction, to ticket: Ticket?, by actor: TicketActor = .agent(alice.id)) throws -> TicketChange {
        try TicketLifecycle.apply(action, to: ticket, by: actor, context: context)
    }
}

extension TicketChange {
    /// The timer of `kind` the change asks for.
    func timer(_ kind: String) -> TimerState? { timers.first { $0.kind == kind } }
}
