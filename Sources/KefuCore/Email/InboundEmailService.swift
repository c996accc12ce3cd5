import Crypto
import Foundation
import KefuPostgres

/// Email in: a tenant's inbound address takes raw messages as an MTA or a mail provider posts
/// them. A message continuing a ticket (`EmailThreading`) becomes the customer's reply to it —
/// through the lifecycle's customer-reply action, so a ticket waiting on the customer resumes
/// its clocks; any other opens a ticket on channel `email` through intake (routing, clocks and
/// acknowledgement as `POST /v1/tickets`), with the customer found by email contact or created.
/// Loops (`EmailLoopRule`) and messages received before are ignored. Each message is one
/// transaction, keyed by its Message-ID: of two concurrent deliveries one waits for the other's
/// record and is then a duplicate.
public struct InboundEmailService: Sendable {
    let database: TenantDatabase
    let clock: any KefuClock
    let intake: TicketIntakeService
    let actions: TicketActionService
    /// Addresses Kefu sends from (the deployment's relay sender, lower-cased): mail from them is a loop.
    let ownAddresses: Set<String>
    let limits: EmailAttachmentLimits

    /// Longest text kept (as a message body or ticket description), in code points; longer
    /// text is cut and ends with `truncationNote`.
    public static let maximumTextLength = 20_000
    static let truncationNote = "\n[…]"

    public init(
        database: TenantDatabase,
        clock: any KefuClock,
        ownAddresses: Set<String> = [],
        limits: EmailAttachmentLimits = EmailAttachmentLimits()
    ) {
        self.database = database
        self.clock = clock
        self.intake = TicketIntakeService(database: database, clock: clock)
        self.actions = TicketActionService(database: database, clock: clock)
        self.ownAddresses = Set(ownAddresses.map { $0.lowercased() })
        self.limits = limits
    }

    /// A new inbound token for the tenant, shown once; the previous one stops working at once.
    public func replaceToken(_ tenantID: UUID) async throws -> InboundEmailToken {
        try await database.transaction(tenantID) { tx in try await InboundEmailTokenStore.replace(tx, now: clock.now()) }
    }

    /// Takes the raw message `bytes` posted to the address of `token`.
    public func receive(token: String, message bytes: [UInt8]) async throws -> InboundEmailResult {
        let tenantID = try await InboundEmailTokenStore.tenant(of: token, pool: database.pool)
        guard !bytes.isEmpty else { throw KefuError.invalidField("body", "must be a raw RFC 5322 message") }
        let email = InboundEmail(bytes, limits: limits)
        guard !email.headers.fields.isEmpty else {
            throw KefuError.invalidField("body", "must be a raw RFC 5322 message (header fields, an empty line, the body)")
        }
        let messageID = email.messageID ?? "sha256.\(Self.hex(SHA256.hash(data: bytes)))@kefu.invalid"
        let loop = EmailLoopRule.match(email, ownAddresses: ownAddresses)
        guard loop != nil || email.from != nil else { throw KefuError.invalidField("From", "must hold the sender's address") }
        var result = InboundEmailResult(
            outcome: .ignored,
            messageId: messageID,
            attachments: email.attachments,
            droppedAttachments: email.dropped
        )
        let received = try await database.transaction(tenantID) { tx in
            if let earlier = try await claim(tx, messageID) {
                result.reason = InboundEmailResult.duplicate
                result.ticketId = earlier
                result.attachments = []
                result.droppedAttachments = []
                return result
            }
            if let loop {
                result.reason = loop.rawValue
                result.attachments = []
                result.droppedAttachments = []
                try await tx.execute(record(tx, result))
                return result
            }
            guard let sender = email.from else { throw KefuError.invalidField("From", "must hold the sender's address") }
            let thread = try await EmailThreading.thread(tx, answers: email.answers, subject: email.subject, sender: sender.address)
            if let thread, thread.status.isOpen || thread.status == .resolved {
                result.outcome = .appended
                result.ticketId = thread.ticketID
                let body = Self.storable(Self.text(of: email), limit: Self.maximumTextLength)
                _ = try await actions.mutate(tx, thread.ticketID, .customerReply, by: .customer, commit: false) { _, _, _ in
                    .customerReply(body: body)
                }
                try await tx.pipelineAndCommit([record(tx, result)])
            } else {
                result.outcome = .created
                let input = try await newTicket(tx, email, sender: sender)
                let taken = try await intake.intake(tx, try ValidatedIntake(input, idempotencyKey: nil)) { ticket in
                    result.ticketId = ticket.id
                    return [record(tx, result)]
                }
                result.ticketId = taken.ticket.id
            }
            return result
        }
        if received.outcome == .created { WorkAnnouncer.shared.announce(on: database.pool) }
        return received
    }

