import Foundation
import KefuPostgres

/// Filters of a ticket queue; every one is optional and they combine with AND.
public struct TicketFilter: Sendable {
    public var statuses: [TicketStatus] = []
    public var priorities: [TicketPriority] = []
    public var ownerID: UUID?
    public var category: TicketCategory?
    public var tagID: UUID?
    public var channel: TicketChannel?
    public var customerID: UUID?
    /// Tickets whose active task force has this member (`team_member=me`).
    public var teamMemberID: UUID?
    public var breached: Bool?
    /// Open tickets whose first-response, plan or progress clock is due before this instant.
    public var dueBefore: Date?
    /// Newest first instead of oldest first.
    public var newestFirst = false

    public init() {}
}

/// Reading tickets: one ticket, queues, and each ticket's conversation, events, owner history
/// and breaches.
public struct TicketQueryService: Sendable {
    let database: TenantDatabase

    public init(database: TenantDatabase) {
        self.database = database
    }

    public func get(_ tenantID: UUID, id: UUID) async throws -> Ticket {
        try await database.read(tenantID, TicketStore.fetchStatement(tenantID, id: id))
    }

    /// A queue page, ordered by (created_at, id) — ascending, or descending with `newestFirst`.
    public func list(_ tenantID: UUID, filter: TicketFilter, page: PageRequest) async throws -> Page<Ticket> {
        let shared = Self.conditions(tenantID, filter: filter, after: page.after)
        let direction: PostgresQuery = filter.newestFirst ? " DESC" : ""
        let query: PostgresQuery
        if filter.statuses.count > 1 {
            // One ordered index walk per status (a LATERAL over the statuses), merged, and only the
            // page's keys: PostgreSQL 15 cannot walk the (status, created_at, id) index in order for
            // `status = ANY (…)` and would filter the tenant's whole history instead (346 ms against
            // 3 ms on a 300 k-ticket tenant); the full columns are then read for the page's rows
            // only. The statuses are one array parameter, so the statement's text (and its prepared
            // statement) is the same whichever statuses and however many a client asks for.
            query = """
                WITH page AS (
                    SELECT k.id, k.created_at FROM unnest(\(filter.statuses.map(\.rawValue))::text[]) AS s(status)
                    CROSS JOIN LATERAL (
                        SELECT t.id, t.created_at FROM tickets t WHERE \(shared) AND t.status = s.status
                        ORDER BY t.created_at\(direction), t.id\(direction) LIMIT \(page.limit + 1)) k
                    ORDER BY k.created_at\(direction), k.id\(direction) LIMIT \(page.limit + 1))
                SELECT \(TicketStore.columns) FROM page JOIN tickets t ON t.tenant_id = \(tenantID) AND t.id = page.id
                ORDER BY page.created_at\(direction), page.id\(direction)
                """
        } else {
            var conditions = shared
            // A single value is compared with `=` so PostgreSQL 15 can walk the (status|priority, created_at, id) index in order.
            if let status = filter.statuses.first { conditions.append(" AND t.status = \(status.rawValue)") }
            query = """
                SELECT \(TicketStore.columns) FROM tickets t WHERE \(conditions)
                ORDER BY t.created_at\(direction), t.id\(direction) LIMIT \(page.limit + 1)
                """
        }
        // Without a tag or due filter the plan is an index walk whatever the values: keep one
        // (PostgreSQL otherwise plans the page again on every call, ~15 % of its cost). A tag's
        // or a due instant's selectivity can change the best plan, so those are planned per call.
        let generic = filter.tagID == nil && filter.dueBefore == nil && filter.teamMemberID == nil
        let rows = try Ticket.all(try await database.read(tenantID, query, planning: generic ? .generic : .automatic, source: .replicaIfFresh).rows)
        return Page(fetched: rows, request: page) { .init(createdAt: $0.createdAt, id: $0.id) }
    }

