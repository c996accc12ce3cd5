import Foundation

/// Everything Kefu holds about one customer (PIPL / GDPR access request): the customer, the
/// erasure record when they were erased, and their tickets with each ticket's conversation
/// (internal notes included), audit trail, owner history, surveys and QA follow-ups.
public struct CustomerExport: Codable, Sendable {
    public var customer: Customer
    public var erasure: CustomerErasure?
    public var tickets: [Ticket]
    public var messages: [TicketMessage]
    public var events: [TicketEvent]
    public var assignments: [TicketAssignment]
    public var surveys: [Survey]
    public var followups: [Followup]
    /// The plans of their tickets (measures, executor, confirmation).
    public var plans: [TicketPlan]
}
