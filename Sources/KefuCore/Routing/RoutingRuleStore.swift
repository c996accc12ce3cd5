import Foundation
import KefuPostgres

/// Reads and writes routing rules inside a tenant transaction; ticket intake reads the active ones.
public enum RoutingRuleStore {
    static let columns: PostgresQuery = """
        id, tenant_id, position, name, keywords, segment, new_customer, category, channel, skill, min_tier, max_tier,
        priority, active, created_at
        """
    static let order: PostgresQuery = "ORDER BY position, created_at, id"

    /// The tenant's active rules in the order intake tries them (position, then age).
    public static func activeRules(_ tx: TenantTransaction) async throws -> [RoutingRule] {
        try await tx.pipeline(activeRulesStatement(tx))
    }

    /// The statement `activeRules` runs, for a pipeline.
    static func activeRulesStatement(_ tx: TenantTransaction) -> PostgresStatement<[RoutingRule]> {
        let query: PostgresQuery = "SELECT \(columns) FROM routing_rules WHERE tenant_id = \(tx.tenantID) AND active \(order)"
        return query.rows(RoutingRule.self)
    }

    static func all(_ tx: TenantTransaction) async throws -> [RoutingRule] {
        try await tx.query(RoutingRule.self, "SELECT \(columns) FROM routing_rules WHERE tenant_id = \(tx.tenantID) \(order)")
    }

    static func fetch(_ tx: TenantTransaction, id: UUID, forUpdate: Bool = false) async throws -> RoutingRule {
        let lock: PostgresQuery = forUpdate ? " FOR UPDATE" : ""
        guard
            let rule = try await tx.queryFirst(
                RoutingRule.self,
                """
                SELECT \(columns) FROM routing_rules WHERE tenant_id = \(tx.tenantID) AND id = \(id)\(lock)
                """
            )
        else { throw KefuError.notFound("routing rule") }
        return rule
    }

    static func insert(_ tx: TenantTransaction, _ rule: RoutingRuleDraft) async throws -> RoutingRule {
        try require(
            try await tx.queryFirst(
                RoutingRule.self,
                """
                INSERT INTO routing_rules (tenant_id, position, name, keywords, segment, new_customer, category, channel, skill,
                                           min_tier, max_tier, priority, active)
                VALUES (\(tx.tenantID), \(Int32(rule.position)), \(rule.name), \(rule.keywords), \(rule.segment?.rawValue),
                        \(rule.newCustomer), \(rule.category?.rawValue), \(rule.channel?.rawValue), \(rule.skill),
                        \(rule.minTier?.rawValue), \(rule.maxTier?.rawValue), \(rule.priority?.rawValue), \(rule.active))
                RETURNING \(columns)
                """
            )
        )
    }

    /// Overwrites every field of the rule with `id` (the caller merged the update into the current rule).
    static func replace(_ tx: TenantTransaction, id: UUID, with rule: RoutingRuleDraft) async throws -> RoutingRule {
        guard
            let updated = try await tx.queryFirst(
                RoutingRule.self,
                """
                UPDATE routing_rules SET
                    position = \(Int32(rule.position)), name = \(rule.name), keywords = \(rule.keywords),
                    segment = \(rule.segment?.rawValue), new_customer = \(rule.newCustomer),
                    category = \(rule.category?.rawValue), channel = \(rule.channel?.rawValue), skill = \(rule.skill),
                    min_tier = \(rule.minTier?.rawValue), max_tier = \(rule.maxTier?.rawValue),
                    priority = \(rule.priority?.rawValue), active = \(rule.active)
                WHERE tenant_id = \(tx.tenantID) AND id = \(id)
                RETURNING \(columns)
                """
            )
        else { throw KefuError.notFound("routing rule") }
        return updated
    }

    /// Deletes the rule; false if the tenant has no such rule.
    static func delete(_ tx: TenantTransaction, id: UUID) async throws -> Bool {
        try await tx.execute("DELETE FROM routing_rules WHERE tenant_id = \(tx.tenantID) AND id = \(id)") > 0
    }
}
