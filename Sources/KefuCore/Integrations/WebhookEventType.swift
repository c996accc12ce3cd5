/// What a webhook can subscribe to. Each type is delivered when the record that says it happened
/// is written (sql/034's outbox triggers): a ticket event, a message, an SLA breach, an answered
/// survey, a surge incident starting or ending.
public enum WebhookEventType: String, Codable, Sendable, CaseIterable {
    /// A ticket was taken in (its `created` event).
    case ticketCreated = "ticket.created"
    /// A ticket got an owner: first assignment, transfer or redispatch.
    case ticketAssigned = "ticket.assigned"
    /// Any other ticket event (status changes, edits, plans, department steps, …).
    case ticketUpdated = "ticket.updated"
    /// A message was written on a ticket: the customer's, an agent's reply or note, a system text.
    case messageCreated = "message.created"
    /// What the customer must receive: a public message by an agent or by the system (a reply,
    /// the acknowledgement, a notice). A channel gateway's webhook sends it back to the customer.
    case replyCreated = "reply.created"
    /// An SLA clock was missed.
    case slaBreached = "sla.breached"
    /// A customer answered a satisfaction survey.
    case surveyAnswered = "survey.answered"
    /// The tenant went into contingency (surge) mode.
    case surgeStarted = "surge.started"
    /// The tenant left contingency mode.
    case surgeEnded = "surge.ended"
}
