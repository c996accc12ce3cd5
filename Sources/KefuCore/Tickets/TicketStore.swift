import Foundation
import KefuPostgres

/// Row-level access to tickets and their dependent records inside a tenant transaction:
/// reading and the audit trail here; writing a whole `TicketChange` in `TicketStore+Save.swift`.
enum TicketStore {
    static let columns: PostgresQuery = """
        t.id, t.tenant_id, t.number,
        kefu_ticket_reference(t.number) AS reference,
        t.customer_id, t.contact, t.channel, t.subject, t.description, t.attachments, t.occurred_at,
        t.expected_resolution_at, t.expected_resolution_defaulted, t.category, t.priority, t.sla_segment, t.status, t.skill,
        t.tier, t.owner_id, t.first_owner_id, t.department_id, t.department_due_at,
        ARRAY(SELECT tt.tag_id FROM ticket_tags tt WHERE tt.tenant_id = t.tenant_id AND tt.ticket_id = t.id ORDER BY tt.tag_id) AS tag_ids,
        t.solution_summary, t.solution_options, t.compensation, t.auto_reply, t.human_available_at, t.reopen_count,
        t.created_at, t.acknowledged_at, t.assigned_at, t.first_response_at, t.plan_at, t.last_public_update_at, t.resolved_at,
        t.closed_at, t.archived_at, t.updated_at, t.acknowledgement_due_at, t.channel_response_due_at, t.first_response_due_at,
        t.plan_due_at, t.progress_due_at, t.resolution_due_at, t.sla_paused_at, t.breached, t.suggested_article_ids,
        t.info_request_due_at, t.info_requested_at, t.department_notify_due_at, t.department_acked_at,
        t.blocker_report_due_at, t.blocker_reported_at, t.solution_ready_at, t.solution_handback_due_at,
        t.customer_contact_due_at, t.customer_contacted_at, t.close_reason, t.merged_into
        """

    /// The ticket, locked for the rest of the transaction when `forUpdate`.
    static func fetch(_ tx: TenantTransaction, id: UUID, forUpdate: Bool = false) async throws -> Ticket {
        try await tx.pipeline(fetchStatement(tx.tenantID, id: id, forUpdate: forUpdate))
    }

    /// The statement `fetch` runs, for a pipeline.
    static func fetchStatement(_ tenantID: UUID, id: UUID, forUpdate: Bool = false) -> PostgresStatement<Ticket> {
        let lock: PostgresQuery = forUpdate ? " FOR UPDATE OF t" : ""
        let query: PostgresQuery = "SELECT \(columns) FROM tickets t WHERE t.tenant_id = \(tenantID) AND t.id = \(id)\(lock)"
        return query.decoding(ticket(from:))
    }

    /// The INSERT of a new ticket, every stored field taken from `ticket` (the value intake
    /// answers with), for a pipeline.
    static func insertQuery(_ ticket: Ticket, idempotencyKey: String?, fingerprint: Data?) -> PostgresQuery {
        """
        INSERT INTO tickets (
            tenant_id, id, number, customer_id, contact, channel, subject, description, attachments, occurred_at,
            expected_resolution_at, expected_resolution_defaulted, category, priority, sla_segment, status, skill, tier, owner_id,
            first_owner_id, auto_reply, human_available_at, idempotency_key, created_at, acknowledged_at, assigned_at, updated_at,
            suggested_article_ids, acknowledgement_due_at, channel_response_due_at, first_response_due_at, plan_due_at,
            resolution_due_at, idempotency_fingerprint)
        VALUES (
            \(ticket.tenantId), \(ticket.id), \(ticket.number), \(ticket.customerId), \(ticket.contact), \(ticket.channel.rawValue),
            \(ticket.subject), \(ticket.description), \(json: ticket.attachments), \(ticket.occurredAt),
            \(ticket.expectedResolutionAt), \(ticket.expectedResolutionDefaulted), \(ticket.category.rawValue),
            \(ticket.priority.rawValue), \(ticket.slaSegment?.rawValue), \(ticket.status.rawValue), \(ticket.skill),
            \(ticket.tier?.rawValue), \(ticket.ownerId), \(ticket.firstOwnerId), \(ticket.autoReply), \(ticket.humanAvailableAt),
            \(idempotencyKey), \(ticket.createdAt), \(ticket.acknowledgedAt), \(ticket.assignedAt), \(ticket.updatedAt),
            \(ticket.suggestedArticleIds), \(ticket.acknowledgementDueAt), \(ticket.channelResponseDueAt),
            \(ticket.firstResponseDueAt), \(ticket.planDueAt), \(ticket.resolutionDueAt), \(fingerprint))
        """
    }

    /// The ticket in the result of `fetchQuery`.
    @Sendable private static func ticket(from result: PostgresResult) throws -> Ticket {
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
struct TicketEventRecord: Sendable {
    var actor: TicketActor
    var kind: String
    var before: [String: JSONValue]? = nil
    var after: [String: JSONValue]? = nil
    /// For `sla_breached`: the breach it reports, written with it; the entry is written only
    /// when the breach is new (a clock is breached once per due instant).
    var breach: SLABreachDraft? = nil
}
