import Foundation
import KefuPostgres

/// The result of intake: the ticket, and whether this call created it (false when an
/// `Idempotency-Key` matched an earlier request).
public struct IntakeResult: Sendable {
    public var ticket: Ticket
    public var created: Bool
}

/// Ticket intake: validates, finds or creates the customer, routes, starts the SLA clocks, numbers
/// the ticket per tenant and records it all — one transaction, so nothing is half-written.
public struct TicketIntakeService: Sendable {
    let database: TenantDatabase
    let clock: any KefuClock

    public init(database: TenantDatabase, clock: any KefuClock) {
        self.database = database
        self.clock = clock
    }

    /// Takes a ticket in. `byGateway`: a channel gateway's `integration` key sends it (no person
    /// has answered the customer yet; see `Acknowledgement`).
    public func intake(_ tenantID: UUID, _ input: NewTicket, idempotencyKey: String? = nil, byGateway: Bool = false) async throws -> IntakeResult {
        var request = try ValidatedIntake(input, idempotencyKey: idempotencyKey)
        request.byGateway = byGateway
        do {
            let result = try await database.transaction(tenantID) { tx in try await intake(tx, request) }
            if result.created { WorkAnnouncer.shared.announce(on: database.pool) }
            return result
        } catch let error as PostgresError where error.isUniqueViolation && error.constraint == "tickets_tenant_id_idempotency_key_key" {
            // A concurrent retry with the same key won the race: answer with its ticket.
            return try await database.transaction(tenantID) { tx in
                guard let existing = try await existingTicket(tx, request) else { throw error }
                return IntakeResult(ticket: existing, created: false)
            }
        }
    }

    /// The ticket taken in earlier with the request's `Idempotency-Key` (per tenant, kept as long
    /// as the ticket), if its request was the same; `idempotencyKeyReused` if it was another.
    private func existingTicket(_ tx: TenantTransaction, _ request: ValidatedIntake) async throws -> Ticket? {
        guard let key = request.idempotencyKey else { return nil }
        guard
            let row = try await tx.queryFirst(
                """
                SELECT \(TicketStore.columns), t.idempotency_fingerprint FROM tickets t
                WHERE t.tenant_id = \(tx.tenantID) AND t.idempotency_key = \(key)
                """
            )
        else { return nil }
        // Tickets taken in before fingerprints were stored have none and match any request.
        if let stored = try row.decode(Data?.self, "idempotency_fingerprint"), stored != request.fingerprint {
            throw KefuError.idempotencyKeyReused
        }
        return try Ticket(row: row)
    }

    /// Round trips: BEGIN with the customer and the reads (one pipeline), the agent pick with the
    /// ticket number, then the writes with the timers and COMMIT (one pipeline). The ticket is
    /// answered from the values written, not read back. `also`: the caller's writes about the new
    /// ticket, run in the last pipeline just before COMMIT (e.g. a channel message's record).
    func intake(
        _ tx: TenantTransaction,
        _ request: ValidatedIntake,
        also: (Ticket) -> [PostgresQuery] = { _ in [] }
    ) async throws -> IntakeResult {
        if let existing = try await existingTicket(tx, request) {
            return IntakeResult(ticket: existing, created: false)
        }
        let now = clock.now()
        // The customer rides in the reads' pipeline, unless an `external_id` must be looked up first.
        let customerStatement: PostgresStatement<Customer>
        switch try CustomerSource(request) {
        case .existing(let id):
            customerStatement = CustomerStore.fetchStatement(tx, id: id)
                .mapError { error in
                    guard case .notFound? = error as? KefuError else { return error }
                    return KefuError.invalidField("customer_id", "no such customer")
                }
                .map { customer in
                    guard customer.erasedAt == nil else {
                        throw KefuError.invalidField("customer_id", "the customer's personal data was erased: create a new customer")
                    }
                    return customer
                }
        case .new(let draft) where draft.externalID == nil: customerStatement = CustomerStore.insertStatement(tx, draft, now: now)
        case .new(let draft): customerStatement = .known(try await CustomerStore.insert(tx, draft, now: now))
        }
        try await TagStore.requireLeaves(tx, request.tagIDs, field: "tag_ids")
        let text = (request.subject ?? "") + " " + request.description
        let (customer, profile, policies, templates, rules, surge, suggestions) = try await tx.pipeline(
            customerStatement,
            SettingsService.loadStatement(tx),
            SLAPolicyService.loadStatement(tx),
            TemplateService.loadStatement(tx),
            RoutingRuleStore.activeRulesStatement(tx),
            SurgeSwitches.activeStatement(tx),
            ArticleService.suggestionsStatement(tx, for: text)
        )

        let isNew = now.timeIntervalSince(customer.firstSeenAt) < TicketRouting.newCustomerDays * 86_400
        var decision = TicketRouting.decide(
            rules,
            for: RoutingInput(
                text: text,
                segment: customer.segment,
                isNewCustomer: isNew,
                category: request.category,
                channel: request.channel
            )
        )
        if request.channel == .chat, surge?.fastTransfer == true {
            // Surge mode's fast path: chat goes straight to whoever is free.
            decision.skill = nil
            decision.minTier = .junior
            decision.maxTier = .senior
        }
        let priority = NewTicketFacts.priority(request, decision)
        let context = TicketContext(now: now, profile: profile, policies: policies, templates: templates, channel: request.channel)

        // The counter row stays locked until commit: take it only now, so concurrent intakes wait briefly.
        let (owner, number) = try await tx.pipeline(TicketRouting.pickAgentStatement(tx, decision), TicketCounter.nextStatement(tx))
        let facts = NewTicketFacts(
            tenantID: tx.tenantID,
            number: number.number,
            reference: number.reference,
            customerID: customer.id,
            segment: customer.segment,
            request: request,
            routing: decision,
            owner: owner,
            suggestions: suggestions,
            autoRepliesOff: surge?.autoRepliesOff == true,
            supervisors: priority <= .p2 ? try await NotificationStore.supervisors(tx) : []
        )
        let change = try TicketLifecycle.apply(.create(facts), to: nil, by: .customer, context: context)
        var writes = TicketStore.saveQueries(change, in: tx)
        if let counting = IntakeCounter.recordQuery(tx, channel: request.channel, at: now) { writes.append(counting) }
        writes.append(contentsOf: also(change.ticket))
        try await tx.pipelineAndCommit(writes)
        return IntakeResult(ticket: change.ticket, created: true)
    }
}

