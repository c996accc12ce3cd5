import Foundation
import KefuPostgres

/// Row-level access to tickets and their dependent records inside a tenant transaction:
/// reading, the audit trail, the conversation, owner history and breaches.
enum TicketStore {
    static let columns: PostgresQuery = """
        t.id, t.tenant_id, t.number,
        kefu_ticket_reference(t.number) AS reference,
        t.customer_id, t.contact, t.channel, t.subject, t.description, t.attachments, t.occurred_at,
        t.expected_resolution_at, t.category, t.priority, t.status, t.skill, t.tier, t.owner_id, t.first_owner_id,
        t.department_id, t.department_due_at,
        ARRAY(SELECT tt.tag_id FROM ticket_tags tt WHERE tt.tenant_id = t.tenant_id AND tt.ticket_id = t.id ORDER BY tt.tag_id) AS tag_ids,
        t.solution_summary, t.solution_options, t.compensation, t.auto_reply, t.human_available_at, t.reopen_count,
        t.created_at, t.assigned_at, t.first_response_at, t.plan_at, t.last_public_update_at, t.resolved_at,
        t.closed_at, t.archived_at, t.updated_at, t.channel_response_due_at, t.first_response_due_at, t.plan_due_at,
        t.progress_due_at, t.resolution_due_at, t.sla_paused_at, t.breached, t.suggested_article_ids
        """

    /// The ticket, locked for the rest of the transaction when `forUpdate`.
    static func fetch(_ tx: TenantTransaction, id: UUID, forUpdate: Bool = false) async throws -> Ticket {
        try ticket(from: try await tx.run(fetchQuery(tx.tenantID, id: id, forUpdate: forUpdate)))
    }

    /// The statement `fetch` runs, for a pipeline.
    static func fetchQuery(_ tenantID: UUID, id: UUID, forUpdate: Bool = false) -> PostgresQuery {
        let lock: PostgresQuery = forUpdate ? " FOR UPDATE OF t" : ""
        return "SELECT \(columns) FROM tickets t WHERE t.tenant_id = \(tenantID) AND t.id = \(id)\(lock)"
    }

    /// The INSERT of a new ticket, every stored field taken from `ticket` (the value intake
    /// answers with), for a pipeline.
    static func insertQuery(_ ticket: Ticket, idempotencyKey: String?, fingerprint: Data?) -> PostgresQuery {
        """
        INSERT INTO tickets (
            tenant_id, id, number, customer_id, contact, channel, subject, description, attachments, occurred_at,
            expected_resolution_at, category, priority, status, skill, tier, owner_id, first_owner_id, auto_reply,
            human_available_at, idempotency_key, created_at, assigned_at, updated_at, suggested_article_ids,
            channel_response_due_at, first_response_due_at, plan_due_at, resolution_due_at, idempotency_fingerprint)
        VALUES (
            \(ticket.tenantId), \(ticket.id), \(ticket.number), \(ticket.customerId), \(ticket.contact), \(ticket.channel.rawValue),
            \(ticket.subject), \(ticket.description), \(json: ticket.attachments), \(ticket.occurredAt),
            \(ticket.expectedResolutionAt), \(ticket.category.rawValue), \(ticket.priority.rawValue), \(ticket.status.rawValue),
            \(ticket.skill), \(ticket.tier?.rawValue), \(ticket.ownerId), \(ticket.firstOwnerId), \(ticket.autoReply),
            \(ticket.humanAvailableAt), \(idempotencyKey), \(ticket.createdAt), \(ticket.assignedAt), \(ticket.updatedAt),
            \(ticket.suggestedArticleIds), \(ticket.channelResponseDueAt), \(ticket.firstResponseDueAt), \(ticket.planDueAt),
            \(ticket.resolutionDueAt), \(fingerprint))
        """
    }

    /// The ticket in the result of `fetchQuery`.
    static func ticket(from result: PostgresResult) throws -> Ticket {
        guard let row = result.rows.first else { throw KefuError.notFound("ticket") }
        return try Ticket(row: row)
    }

    /// Appends an event to the audit trail (same transaction as the change it describes).
    static func record(
        _ tx: TenantTransaction,
        ticket: UUID,
        actor: TicketActor,
        kind: String,
        before: [String: JSONValue]? = nil,
        after: [String: JSONValue]? = nil,
        at: Date
    ) async throws {
        try await tx.execute(recordQuery(tx, ticket: ticket, actor: actor, kind: kind, before: before, after: after, at: at))
    }

    /// The statement `record` runs, for a pipeline.
    static func recordQuery(
        _ tx: TenantTransaction,
        ticket: UUID,
        actor: TicketActor,
        kind: String,
        before: [String: JSONValue]? = nil,
        after: [String: JSONValue]? = nil,
        at: Date
    ) -> PostgresQuery {
        recordQuery(tx, ticket: ticket, [TicketEventRecord(actor: actor, kind: kind, before: before, after: after)], at: at)
    }

