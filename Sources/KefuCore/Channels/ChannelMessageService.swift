import Foundation
import KefuPostgres

/// Customer messages from channel gateways (`integration` keys): each platform message is taken
/// in once. It is appended to the customer's open conversation on that channel (the newest open
/// ticket of the customer there, as `customer-reply`: a waiting ticket resumes) or opens a ticket
/// (intake: routing, clocks, acknowledgement as `POST /v1/tickets`). The record of the platform
/// message is written in the same transaction, so a retried post answers the first receipt and
/// nothing is appended twice.
public struct ChannelMessageService: Sendable {
    let database: TenantDatabase
    let clock: any KefuClock
    let intake: TicketIntakeService
    let actions: TicketActionService

    public init(database: TenantDatabase, clock: any KefuClock) {
        self.database = database
        self.clock = clock
        intake = TicketIntakeService(database: database, clock: clock)
        actions = TicketActionService(database: database, clock: clock)
    }

    /// Takes one message in for `principal`'s tenant; `created` is false when the platform message
    /// was taken in before (the first receipt is answered).
    public func receive(
        _ principal: Principal,
        channel name: String,
        _ input: ChannelMessageInput
    ) async throws -> (receipt: ChannelMessageReceipt, created: Bool) {
        let message = try ValidatedChannelMessage(channel: name, input, byGateway: principal.role == .integration)
        let tenantID = principal.tenantID
        do {
            let created = try await database.transaction(tenantID) { tx in try await receive(tx, message) }
            if created { WorkAnnouncer.shared.announce(on: database.pool) }
            let receipt = try await database.transaction(tenantID, readOnly: true) { tx in try await Self.receipt(tx, message) }
            guard let receipt else { throw KefuError.notFound("channel message") }
            return (receipt, created)
        } catch let error as PostgresError where error.isUniqueViolation && error.constraint == "channel_messages_pkey" {
            // The same message posted concurrently for another customer id: the first one stands.
            let receipt = try await database.transaction(tenantID, readOnly: true) { tx in try await Self.receipt(tx, message) }
            guard let receipt else { throw error }
            return (receipt, false)
        }
    }

    /// Appends or opens, unless the platform message was taken in before (false then). Posts for
    /// one customer on one channel are taken one at a time, so two quick messages of a new
    /// customer open one ticket, not two.
    private func receive(_ tx: TenantTransaction, _ message: ValidatedChannelMessage) async throws -> Bool {
        let conversation = "\(tx.tenantID.uuidString)/\(message.channel.rawValue)/\(message.externalID)"
        try await tx.execute("SELECT pg_advisory_xact_lock(hashtextextended(\(conversation), 0))")
        if try await Self.receipt(tx, message) != nil { return false }
        let open = try await tx.queryScalar(
            UUID.self,
            """
            SELECT t.id FROM customers c
            JOIN tickets t ON t.tenant_id = c.tenant_id AND t.customer_id = c.id
            WHERE c.tenant_id = \(tx.tenantID) AND c.external_id = \(message.externalID) AND c.erased_at IS NULL
              AND t.channel = \(message.channel.ticketChannel.rawValue) AND t.status = ANY (\(TicketStatus.open.map(\.rawValue)))
            ORDER BY t.created_at DESC, t.id DESC
            LIMIT 1
            """
        )
        let now = clock.now()
        if let ticketID = open {
            _ = try await actions.mutate(tx, ticketID, .customerReply, by: .customer, commit: false) { _, _, _ in
                .customerReply(body: message.intake.description)
            }
            try await tx.pipelineAndCommit([Self.recordQuery(tx, message, ticket: ticketID, opened: false, at: now)])
        } else {
            _ = try await intake.intake(tx, message.intake) { ticket in
                [Self.recordQuery(tx, message, ticket: ticket.id, opened: true, at: now)]
            }
        }
        return true
    }

    /// Records the platform message against the customer's newest message on the ticket (the one
    /// just written, in the same transaction).
    static func recordQuery(
        _ tx: TenantTransaction,
        _ message: ValidatedChannelMessage,
        ticket: UUID,
        opened: Bool,
        at now: Date
    ) -> PostgresQuery {
        """
        INSERT INTO channel_messages (tenant_id, channel, platform_message_id, ticket_id, message_id, opened_ticket, received_at)
        SELECT \(tx.tenantID), \(message.channel.rawValue), \(message.platformID), \(ticket), m.id, \(opened), \(now)
        FROM ticket_messages m
        WHERE m.tenant_id = \(tx.tenantID) AND m.ticket_id = \(ticket) AND m.author_kind = 'customer'
        ORDER BY m.seq DESC
        LIMIT 1
        """
    }

    static func receipt(_ tx: TenantTransaction, _ message: ValidatedChannelMessage) async throws -> ChannelMessageReceipt? {
        try await tx.queryFirst(
            ChannelMessageReceipt.self,
            """
            SELECT channel, platform_message_id AS message_id, ticket_id, message_id AS ticket_message_id, opened_ticket, received_at
            FROM channel_messages
            WHERE tenant_id = \(tx.tenantID) AND channel = \(message.channel.rawValue) AND platform_message_id = \(message.platformID)
            """
        )
    }
}

/// A channel message checked before anything is read or written (422 naming the field).
struct ValidatedChannelMessage: Sendable {
    var channel: GatewayChannel
    var platformID: String
    var externalID: String
    /// The ticket it opens if the customer has no open conversation on the channel.
    var intake: ValidatedIntake

    init(channel name: String, _ input: ChannelMessageInput, byGateway: Bool) throws {
        channel = try Validate.choice(name, GatewayChannel.self, field: "channel")
        platformID = try Validate.text(input.messageId, field: "message_id")
        guard let externalID = input.customer.externalId else {
            throw KefuError.invalidField("customer.external_id", "is required: the platform's id of the customer")
        }
        self.externalID = try Validate.text(externalID, field: "customer.external_id")
        let text = try Validate.text(input.text, field: "text", maxLength: 20_000)
        let ticket = NewTicket(
            customer: input.customer,
            channel: channel.ticketChannel.rawValue,
            subject: input.subject,
            description: text,
            category: input.category ?? TicketCategory.inquiry.rawValue
        )
        intake = try ValidatedIntake(ticket, idempotencyKey: nil)
        intake.byGateway = byGateway
    }
}
