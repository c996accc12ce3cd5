import Foundation
import KefuPostgres

/// A customer's personal data (PIPL / GDPR): everything held about them, and its erasure.
/// Erasure runs only through `kefu_erase_customer` (sql/021), the one owner-rights path the
/// archive's read-only rule lets through; it keeps numbers, instants, ratings and tags, so the
/// reports add up as before.
public struct PersonalDataService: Sendable {
    let database: TenantDatabase
    let clock: any KefuClock

    public init(database: TenantDatabase, clock: any KefuClock) {
        self.database = database
        self.clock = clock
    }

    /// Everything held about the customer, in one read-only transaction (one round trip);
    /// `notFound` for a customer of another tenant, exactly as for an unknown one. An erased
    /// customer's export holds the tombstone and the erasure record.
    public func export(_ tenantID: UUID, customerID: UUID) async throws -> CustomerExport {
        let theirs: PostgresQuery = """
            tenant_id = \(tenantID) AND ticket_id IN (SELECT id FROM tickets WHERE tenant_id = \(tenantID) AND customer_id = \(customerID))
            """
        let results = try await database.transaction(tenantID, readOnly: true) { tx in
            try await tx.pipeline([
                "SELECT \(CustomerStore.columns) FROM customers WHERE tenant_id = \(tenantID) AND id = \(customerID)",
                """
                SELECT customer_id, erased_at, erased_by, reason, tickets, true AS already_erased FROM customer_erasures
                WHERE tenant_id = \(tenantID) AND customer_id = \(customerID)
                """,
                """
                SELECT \(TicketStore.columns) FROM tickets t
                WHERE t.tenant_id = \(tenantID) AND t.customer_id = \(customerID) ORDER BY t.created_at, t.id
                """,
                "SELECT id, ticket_id, author_kind, author_id, visibility, body, created_at FROM ticket_messages WHERE \(theirs) ORDER BY seq",
                "SELECT \(TicketEvent.columns) FROM ticket_events WHERE \(theirs) ORDER BY seq",
                """
                SELECT id, ticket_id, kind, from_agent_id, to_agent_id, by_agent_id, reason, handover_note,
                       seconds_since_previous, created_at
                FROM ticket_assignments WHERE \(theirs) ORDER BY created_at, id
                """,
                "SELECT \(SurveyStore.columns) FROM surveys WHERE \(theirs) ORDER BY created_at, id",
                "SELECT \(FollowupService.columns) FROM followups WHERE \(theirs) ORDER BY created_at, id",
                "SELECT \(TicketPlanStore.columns) FROM ticket_plans WHERE \(theirs) ORDER BY created_at, id",
            ])
        }
        guard let customer = try results[0].rows.first?.decode(Customer.self) else { throw KefuError.notFound("customer") }
        return CustomerExport(
            customer: customer,
            erasure: try results[1].rows.first?.decode(CustomerErasure.self),
            tickets: try Ticket.all(results[2].rows),
            messages: try results[3].rows.map { try $0.decode(TicketMessage.self) },
            events: try results[4].rows.map(TicketEvent.init(row:)),
            assignments: try results[5].rows.map { try $0.decode(TicketAssignment.self) },
            surveys: try results[6].rows.map { try $0.decode(Survey.self) },
            followups: try results[7].rows.map { try $0.decode(Followup.self) },
            plans: try results[8].rows.map { try $0.decode(TicketPlan.self) }
        )
    }

    /// Erases the customer's personal data across the customer, their tickets (archived ones
    /// included) and those tickets' records, as `principal` (an admin), for `reason` (1–500
    /// characters), recording an `erased` event per ticket and the erasure record. Erasing an
    /// erased customer changes nothing and answers the first erasure's record with
    /// `alreadyErased`. `notFound` for a customer of another tenant.
    public func erase(_ principal: Principal, customerID: UUID, _ request: ErasureRequest) async throws -> CustomerErasure {
        let reason = try Validate.text(request.reason, field: "reason", maxLength: 500)
        let now = clock.now()
        return try await database.transaction(principal.tenantID) { tx in
            guard
                let erasure = try await tx.queryFirst(
                    CustomerErasure.self,
                    """
                    SELECT customer_id, erased_at, erased_by, reason, tickets, already_erased
                    FROM kefu_erase_customer(\(customerID), \(principal.agentID), \(reason), \(now))
                    """
                )
            else { throw KefuError.notFound("customer") }
            return erasure
        }
    }
}
