import Foundation
import KefuPostgres

extension TicketStore {
    /// Writes `change` whole in one round trip (with the transaction's COMMIT when `andCommit`):
    /// the ticket row, its plan, messages, owner history, notifications, events with their
    /// breaches, and its timers.
    static func save(_ change: TicketChange, in tx: TenantTransaction, andCommit: Bool = false) async throws {
        let writes = saveQueries(change, in: tx)
        if andCommit {
            try await tx.pipelineAndCommit(writes)
        } else {
            try await tx.pipeline(writes)
        }
    }

    /// The statements `save` sends, in order, for a caller that adds its own to the pipeline.
    static func saveQueries(_ change: TicketChange, in tx: TenantTransaction) -> [PostgresQuery] {
        let ticket = change.ticket
        var writes: [PostgresQuery] = []
        if let creation = change.creation {
            writes.append(insertQuery(ticket, idempotencyKey: creation.idempotencyKey, fingerprint: creation.fingerprint))
            if !ticket.tagIds.isEmpty {
                writes.append(
                    """
                    INSERT INTO ticket_tags (tenant_id, ticket_id, tag_id)
                    SELECT \(tx.tenantID), \(ticket.id), unnest(\(ticket.tagIds))
                    """
                )
            }
        } else if change.before != ticket {
            writes.append(updateQuery(tx, ticket))
            if let before = change.before, before.tagIds != ticket.tagIds {
                writes.append(
                    """
                    DELETE FROM ticket_tags WHERE tenant_id = \(tx.tenantID) AND ticket_id = \(ticket.id) AND tag_id <> ALL(\(ticket.tagIds))
                    """
                )
                writes.append(
                    """
                    INSERT INTO ticket_tags (tenant_id, ticket_id, tag_id)
                    SELECT \(tx.tenantID), \(ticket.id), unnest(\(ticket.tagIds)) ON CONFLICT DO NOTHING
                    """
                )
            }
        }
        if let superseded = change.supersededPlan {
            writes.append(TicketPlanStore.supersedeQuery(tx, superseded, at: change.at))
        }
        if let plan = change.plan {
            writes.append(TicketPlanStore.saveQuery(tx, plan))
        }
        if !change.messages.isEmpty {
            writes.append(messagesQuery(tx, ticket: ticket.id, change.messages, at: change.at))
        }
        writes += change.assignments.map { assignmentQuery(tx, ticket: ticket.id, $0, at: change.at) }
        writes += change.notifications.filter { !$0.recipients.isEmpty }.map {
            NotificationStore.notifyQuery(tx, $0.recipients, kind: $0.kind, ticket: ticket.id, message: $0.message, at: change.at)
        }
        if !change.events.isEmpty {
            writes.append(eventsQuery(tx, ticket: ticket.id, change.events, at: change.at))
        }
        writes.append(
            change.creation == nil
                ? TicketTimers.syncQuery(tx, ticket: ticket.id, change.timers, now: change.at)
                : TicketTimers.armNewQuery(tx, ticket: ticket.id, change.timers)
        )
        return writes
    }

    /// Every column an action may change, from the ticket's new value (the row is locked, so
    /// nothing else changed it since it was read).
    static func updateQuery(_ tx: TenantTransaction, _ ticket: Ticket) -> PostgresQuery {
        """
        UPDATE tickets SET
            subject = \(ticket.subject), category = \(ticket.category.rawValue), priority = \(ticket.priority.rawValue),
            expected_resolution_at = \(ticket.expectedResolutionAt), expected_resolution_defaulted = \(ticket.expectedResolutionDefaulted),
            status = \(ticket.status.rawValue), owner_id = \(ticket.ownerId), first_owner_id = \(ticket.firstOwnerId),
            department_id = \(ticket.departmentId), department_due_at = \(ticket.departmentDueAt),
            solution_summary = \(ticket.solutionSummary), solution_options = \(json: ticket.solutionOptions),
            compensation = \(ticket.compensation.map { PostgresJSON($0) }), reopen_count = \(ticket.reopenCount),
            assigned_at = \(ticket.assignedAt), first_response_at = \(ticket.firstResponseAt), plan_at = \(ticket.planAt),
            last_public_update_at = \(ticket.lastPublicUpdateAt), resolved_at = \(ticket.resolvedAt),
            closed_at = \(ticket.closedAt), archived_at = \(ticket.archivedAt), updated_at = \(ticket.updatedAt),
            channel_response_due_at = \(ticket.channelResponseDueAt), first_response_due_at = \(ticket.firstResponseDueAt),
            plan_due_at = \(ticket.planDueAt), progress_due_at = \(ticket.progressDueAt), sla_paused_at = \(ticket.slaPausedAt),
            resolution_due_at = \(ticket.resolutionDueAt), acknowledged_at = \(ticket.acknowledgedAt), breached = \(ticket.breached),
            info_request_due_at = \(ticket.infoRequestDueAt), info_requested_at = \(ticket.infoRequestedAt),
            department_notify_due_at = \(ticket.departmentNotifyDueAt), department_acked_at = \(ticket.departmentAckedAt),
            blocker_report_due_at = \(ticket.blockerReportDueAt), blocker_reported_at = \(ticket.blockerReportedAt),
            solution_ready_at = \(ticket.solutionReadyAt), solution_handback_due_at = \(ticket.solutionHandbackDueAt),
            customer_contact_due_at = \(ticket.customerContactDueAt), customer_contacted_at = \(ticket.customerContactedAt),
            close_reason = \(ticket.closeReason?.rawValue), merged_into = \(ticket.mergedInto)
        WHERE tenant_id = \(tx.tenantID) AND id = \(ticket.id)
        """
    }

