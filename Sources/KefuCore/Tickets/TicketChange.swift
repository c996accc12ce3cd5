import Foundation

/// Everything one ticket action changes, decided by `TicketLifecycle.apply` and written whole by
/// `TicketStore.save`: the new ticket value and the records that go with it.
struct TicketChange: Sendable {
    /// The ticket before the action; nil when the action created it.
    var before: Ticket?
    /// The ticket after the action: what is stored and what the API answers.
    var ticket: Ticket
    /// The instant of the action: every record's `created_at`.
    var at: Date
    /// Messages added to the conversation, in order.
    var messages: [TicketMessageDraft] = []
    /// Changes of owner, for the owner history.
    var assignments: [TicketAssignmentDraft] = []
    /// Audit-trail entries, in order; an `sla_breached` entry carries its breach.
    var events: [TicketEventRecord] = []
    /// Outbox items for people.
    var notifications: [TicketNotificationDraft] = []
    /// The ticket's timers as its new value asks (`TicketTimers.states`).
    var timers: [TimerState] = []
    /// Set for a new ticket: what its INSERT stores besides the ticket value.
    var creation: TicketCreation?
    /// The plan this change proposes or moves on a step, stored whole.
    var plan: TicketPlan?
    /// The plan in progress a new proposal supersedes.
    var supersededPlan: UUID?

    init(before: Ticket?, ticket: Ticket, at: Date) {
        self.before = before
        self.ticket = ticket
        self.at = at
    }

    /// Clocks met late in this change, each written once per clock and due instant.
    var breaches: [SLABreachDraft] { events.compactMap(\.breach) }

    /// The kinds of the change's events, in order (for reading and tests).
    var eventKinds: [String] { events.map(\.kind) }

    mutating func say(_ author: TicketActor, _ visibility: TicketMessageDraft.Visibility, _ body: String) {
        messages.append(TicketMessageDraft(author: author, visibility: visibility, body: body))
    }

    mutating func record(
        _ actor: TicketActor,
        _ kind: String,
        before: [String: JSONValue]? = nil,
        after: [String: JSONValue]? = nil
    ) {
        events.append(TicketEventRecord(actor: actor, kind: kind, before: before, after: after))
    }
}

/// A message to add to the conversation.
struct TicketMessageDraft: Sendable, Equatable {
    enum Visibility: String, Sendable {
        /// Seen by the customer.
        case `public`
        /// Seen by agents only.
        case `internal`
    }

    var author: TicketActor
    var visibility: Visibility
    var body: String
}

/// An entry of the owner history.
struct TicketAssignmentDraft: Sendable, Equatable {
    /// `initial`, `transfer` or `redispatch`.
    var kind: String
    var from: UUID?
    var to: UUID
    var by: UUID?
    var reason: String? = nil
    var handoverNote: String? = nil
    var secondsSincePrevious: Double? = nil
}

/// A clock met after its due instant.
struct SLABreachDraft: Sendable, Equatable {
    var clock: String
    var dueAt: Date
    var metAt: Date

    var lateSeconds: Double { metAt.timeIntervalSince(dueAt) }
}

/// An outbox item for each of `recipients`.
struct TicketNotificationDraft: Sendable, Equatable {
    var recipients: [UUID]
    var kind: String
    var message: String
}

/// What a new ticket's INSERT stores that the `Ticket` value does not show.
struct TicketCreation: Sendable, Equatable {
    var idempotencyKey: String?
    var fingerprint: Data?
}
