import Foundation
import KefuPostgres

/// The body of a webhook request, rendered once per delivery with the API's JSON encoder (the
/// same shapes as the API's resources) from the record the outbox points at:
/// `{"id": <delivery id>, "type", "created_at", "tenant_id", "data": {…}}` where `data` holds
/// `event` + `ticket` (ticket.*), `message` + `ticket` (message.created), `message` + `ticket` +
/// `customer` (reply.created: the gateway needs the customer's `external_id`), `breach` + `ticket`
/// (sla.breached), `survey` + `ticket` (survey.answered) or `incident` (surge.*). The ticket is
/// as it stands when the body is rendered (at the first attempt).
enum WebhookPayload {
    /// What the outbox row says about its source.
    struct Source: Decodable, Sendable {
        var id: UUID
        /// A `WebhookEventType` (or, for a robot, a `RobotAlertType`).
        var eventType: String
        var sourceId: UUID?
        var ticketId: UUID?
        var createdAt: Date
    }

    /// The record a delivery reports is gone (its ticket was deleted with its tenant, say).
    struct SourceGone: Error, CustomStringConvertible {
        var description: String { "the record this delivery reports no longer exists" }
    }

    struct Envelope<Payload: Encodable>: Encodable {
        var id: UUID
        var type: WebhookEventType
        var createdAt: Date
        var tenantId: UUID
        var data: Payload
    }

    struct EventData: Encodable { var event: TicketEvent, ticket: Ticket }
    struct MessageData: Encodable { var message: TicketMessage, ticket: Ticket }
    struct ReplyData: Encodable { var message: TicketMessage, ticket: Ticket, customer: Customer }
    struct BreachData: Encodable { var breach: SLABreach, ticket: Ticket }
    struct SurveyData: Encodable { var survey: Survey, ticket: Ticket }
    struct IncidentData: Encodable { var incident: Incident }

    static func render(_ tx: TenantTransaction, _ source: Source) async throws -> String {
        guard let type = WebhookEventType(rawValue: source.eventType) else { throw SourceGone() }
        func envelope<Payload: Encodable>(_ data: Payload) throws -> String {
            let value = Envelope(id: source.id, type: type, createdAt: source.createdAt, tenantId: tx.tenantID, data: data)
            return String(decoding: try KefuJSON.encoder().encode(value), as: UTF8.self)
        }
        func ticket() async throws -> Ticket {
            guard let id = source.ticketId else { throw SourceGone() }
            do { return try await TicketStore.fetch(tx, id: id) } catch KefuError.notFound { throw SourceGone() }
        }
        switch type {
        case .ticketCreated, .ticketAssigned, .ticketUpdated:
            guard let id = source.sourceId,
                let row = try await tx.queryFirst("SELECT \(TicketEvent.columns) FROM ticket_events WHERE tenant_id = \(tx.tenantID) AND id = \(id)")
            else { throw SourceGone() }
            return try envelope(EventData(event: try TicketEvent(row: row), ticket: try await ticket()))
        case .messageCreated, .replyCreated:
            guard let id = source.sourceId,
                let message = try await tx.queryFirst(
                    TicketMessage.self,
                    """
                    SELECT id, ticket_id, author_kind, author_id, visibility, body, created_at FROM ticket_messages
                    WHERE tenant_id = \(tx.tenantID) AND id = \(id)
                    """
                )
            else { throw SourceGone() }
            let ticket = try await ticket()
            guard type == .replyCreated else { return try envelope(MessageData(message: message, ticket: ticket)) }
            let customer = try await CustomerStore.fetch(tx, id: ticket.customerId)
            return try envelope(ReplyData(message: message, ticket: ticket, customer: customer))
        case .slaBreached:
            guard
                let breach = try await tx.queryFirst(
                    SLABreach.self,
                    """
                    SELECT b.clock, b.due_at, b.met_at, b.detected_at, b.late_seconds
                    FROM deliveries d JOIN ticket_sla_breaches b
                      ON b.tenant_id = d.tenant_id AND b.ticket_id = d.ticket_id AND b.clock = d.source_key ->> 'clock'
                     AND b.due_at = (d.source_key ->> 'due_at')::timestamptz
                    WHERE d.tenant_id = \(tx.tenantID) AND d.id = \(source.id)
                    """
                )
            else { throw SourceGone() }
            return try envelope(BreachData(breach: breach, ticket: try await ticket()))
        case .surveyAnswered:
            guard let id = source.sourceId,
                let survey = try await tx.queryFirst(
                    Survey.self,
                    "SELECT \(SurveyStore.columns) FROM surveys WHERE tenant_id = \(tx.tenantID) AND id = \(id)"
                )
            else { throw SourceGone() }
            return try envelope(SurveyData(survey: survey, ticket: try await ticket()))
        case .surgeStarted, .surgeEnded:
            guard let id = source.sourceId else { throw SourceGone() }
            do { return try envelope(IncidentData(incident: try await IncidentStore.fetch(tx, id: id))) } catch KefuError.notFound {
                throw SourceGone()
            }
        }
    }
}
