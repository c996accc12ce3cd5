import Foundation
import KefuPostgres

/// "Who is eligible for promotion": the next tier's required certificates (valid today) plus the
/// tenant's KPI thresholds, with the reasons for everyone who is not.
public struct PromotionService: Sendable {
    let database: TenantDatabase
    let clock: any KefuClock

    public init(database: TenantDatabase, clock: any KefuClock) {
        self.database = database
        self.clock = clock
    }

    public func eligibility(_ tenantID: UUID) async throws -> [PromotionEligibility] {
        try await database.transaction(tenantID, readOnly: true) { tx in
            let now = clock.now()
            let settings = try await SettingsService.load(tx).settings.promotion
            let since = now.addingTimeInterval(-Double(settings.windowDays) * 86_400)
            let agents = try await tx.query(
                Agent.self,
                """
                SELECT \(AgentService.columns) FROM agents WHERE tenant_id = \(tenantID) AND active AND role IN ('agent', 'supervisor')
                ORDER BY name
                """
            )
            var result: [PromotionEligibility] = []
            for agent in agents {
                let next: AgentTier? = agent.tier == .junior ? .mid : (agent.tier == .mid ? .senior : nil)
                let csat = try await AgentKPIs.csat(tx, agent: agent.id, since: since)
                let resolved = try await AgentKPIs.resolved(tx, agent: agent.id, since: since)
                var reasons: [String] = []
                if let next {
                    let missing = try await tx.query(
                        """
                        SELECT c.name FROM courses c
                        WHERE c.tenant_id = \(tenantID) AND c.required_for_tier = \(next.rawValue)
                          AND NOT EXISTS (SELECT 1 FROM certificates k WHERE k.tenant_id = c.tenant_id AND k.course_id = c.id
                                            AND k.agent_id = \(agent.id) AND k.expires_on >= (\(now) AT TIME ZONE 'UTC')::date)
                        ORDER BY c.name
                        """
                    ).map { try $0.decode(String.self, at: 0) }
                    reasons += missing.map { "missing a valid certificate for \($0)" }
                    if let csat {
                        if csat < settings.minCsat { reasons.append(String(format: "CSAT %.2f is below %.2f", csat, settings.minCsat)) }
                    } else {
                        reasons.append("no customer ratings in the last \(settings.windowDays) days")
                    }
                    if resolved < settings.minResolvedTickets {
                        reasons.append("resolved \(resolved) tickets, needs \(settings.minResolvedTickets)")
                    }
                } else {
                    reasons.append("already at the highest tier")
                }
                result.append(
                    PromotionEligibility(
                        agentId: agent.id,
                        name: agent.name,
                        tier: agent.tier,
                        nextTier: next,
                        eligible: next != nil && reasons.isEmpty,
                        reasons: reasons,
                        csat: csat,
                        resolvedTickets: resolved
                    )
                )
            }
            return result
        }
    }
}
