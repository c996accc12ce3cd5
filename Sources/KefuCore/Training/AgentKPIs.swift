import Foundation
import KefuPostgres

/// Agent KPIs used by training and promotion.
enum AgentKPIs {
    /// The average overall rating of surveys answered on the agent's tickets since `since`.
    static func csat(_ tx: TenantTransaction, agent: UUID, since: Date) async throws -> Double? {
        try await tx.queryScalar(
            Double.self,
            """
            SELECT avg(s.overall)::float8 FROM surveys s JOIN tickets t ON t.tenant_id = s.tenant_id AND t.id = s.ticket_id
            WHERE s.tenant_id = \(tx.tenantID) AND t.owner_id = \(agent) AND s.answered_at >= \(since)
            """
        )
    }

    /// Tickets the agent owns that were resolved since `since`.
    static func resolved(_ tx: TenantTransaction, agent: UUID, since: Date) async throws -> Int {
        try await tx.queryScalar(
            Int.self,
            """
            SELECT count(*) FROM tickets WHERE tenant_id = \(tx.tenantID) AND owner_id = \(agent)
              AND status IN ('resolved', 'closed', 'archived') AND coalesce(resolved_at, closed_at, archived_at) >= \(since)
            """
        ) ?? 0
    }
}
