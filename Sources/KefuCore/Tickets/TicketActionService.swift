import Foundation
import KefuPostgres

/// Everything that happens to a ticket after intake. Each action is one transaction: the ticket
/// row is locked, the lifecycle checked (409 on an invalid transition), the change, its messages,
/// its SLA effects and its audit events written together.
public struct TicketActionService: Sendable {
    let database: TenantDatabase
    let clock: any KefuClock

    public init(database: TenantDatabase, clock: any KefuClock) {
        self.database = database
        self.clock = clock
    }

    /// Loads and locks the ticket, checks that `principal` may do `action` on it (its owner, or a
    /// role that always may: see `KefuAction`), applies `body`, re-arms the ticket's timers and
    /// returns the ticket as stored afterwards — all in one transaction.
    func mutate(
        _ principal: Principal,
        _ action: (Ticket) -> KefuAction,
        _ ticketID: UUID,
        _ body: (TenantTransaction, Ticket, TicketContext) async throws -> Void
    ) async throws -> Ticket {
        try await database.transaction(principal.tenantID) { tx in
            try await mutate(tx, ticketID) { tx, ticket, context in
                try principal.authorize(action(ticket), ticketOwner: ticket.ownerId)
                try await body(tx, ticket, context)
            }
        }
    }

    /// `mutate` for an action whose rule does not depend on the ticket's state.
    func mutate(
        _ principal: Principal,
        _ action: KefuAction,
        _ ticketID: UUID,
        _ body: (TenantTransaction, Ticket, TicketContext) async throws -> Void
    ) async throws -> Ticket {
        try await mutate(principal, { _ in action }, ticketID, body)
    }

    /// The same inside an existing tenant transaction (e.g. a survey answer reopening its ticket).
    func mutate(
        _ tx: TenantTransaction,
        _ ticketID: UUID,
        _ body: (TenantTransaction, Ticket, TicketContext) async throws -> Void
    ) async throws -> Ticket {
        let ticket = try await TicketStore.fetch(tx, id: ticketID, forUpdate: true)
        let context = try await TicketContext.load(tx, ticket: ticket, now: clock.now())
        try await body(tx, ticket, context)
        let updated = try await TicketStore.fetch(tx, id: ticketID)
        try await TicketTimers.sync(tx, updated, context: context)
        return updated
    }

    /// Assigns a new ticket: to the caller (taking it), or to someone else (supervisors and admins).
    public func assign(_ principal: Principal, _ ticketID: UUID, _ input: AssignInput) async throws -> Ticket {
        let actor = principal.agentID
        let action: KefuAction = (input.agentId ?? actor) == actor ? .takeTicket : .assignTicketToOthers
        return try await mutate(principal, action, ticketID) { tx, ticket, context in
            _ = try TicketLifecycle.next(from: ticket.status, on: .assign)
            let agent = try await TicketAgents.requireActive(tx, input.agentId ?? actor, field: "agent_id")
            try await TicketAgents.takeFirst(tx, ticket, agent: agent.id, by: actor, at: context.now)
        }
    }

    /// A public reply by an agent. The first one is the first response; each one restarts the
    /// progress-update clock. Replying to a new ticket takes it.
    public func respond(_ principal: Principal, _ ticketID: UUID, _ input: MessageInput) async throws -> Ticket {
        let actor = principal.agentID
        let body = try Validate.text(input.body, field: "body", maxLength: 20_000)
        let action: @Sendable (Ticket) -> KefuAction = { $0.status == .new ? .takeTicket : .respond }
        return try await mutate(principal, action, ticketID) { tx, ticket, context in
            let next = try TicketLifecycle.next(from: ticket.status, on: .respond)
            if ticket.status == .new {
                _ = try await TicketAgents.requireActive(tx, actor, field: "agent")
                try await TicketAgents.takeFirst(tx, ticket, agent: actor, by: actor, at: context.now)
            }
            _ = try await TicketStore.addMessage(tx, ticket: ticket.id, author: .agent(actor), visibility: "public", body: body, at: context.now)
            try await TicketClocks.publicUpdate(tx, ticket, context: context)
            try await setStatus(tx, ticket, next, actor: .agent(actor), kind: "responded", at: context.now)
        }
    }