    /// Every filter but the status, and the page's cursor (none for a search, which has its own).
    static func conditions(_ tenantID: UUID, filter: TicketFilter, after: PageRequest.Cursor?) -> PostgresQuery {
        var conditions: PostgresQuery = "t.tenant_id = \(tenantID)"
        if filter.priorities.count == 1 {
            conditions.append(" AND t.priority = \(filter.priorities[0].rawValue)")
        } else if !filter.priorities.isEmpty {
            conditions.append(" AND t.priority = ANY (\(filter.priorities.map(\.rawValue)))")
        }
        if let owner = filter.ownerID { conditions.append(" AND t.owner_id = \(owner)") }
        if let category = filter.category { conditions.append(" AND t.category = \(category.rawValue)") }
        if let channel = filter.channel { conditions.append(" AND t.channel = \(channel.rawValue)") }
        if let customer = filter.customerID { conditions.append(" AND t.customer_id = \(customer)") }
        if let breached = filter.breached { conditions.append(" AND t.breached = \(breached)") }
        if let tag = filter.tagID {
            conditions.append(
                " AND EXISTS (SELECT 1 FROM ticket_tags tt WHERE tt.tenant_id = t.tenant_id AND tt.ticket_id = t.id AND tt.tag_id = \(tag))"
            )
        }
        if let member = filter.teamMemberID {
            conditions.append(
                """
                 AND EXISTS (SELECT 1 FROM ticket_teams tm JOIN ticket_team_members mm ON mm.tenant_id = tm.tenant_id AND mm.team_id = tm.id
                             WHERE tm.tenant_id = t.tenant_id AND tm.ticket_id = t.id AND tm.disbanded_at IS NULL AND mm.agent_id = \(member))
                """
            )
        }
        if let due = filter.dueBefore {
            conditions.append(
                """
                 AND t.status IN ('new', 'assigned', 'in_progress', 'escalated') AND t.sla_paused_at IS NULL
                 AND ((t.first_response_at IS NULL AND t.first_response_due_at < \(due))
                   OR (t.plan_at IS NULL AND t.plan_due_at < \(due)) OR t.progress_due_at < \(due))
                """
            )
        }
        if let after {
            let comparison: PostgresQuery = filter.newestFirst ? " < " : " > "
            conditions.append(" AND (t.created_at, t.id)\(comparison)(\(after.createdAt), \(after.id))")
        }
        return conditions
    }

    /// The conversation; agents see internal notes too. A ticket that duplicates were merged
    /// into shows their messages as well (each keeps its `ticket_id`), in the order written.
    /// - Parameter includeInternal: false for callers who see only what the customer sees
    ///   (channel gateways): internal notes are left out.
    public func messages(_ tenantID: UUID, ticketID: UUID, includeInternal: Bool = true) async throws -> [TicketMessage] {
        try await database.transaction(tenantID, readOnly: true) { tx in
            _ = try await TicketStore.fetch(tx, id: ticketID)
            return try await tx.query(
                TicketMessage.self,
                """
                WITH RECURSIVE merged (id) AS (
                    SELECT \(ticketID)::uuid
                    UNION ALL
                    SELECT t.id FROM tickets t JOIN merged m ON t.tenant_id = \(tenantID) AND t.merged_into = m.id
                )
                SELECT id, ticket_id, author_kind, author_id, visibility, body, created_at FROM ticket_messages
                WHERE tenant_id = \(tenantID) AND ticket_id IN (SELECT id FROM merged) AND (\(includeInternal) OR visibility = 'public')
                ORDER BY seq
                """
            )
        }
    }

    /// The audit trail, in order.
    public func events(_ tenantID: UUID, ticketID: UUID) async throws -> [TicketEvent] {
        try await database.transaction(tenantID, readOnly: true) { tx in
            let ticket = try await TicketStore.fetch(tx, id: ticketID)
            // No event is older than its ticket: the bound prunes ticket_events' monthly partitions.
            return try await tx.query(
                """
                SELECT \(TicketEvent.columns)
                FROM ticket_events WHERE tenant_id = \(tenantID) AND ticket_id = \(ticketID) AND created_at >= \(ticket.createdAt)
                ORDER BY seq
                """
            ).map(TicketEvent.init(row:))
        }
    }

    /// Who owned the ticket when, first take included.
    public func assignments(_ tenantID: UUID, ticketID: UUID) async throws -> [TicketAssignment] {
        try await database.transaction(tenantID, readOnly: true) { tx in
            _ = try await TicketStore.fetch(tx, id: ticketID)
            return try await tx.query(
                TicketAssignment.self,
                """
                SELECT id, ticket_id, kind, from_agent_id, to_agent_id, by_agent_id, reason, handover_note,
                       seconds_since_previous, created_at
                FROM ticket_assignments WHERE tenant_id = \(tenantID) AND ticket_id = \(ticketID) ORDER BY created_at, id
                """
            )
        }
    }

    /// The clocks this ticket missed, with measured times.
    public func breaches(_ tenantID: UUID, ticketID: UUID) async throws -> [SLABreach] {
        try await database.transaction(tenantID, readOnly: true) { tx in
            _ = try await TicketStore.fetch(tx, id: ticketID)
            return try await tx.query(
                SLABreach.self,
                """
                SELECT clock, due_at, met_at, detected_at, late_seconds FROM ticket_sla_breaches
                WHERE tenant_id = \(tenantID) AND ticket_id = \(ticketID) ORDER BY due_at, clock
                """
            )
        }
    }
}