    /// Adds messages to the conversation, in order.
    static func messagesQuery(_ tx: TenantTransaction, ticket: UUID, _ messages: [TicketMessageDraft], at: Date) -> PostgresQuery {
        var query: PostgresQuery =
            "INSERT INTO ticket_messages (tenant_id, ticket_id, author_kind, author_id, visibility, body, created_at) VALUES "
        for (index, message) in messages.enumerated() {
            if index > 0 { query.append(", ") }
            query.append(
                """
                (\(tx.tenantID), \(ticket), \(message.author.kind.rawValue), \(message.author.id), \(message.visibility.rawValue),
                 \(message.body), \(at))
                """
            )
        }
        return query
    }

    /// Records a change of owner in the owner history.
    static func assignmentQuery(_ tx: TenantTransaction, ticket: UUID, _ assignment: TicketAssignmentDraft, at: Date) -> PostgresQuery {
        """
        INSERT INTO ticket_assignments (tenant_id, ticket_id, kind, from_agent_id, to_agent_id, by_agent_id, reason,
                                        handover_note, seconds_since_previous, created_at)
        VALUES (\(tx.tenantID), \(ticket), \(assignment.kind), \(assignment.from), \(assignment.to), \(assignment.by),
                \(assignment.reason), \(assignment.handoverNote), \(assignment.secondsSincePrevious), \(at))
        """
    }

    /// Appends `events` in order. Breaches are written first, once per clock and due instant;
    /// an `sla_breached` entry is kept only when its breach was new (the worker may have
    /// recorded it when the clock's timer fired).
    static func eventsQuery(_ tx: TenantTransaction, ticket: UUID, _ events: [TicketEventRecord], at: Date) -> PostgresQuery {
        let breaches = events.compactMap(\.breach)
        guard !breaches.isEmpty else { return recordQuery(tx, ticket: ticket, events, at: at) }
        var query: PostgresQuery = """
            WITH breach AS (
                INSERT INTO ticket_sla_breaches (tenant_id, ticket_id, clock, due_at, met_at, detected_at, late_seconds) VALUES
            """
        for (index, breach) in breaches.enumerated() {
            query.append(index > 0 ? ", " : " ")
            query.append("(\(tx.tenantID), \(ticket), \(breach.clock), \(breach.dueAt), \(breach.metAt), \(at), \(breach.lateSeconds))")
        }
        query.append(
            """
             ON CONFLICT DO NOTHING RETURNING clock)
            INSERT INTO ticket_events (tenant_id, ticket_id, actor_kind, actor_id, kind, before, after, created_at)
            SELECT \(tx.tenantID), \(ticket), e.actor_kind, e.actor_id, e.kind, e.before, e.after, \(at) FROM (VALUES
            """
        )
        for (index, event) in events.enumerated() {
            query.append(index > 0 ? ", " : " ")
            query.append(
                """
                (\(index)::int, \(event.actor.kind.rawValue)::text, \(event.actor.id)::uuid, \(event.kind)::text,
                 \(event.before.map { JSONValue.object($0).text })::jsonb, \(event.after.map { JSONValue.object($0).text })::jsonb,
                 \(event.breach?.clock)::text)
                """
            )
        }
        query.append(
            """
            ) AS e(ord, actor_kind, actor_id, kind, before, after, breach)
            WHERE e.breach IS NULL OR e.breach IN (SELECT clock FROM breach)
            ORDER BY e.ord
            """
        )
        return query
    }
}