    /// An internal note: visible to agents only, changes nothing else.
    public func note(_ principal: Principal, _ ticketID: UUID, _ input: MessageInput) async throws -> Ticket {
        let actor = principal.agentID
        let body = try Validate.text(input.body, field: "body", maxLength: 20_000)
        return try await mutate(principal, .addNote, ticketID) { tx, ticket, context in
            _ = try TicketLifecycle.next(from: ticket.status, on: .note)
            _ = try await TicketStore.addMessage(tx, ticket: ticket.id, author: .agent(actor), visibility: "internal", body: body, at: context.now)
            try await TicketStore.record(tx, ticket: ticket.id, actor: .agent(actor), kind: "noted", at: context.now)
        }
    }

    /// Asks the customer for missing information: the ticket waits and its SLA clocks pause.
    public func requestInfo(_ principal: Principal, _ ticketID: UUID, _ input: MessageInput) async throws -> Ticket {
        let actor = principal.agentID
        let body = try Validate.text(input.body, field: "body", maxLength: 20_000)
        return try await mutate(principal, .requestInfo, ticketID) { tx, ticket, context in
            let next = try TicketLifecycle.next(from: ticket.status, on: .requestInfo)
            _ = try await TicketStore.addMessage(tx, ticket: ticket.id, author: .agent(actor), visibility: "public", body: body, at: context.now)
            try await TicketClocks.publicUpdate(tx, ticket, context: context)
            try await TicketClocks.pause(tx, ticket, at: context.now, actor: .agent(actor))
            try await setStatus(tx, ticket, next, actor: .agent(actor), kind: "info_requested", at: context.now)
        }
    }

    /// The customer wrote: a waiting ticket resumes and its clocks continue exactly where they paused.
    /// Written by a channel gateway's `integration` key (or an admin), never by an agent.
    public func customerReply(_ principal: Principal, _ ticketID: UUID, _ input: MessageInput) async throws -> Ticket {
        let body = try Validate.text(input.body, field: "body", maxLength: 20_000)
        return try await mutate(principal, .customerReply, ticketID) { tx, ticket, context in
            let next = try TicketLifecycle.next(from: ticket.status, on: .customerReply)
            _ = try await TicketStore.addMessage(tx, ticket: ticket.id, author: .customer, visibility: "public", body: body, at: context.now)
            if ticket.status == .waitingOnCustomer {
                try await TicketClocks.resume(tx, ticket, context: context)
            }
            try await setStatus(tx, ticket, next, actor: .customer, kind: "customer_replied", at: context.now)
        }
    }

    /// A plan or workaround was given to the customer (P1 within 2 h, P2 within 4 h).
    public func plan(_ principal: Principal, _ ticketID: UUID, _ input: MessageInput) async throws -> Ticket {
        let actor = principal.agentID
        let body = try Validate.text(input.body, field: "body", maxLength: 20_000)
        return try await mutate(principal, .plan, ticketID) { tx, ticket, context in
            _ = try TicketLifecycle.next(from: ticket.status, on: .plan)
            _ = try await TicketStore.addMessage(tx, ticket: ticket.id, author: .agent(actor), visibility: "public", body: body, at: context.now)
            try await TicketClocks.publicUpdate(tx, ticket, context: context)
            try await TicketClocks.planGiven(tx, ticket, at: context.now)
            try await TicketStore.record(tx, ticket: ticket.id, actor: .agent(actor), kind: "plan_given", at: context.now)
        }
    }

    /// Updates the status (when it changes) and records the event.
    func setStatus(_ tx: TenantTransaction, _ ticket: Ticket, _ next: TicketStatus, actor: TicketActor, kind: String, at now: Date) async throws {
        if next != ticket.status {
            try await tx.execute(
                """
                UPDATE tickets SET status = \(next.rawValue), updated_at = \(now)
                WHERE tenant_id = \(tx.tenantID) AND id = \(ticket.id)
                """
            )
        } else {
            try await tx.execute("UPDATE tickets SET updated_at = \(now) WHERE tenant_id = \(tx.tenantID) AND id = \(ticket.id)")
        }
        try await TicketStore.record(
            tx,
            ticket: ticket.id,
            actor: actor,
            kind: kind,
            before: ["status": .string(ticket.status.rawValue)],
            after: ["status": .string(next.rawValue)],
            at: now
        )
    }
}

/// What an action needs besides the ticket: the instant, the tenant's settings and the calendar
/// of the ticket's channel.
struct TicketContext {
    var now: Date
    var settings: TenantSettings
    var calendar: BusinessCalendar

    static func load(_ tx: TenantTransaction, ticket: Ticket, now: Date) async throws -> TicketContext {
        let profile = try await SettingsService.load(tx)
        return TicketContext(
            now: now,
            settings: profile.settings,
            calendar: profile.settings.calendar(timezone: profile.timezone, channel: ticket.channel.rawValue)
        )
    }
}
