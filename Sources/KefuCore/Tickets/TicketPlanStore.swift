import Foundation
import KefuPostgres

/// Row-level access to `ticket_plans` (sql/024) inside a tenant transaction; a plan is written
/// whole by `TicketStore.save` with the change that proposes it or moves it on.
enum TicketPlanStore {
    static let columns: PostgresQuery = """
        id, tenant_id, ticket_id, measures, executor_id, complete_by, compensation, complex, requires_approval, status,
        proposed_by, created_at, decided_by, decided_at, rejection_reason, confirmed_by, confirmed_at, confirmation,
        executed_by, executed_at, updated_at
        """

    /// The ticket's plan in progress (proposed, approved or confirmed), locked for the
    /// transaction, nil when there is none.
    static func current(_ tx: TenantTransaction, ticket: UUID) async throws -> TicketPlan? {
        try await tx.queryFirst(
            TicketPlan.self,
            """
            SELECT \(columns) FROM ticket_plans
            WHERE tenant_id = \(tx.tenantID) AND ticket_id = \(ticket) AND status = ANY (\(TicketPlan.Status.inProgress.map(\.rawValue)))
            FOR UPDATE
            """
        )
    }

    /// Every plan of the ticket, oldest first.
    static func all(_ tx: TenantTransaction, ticket: UUID) async throws -> [TicketPlan] {
        try await tx.query(
            TicketPlan.self,
            "SELECT \(columns) FROM ticket_plans WHERE tenant_id = \(tx.tenantID) AND ticket_id = \(ticket) ORDER BY created_at, id"
        )
    }

    /// Marks the plan in progress `id` superseded by a newer one.
    static func supersedeQuery(_ tx: TenantTransaction, _ id: UUID, at: Date) -> PostgresQuery {
        """
        UPDATE ticket_plans SET status = \(TicketPlan.Status.superseded.rawValue), updated_at = \(at)
        WHERE tenant_id = \(tx.tenantID) AND id = \(id)
        """
    }

    /// Inserts the plan, or stores its new state.
    static func saveQuery(_ tx: TenantTransaction, _ plan: TicketPlan) -> PostgresQuery {
        """
        INSERT INTO ticket_plans (
            tenant_id, id, ticket_id, measures, executor_id, complete_by, compensation, complex, requires_approval, status,
            proposed_by, created_at, decided_by, decided_at, rejection_reason, confirmed_by, confirmed_at, confirmation,
            executed_by, executed_at, updated_at)
        VALUES (
            \(tx.tenantID), \(plan.id), \(plan.ticketId), \(plan.measures), \(plan.executorId), \(plan.completeBy),
            \(plan.compensation.map { PostgresJSON($0) }), \(plan.complex), \(plan.requiresApproval), \(plan.status.rawValue),
            \(plan.proposedBy), \(plan.createdAt), \(plan.decidedBy), \(plan.decidedAt), \(plan.rejectionReason), \(plan.confirmedBy),
            \(plan.confirmedAt), \(plan.confirmation), \(plan.executedBy), \(plan.executedAt), \(plan.updatedAt))
        ON CONFLICT (tenant_id, id) DO UPDATE SET
            status = EXCLUDED.status, decided_by = EXCLUDED.decided_by, decided_at = EXCLUDED.decided_at,
            rejection_reason = EXCLUDED.rejection_reason, confirmed_by = EXCLUDED.confirmed_by, confirmed_at = EXCLUDED.confirmed_at,
            confirmation = EXCLUDED.confirmation, executed_by = EXCLUDED.executed_by, executed_at = EXCLUDED.executed_at,
            updated_at = EXCLUDED.updated_at
        """
    }
}