    /// Records the message as received (its row stays locked until commit); when it was received
    /// before, the ticket it went to (or nil) wrapped in an optional instead.
    private func claim(_ tx: TenantTransaction, _ messageID: String) async throws -> UUID?? {
        let inserted = try await tx.execute(
            """
            INSERT INTO inbound_emails (tenant_id, message_id, outcome, received_at)
            VALUES (\(tx.tenantID), \(messageID), 'received', \(clock.now()))
            ON CONFLICT (tenant_id, message_id) DO NOTHING
            """
        )
        guard inserted == 0 else { return nil }
        let earlier = try await tx.queryFirst(
            "SELECT ticket_id FROM inbound_emails WHERE tenant_id = \(tx.tenantID) AND message_id = \(messageID)"
        )
        return .some(try earlier?.decode(UUID?.self, "ticket_id") ?? nil)
    }

    /// What became of the message, and on its ticket's newest customer message (the one this
    /// transaction wrote, the ticket being locked) the Message-ID that threads later replies.
    private func record(_ tx: TenantTransaction, _ result: InboundEmailResult) -> PostgresQuery {
        """
        WITH message AS (
            UPDATE ticket_messages SET email_message_id = \(result.messageId)
            WHERE tenant_id = \(tx.tenantID) AND id = (
                SELECT id FROM ticket_messages
                WHERE tenant_id = \(tx.tenantID) AND ticket_id = \(result.ticketId) AND author_kind = 'customer' AND email_message_id IS NULL
                ORDER BY seq DESC LIMIT 1)
            RETURNING id
        )
        UPDATE inbound_emails SET outcome = \(result.outcome.rawValue), reason = \(result.reason), ticket_id = \(result.ticketId),
            ticket_message_id = (SELECT id FROM message), attachments = \(json: result.attachments),
            dropped = \(json: result.droppedAttachments)
        WHERE tenant_id = \(tx.tenantID) AND message_id = \(result.messageId)
        """
    }

    /// The intake request for a message that continues no ticket: the sender's customer (the
    /// first, oldest, not erased customer with that email contact; else a new one named by the
    /// display name or the address), the subject, the text, the attachments as references.
    private func newTicket(_ tx: TenantTransaction, _ email: InboundEmail, sender: MailAddress) async throws -> NewTicket {
        // Two first mails from one new address at once must not make two customers.
        try await tx.execute("SELECT pg_advisory_xact_lock(hashtextextended(\(tx.tenantID.uuidString + " " + sender.address), 37))")
        let contact = CustomerContact(kind: .email, value: sender.address, consent: true)
        let existing = try await tx.queryScalar(
            UUID.self,
            """
            SELECT id FROM customers
            WHERE tenant_id = \(tx.tenantID) AND erased_at IS NULL AND contacts @> \(PostgresJSON([contact]))
            ORDER BY created_at, id LIMIT 1
            """
        )
        let name = Self.storable(sender.name ?? "", limit: 200)
        let subject = Self.storable(email.subject ?? "", limit: 300)
        return NewTicket(
            customerId: existing,
            customer: existing == nil ? NewCustomer(name: name.isEmpty ? sender.address : name, contacts: [contact]) : nil,
            contact: sender.address,
            channel: TicketChannel.email.rawValue,
            subject: subject.isEmpty ? nil : subject,
            description: Self.storable(Self.text(of: email), limit: Self.maximumTextLength),
            attachments: email.attachments.map { String("sha256:\($0.sha256) \($0.filename)".unicodeScalars.prefix(1000)) },
            category: TicketCategory.inquiry.rawValue
        )
    }

    /// The message's text; for a message with no text, what it holds.
    static func text(of email: InboundEmail) -> String {
        let text = email.text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.isEmpty else { return text }
        if !email.attachments.isEmpty || !email.dropped.isEmpty { return "(attachments only)" }
        return email.subject.map(storableLine) ?? "(empty message)"
    }

    private static func storableLine(_ text: String) -> String {
        let line = storable(text, limit: 300)
        return line.isEmpty ? "(empty message)" : line
    }

    /// `text` as Kefu stores it: control characters other than tab and line feed removed, trimmed,
    /// and cut to `limit` code points (ending with `truncationNote` when cut).
    static func storable(_ text: String, limit: Int) -> String {
        var scalars = String.UnicodeScalarView()
        for scalar in text.unicodeScalars where scalar.value >= 0x20 || scalar == "\n" || scalar == "\t" {
            guard scalar.value != 0x7F else { continue }
            scalars.append(scalar)
        }
        let clean = String(scalars).trimmingCharacters(in: .whitespacesAndNewlines)
        guard clean.unicodeScalars.count > limit else { return clean }
        let note = limit > 100 ? truncationNote : ""
        return String(String.UnicodeScalarView(clean.unicodeScalars.prefix(limit - note.unicodeScalars.count))) + note
    }

    private static func hex(_ digest: some Sequence<UInt8>) -> String {
        digest.map { String(format: "%02x", $0) }.joined()
    }
}
