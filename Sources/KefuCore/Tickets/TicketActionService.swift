import Foundation
import KefuPostgres

/// Everything that happens to a ticket after intake. Each action is one transaction: the ticket
/// row is locked and read with the tenant's settings, the caller authorized, the transition
/// checked (409 when invalid), the facts the action needs resolved, its whole change decided by
/// `TicketLifecycle.apply` and written by `TicketStore.save` in one round trip with COMMIT.
public struct TicketActionService: Sendable {
    let database: TenantDatabase
    let clock: any KefuClock
    /// The deployment key: with it, a resolution keeps the survey token sealed for the emailed
    /// invitation's link (`SurveyStore.sealForInvitation`).
    public var secrets: SecretBox?

    public init(database: TenantDatabase, clock: any KefuClock) {
        self.database = database
        self.clock = clock
    }

    /// Runs `action` for `principal`, who must be allowed `authority(ticket)` on the ticket (its
    /// owner, or a role that always may: see `KefuAction`), in a transaction of its own.
    /// `resolve` loads the facts the action needs (after the transition is known to be legal).
    func mutate(
        _ principal: Principal,
        _ authority: (Ticket) -> KefuAction,
        _ ticketID: UUID,
        _ kind: TicketLifecycle.Action,
        commit: Bool = true,
        _ resolve: (TenantTransaction, Ticket, TicketContext) async throws -> TicketAction
    ) async throws -> TicketChange {
        try await database.transaction(principal.tenantID) { tx in
            try await mutate(
                tx,
                ticketID,
                kind,
                by: .agent(principal.agentID),
                authorize: { try principal.authorize(authority($0), on: $0.ownerId, standing: $1) },
                commit: commit,
                resolve
            )
        }
    }

    /// `mutate` for an action whose authority does not depend on the ticket's state.
    func mutate(
        _ principal: Principal,
        _ authority: KefuAction,
        _ ticketID: UUID,
        _ kind: TicketLifecycle.Action,
        commit: Bool = true,
        _ resolve: (TenantTransaction, Ticket, TicketContext) async throws -> TicketAction
    ) async throws -> TicketChange {
        try await mutate(principal, { _ in authority }, ticketID, kind, commit: commit, resolve)
    }

    /// The same inside an existing tenant transaction (e.g. a survey answer reopening its
    /// ticket; `commit` false there). Round trips: the locked ticket with the settings, the SLA
    /// policies, the acting agent's standing (task force, department) and the template overrides
    /// (one pipeline), the facts `resolve` loads (if any), the change.
    func mutate(
        _ tx: TenantTransaction,
        _ ticketID: UUID,
        _ kind: TicketLifecycle.Action,
        by actor: TicketActor,
        authorize: (Ticket, TicketStanding) throws -> Void = { _, _ in },
        commit: Bool,
        _ resolve: (TenantTransaction, Ticket, TicketContext) async throws -> TicketAction
    ) async throws -> TicketChange {
        let (ticket, profile, policies, standing, templates) = try await tx.pipeline(
            TicketStore.fetchStatement(tx.tenantID, id: ticketID, forUpdate: true),
            SettingsService.loadStatement(tx),
            SLAPolicyService.loadStatement(tx),
            TicketStanding.statement(tx.tenantID, ticket: ticketID, agent: actor.id ?? UUID()),
            TemplateService.loadStatement(tx)
        )
        let context = TicketContext(now: clock.now(), profile: profile, policies: policies, templates: templates, channel: ticket.channel)
        try authorize(ticket, standing)
        _ = try TicketLifecycle.next(from: ticket.status, on: kind)
        let action = try await resolve(tx, ticket, context)
        let change = try TicketLifecycle.apply(action, to: ticket, by: actor, context: context)
        try await TicketStore.save(change, in: tx, andCommit: commit)
        return change
    }

    /// Assigns a new ticket: to the caller (taking it), or to someone else (supervisors and admins).
    public func assign(_ principal: Principal, _ ticketID: UUID, _ input: AssignInput) async throws -> Ticket {
        let target = input.agentId ?? principal.agentID
        let authority: KefuAction = target == principal.agentID ? .takeTicket : .assignTicketToOthers
        return try await mutate(principal, authority, ticketID, .assign) { tx, _, _ in
            .assign(to: try await TicketAgents.requireActive(tx, target, field: "agent_id"))
        }.ticket
    }

    /// A public reply by an agent. The first one is the first response; each one restarts the
    /// progress-update clock. Replying to a new ticket takes it.
    /// `missing_info: true` says information is missing: the customer must then be asked
    /// (request-info) within `sla.missing_info_request_minutes` of the first response.
    public func respond(_ principal: Principal, _ ticketID: UUID, _ input: RespondInput) async throws -> Ticket {
        let body = try Self.body(MessageInput(body: input.body))
        let authority: @Sendable (Ticket) -> KefuAction = { $0.status == .new ? .takeTicket : .respond }
        return try await mutate(principal, authority, ticketID, .respond) { tx, ticket, _ in
            if ticket.status == .new { _ = try await TicketAgents.requireActive(tx, principal.agentID, field: "agent") }
            return .respond(body: body, missingInfo: input.missingInfo ?? false)
        }.ticket
    }

    /// A progress notice to the customer from the tenant's `progress_notice` template, with the
    /// agent's optional note: a public update exactly like a reply (it meets the progress clock and
    /// re-arms it; the text names the re-armed due time). Whoever may reply may send it, in the
    /// statuses a reply is allowed in except `new` (409: nobody works on the ticket yet).
    public func notifyProgress(_ principal: Principal, _ ticketID: UUID, _ input: ProgressInput) async throws -> Ticket {
        let note = try input.note.map { try Validate.text($0, field: "note", maxLength: 1000) }
        return try await mutate(principal, .respond, ticketID, .notifyProgress) { _, _, _ in .progress(note: note) }.ticket
    }

    /// An internal note: visible to agents only, changes nothing else.
    public func note(_ principal: Principal, _ ticketID: UUID, _ input: MessageInput) async throws -> Ticket {
        let body = try Self.body(input)
        return try await mutate(principal, .addNote, ticketID, .note) { _, _, _ in .note(body: body) }.ticket
    }

    /// Asks the customer for missing information: the ticket waits and its SLA clocks pause.
    public func requestInfo(_ principal: Principal, _ ticketID: UUID, _ input: MessageInput) async throws -> Ticket {
        let body = try Self.body(input)
        return try await mutate(principal, .requestInfo, ticketID, .requestInfo) { _, _, _ in .requestInfo(body: body) }.ticket
    }

    /// The customer wrote: a waiting ticket resumes and its clocks continue exactly where they paused.
    /// Written by a channel gateway's `integration` key (or an admin), never by an agent.
    public func customerReply(_ principal: Principal, _ ticketID: UUID, _ input: MessageInput) async throws -> Ticket {
        let body = try Self.body(input)
        return try await database.transaction(principal.tenantID) { tx in
            try await mutate(
                tx,
                ticketID,
                .customerReply,
                by: .customer,
                authorize: { ticket, _ in try principal.authorize(.customerReply, ticketOwner: ticket.ownerId) },
                commit: true
            ) { _, _, _ in .customerReply(body: body) }
        }.ticket
    }

    /// A message body of at most 20,000 characters.
    static func body(_ input: MessageInput) throws -> String {
        try Validate.text(input.body, field: "body", maxLength: 20_000)
    }
}