/// Where intake's customer comes from: an existing one, or one created inline.
enum CustomerSource {
    case existing(UUID)
    case new(CustomerDraft)

    init(_ request: ValidatedIntake) throws {
        if let id = request.customerID {
            self = .existing(id)
        } else if let inline = request.customer {
            self = .new(try CustomerDraft(inline, field: "customer"))
        } else {
            throw KefuError.invalidField("customer_id", "give customer_id or an inline customer")
        }
    }
}

/// Intake input after the checks that need no database.
struct ValidatedIntake: Sendable {
    var customerID: UUID?
    var customer: NewCustomer?
    var contact: String?
    var channel: TicketChannel
    var subject: String?
    var description: String
    var attachments: [String]
    var occurredAt: Date?
    var expectedResolutionAt: Date?
    var category: TicketCategory
    var tagIDs: [UUID]
    var priority: TicketPriority?
    var idempotencyKey: String?
    /// Sent by a channel gateway (an `integration` key), not by a person.
    var byGateway = false

    init(_ input: NewTicket, idempotencyKey: String?) throws {
        customerID = input.customerId
        customer = input.customer
        if customerID != nil && customer != nil {
            throw KefuError.invalidField("customer", "give either customer_id or customer, not both")
        }
        contact = try input.contact.map { try Validate.text($0, field: "contact", maxLength: 320) }
        channel = try Validate.choice(input.channel, TicketChannel.self, field: "channel")
        category = try Validate.choice(input.category, TicketCategory.self, field: "category")
        priority = try input.priority.map { try Validate.choice($0.uppercased(), TicketPriority.self, field: "priority") }
        subject = try input.subject.map { try Validate.text($0, field: "subject", maxLength: 300) }
        description = try Validate.text(input.description, field: "description", maxLength: 20_000)
        attachments = try (input.attachments ?? []).enumerated().map { index, reference in
            try Validate.text(reference, field: "attachments[\(index)]", maxLength: 1000)
        }
        guard attachments.count <= 20 else { throw KefuError.invalidField("attachments", "at most 20 attachments") }
        occurredAt = input.occurredAt
        expectedResolutionAt = input.expectedResolutionAt
        tagIDs = Array(Set(input.tagIds ?? [])).sorted { $0.uuidString < $1.uuidString }
        guard tagIDs.count <= 20 else { throw KefuError.invalidField("tag_ids", "at most 20 tags") }
        if let key = idempotencyKey {
            guard !key.isEmpty, key.count <= 200 else {
                throw KefuError.invalidField("Idempotency-Key", "must be 1–200 characters")
            }
        }
        self.idempotencyKey = idempotencyKey
        fingerprint = idempotencyKey == nil ? nil : try Self.fingerprint(of: input)
    }

    /// The SHA-256 of the request, stored with its `Idempotency-Key`.
    var fingerprint: Data?

    /// The SHA-256 of the decoded request written canonically (keys sorted, no spaces): requests
    /// that differ only in key order, spacing or escapes have the same fingerprint.
    static func fingerprint(of input: NewTicket) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Data(SHA256.hash(try encoder.encode(input)))
    }
}

/// The automatic reply outside service hours.
struct AutoReply {
    var text: String
    var humanAvailableAt: Date?

    /// Nil while the channel is open or the tenant has automatic replies off. Suggested
    /// knowledge-base articles are offered in the reply (template `out_of_hours`).
    static func make(
        settings: TenantSettings,
        calendar: BusinessCalendar,
        texts: CustomerTexts,
        reference: String,
        at instant: Date,
        suggestions: [String] = []
    ) -> AutoReply? {
        guard settings.autoReplyEnabled, !calendar.isOpen(at: instant) else { return nil }
        let opening = calendar.nextOpening(atOrAfter: instant)
        let text = texts.render(
            .outOfHours,
            [
                "ticket_reference": reference, "opening_time": opening.map(texts.time),
                "articles": suggestions.isEmpty ? nil : suggestions.joined(separator: "; "),
            ]
        )
        return AutoReply(text: text, humanAvailableAt: opening)
    }

    /// `2026-11-26 09:00 (Asia/Shanghai)`.
    static func localTime(_ instant: Date, calendar: BusinessCalendar) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: calendar.timezone)
        formatter.dateFormat = "yyyy-MM-dd HH:mm"
        return "\(formatter.string(from: instant)) (\(calendar.timezone))"
    }
}