    /// Appends several events in one statement, in order (their `seq` follows the array).
    static func recordQuery(_ tx: TenantTransaction, ticket: UUID, _ events: [TicketEventRecord], at: Date) -> PostgresQuery {
        var query: PostgresQuery = "INSERT INTO ticket_events (tenant_id, ticket_id, actor_kind, actor_id, kind, before, after, created_at) VALUES "
        for (index, event) in events.enumerated() {
            if index > 0 { query.append(", ") }
            query.append(
                """
                (\(tx.tenantID), \(ticket), \(event.actor.kind.rawValue), \(event.actor.id), \(event.kind),
                 \(event.before.map { JSONValue.object($0).text })::jsonb, \(event.after.map { JSONValue.object($0).text })::jsonb, \(at))
                """
            )
        }
        return query
    }

    /// Adds a message to the conversation.
    static func addMessage(
        _ tx: TenantTransaction,
        ticket: UUID,
        author: TicketActor,
        visibility: String,
        body: String,
        at: Date
    ) async throws -> TicketMessage {
        var insert = addMessageQuery(tx, ticket: ticket, author: author, visibility: visibility, body: body, at: at)
        insert.append(" RETURNING id, ticket_id, author_kind, author_id, visibility, body, created_at")
        return try require(try await tx.queryFirst(TicketMessage.self, insert))
    }

    /// The statement `addMessage` runs (without its RETURNING), for a pipeline.
    static func addMessageQuery(
        _ tx: TenantTransaction,
        ticket: UUID,
        author: TicketActor,
        visibility: String,
        body: String,
        at: Date
    ) -> PostgresQuery {
        """
        INSERT INTO ticket_messages (tenant_id, ticket_id, author_kind, author_id, visibility, body, created_at)
        VALUES (\(tx.tenantID), \(ticket), \(author.kind.rawValue), \(author.id), \(visibility), \(body), \(at))
        """
    }

    /// Records a change of owner in the owner history.
    static func addAssignment(
        _ tx: TenantTransaction,
        ticket: UUID,
        kind: String,
        from: UUID?,
        to: UUID,
        by: UUID?,
        reason: String? = nil,
        handoverNote: String? = nil,
        secondsSincePrevious: Double? = nil,
        at: Date
    ) async throws {
        try await tx.execute(
            addAssignmentQuery(
                tx,
                ticket: ticket,
                kind: kind,
                from: from,
                to: to,
                by: by,
                reason: reason,
                handoverNote: handoverNote,
                secondsSincePrevious: secondsSincePrevious,
                at: at
            )
        )
    }

    /// The statement `addAssignment` runs, for a pipeline.
    static func addAssignmentQuery(
        _ tx: TenantTransaction,
        ticket: UUID,
        kind: String,
        from: UUID?,
        to: UUID,
        by: UUID?,
        reason: String? = nil,
        handoverNote: String? = nil,
        secondsSincePrevious: Double? = nil,
        at: Date
    ) -> PostgresQuery {
        """
        INSERT INTO ticket_assignments (tenant_id, ticket_id, kind, from_agent_id, to_agent_id, by_agent_id, reason,
                                        handover_note, seconds_since_previous, created_at)
        VALUES (\(tx.tenantID), \(ticket), \(kind), \(from), \(to), \(by), \(reason), \(handoverNote), \(secondsSincePrevious), \(at))
        """
    }

    /// Records a missed clock once (per clock and due instant) and flags the ticket as breached.
    static func recordBreach(_ tx: TenantTransaction, ticket: UUID, clock: String, dueAt: Date, metAt: Date?, at: Date) async throws {
        let late = (metAt ?? at).timeIntervalSince(dueAt)
        let inserted = try await tx.execute(
            """
            INSERT INTO ticket_sla_breaches (tenant_id, ticket_id, clock, due_at, met_at, detected_at, late_seconds)
            VALUES (\(tx.tenantID), \(ticket), \(clock), \(dueAt), \(metAt), \(at), \(late))
            ON CONFLICT DO NOTHING
            """
        )
        guard inserted > 0 else { return }
        try await tx.execute("UPDATE tickets SET breached = true WHERE tenant_id = \(tx.tenantID) AND id = \(ticket)")
        try await record(
            tx,
            ticket: ticket,
            actor: .system,
            kind: "sla_breached",
            after: [
                "clock": .string(clock), "due_at": .date(dueAt), "met_at": metAt.map(JSONValue.date) ?? .null,
                "late_seconds": .number(late),
            ],
            at: at
        )
    }
}

extension JSONValue {
    /// An instant as ISO 8601 text.
    static func date(_ date: Date) -> JSONValue { .string(KefuJSON.format(date)) }

    /// An optional instant, null when absent.
    static func optionalDate(_ date: Date?) -> JSONValue { date.map(JSONValue.date) ?? .null }

    /// The document as compact JSON text, keys exactly as they are.
    var text: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? String(decoding: encoder.encode(self), as: UTF8.self)) ?? "null"
    }
}

/// One audit-trail entry to write: who, what, and the fields before → after.
struct TicketEventRecord {
    var actor: TicketActor
    var kind: String
    var before: [String: JSONValue]? = nil
    var after: [String: JSONValue]? = nil
}
