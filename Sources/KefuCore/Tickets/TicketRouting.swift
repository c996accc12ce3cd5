import Foundation
import KefuPostgres

/// Where intake routing sends a ticket: a skill group, a tier range, maybe a priority.
public struct RoutingDecision: Sendable, Equatable {
    public var skill: String?
    public var minTier: AgentTier
    public var maxTier: AgentTier
    public var priority: TicketPriority?
    /// The rule that matched, if any.
    public var rule: String?

    public var tiers: [AgentTier] { AgentTier.allCases.filter { $0 >= minTier && $0 <= maxTier } }
}

/// What routing looks at.
public struct RoutingInput: Sendable {
    public var text: String
    public var segment: CustomerSegment
    public var isNewCustomer: Bool
    public var category: TicketCategory
    public var channel: TicketChannel
}

/// Intake routing: the tenant's rules (keywords, customer profile, category, channel) choose a
/// skill and tier; the least-loaded on-duty agent with them takes the ticket.
public enum TicketRouting {
    /// A customer first seen within this many days counts as new.
    public static let newCustomerDays = 30.0

    /// The first active rule whose conditions all hold decides; VIPs go to mid or senior agents
    /// unless a rule says otherwise.
    public static func decide(_ rules: [RoutingRule], for input: RoutingInput) -> RoutingDecision {
        let text = input.text.lowercased()
        let rule = rules.first { rule in
            rule.active
                && (rule.keywords.isEmpty || rule.keywords.contains { text.contains($0.lowercased()) })
                && (rule.segment == nil || rule.segment == input.segment.rawValue)
                && (rule.newCustomer == nil || rule.newCustomer == input.isNewCustomer)
                && (rule.category == nil || rule.category == input.category.rawValue)
                && (rule.channel == nil || rule.channel == input.channel.rawValue)
        }
        let vipFloor: AgentTier = input.segment == .vip ? .mid : .junior
        let minTier = rule?.minTier.flatMap(AgentTier.init(rawValue:)) ?? vipFloor
        let maxTier = rule?.maxTier.flatMap(AgentTier.init(rawValue:)) ?? .senior
        return RoutingDecision(
            skill: rule?.skill,
            minTier: minTier,
            maxTier: max(minTier, maxTier),
            priority: rule?.priority.flatMap(TicketPriority.init(rawValue:)),
            rule: rule?.name
        )
    }

    /// An agent's open tickets (assigned, in progress, waiting on the customer, escalated), kept
    /// by a trigger on `tickets` (sql/015) so that reading it costs the same at any load.
    static let openLoad: PostgresQuery = "a.open_tickets"

    /// The least-loaded active on-duty agent matching the decision:
    /// one pass over the tenant's on-duty agents, preferring skill and tier, then tier alone,
    /// then anyone; least loaded first within each. No row when nobody is on duty.
    static func pickAgentStatement(_ tx: TenantTransaction, _ decision: RoutingDecision) -> PostgresStatement<UUID?> {
        let query: PostgresQuery = """
            SELECT a.id FROM agents a
            WHERE a.tenant_id = \(tx.tenantID) AND a.active AND a.duty_status = 'on_duty' AND a.role IN ('agent', 'supervisor')
            ORDER BY CASE WHEN a.tier <> ALL (\(decision.tiers.map(\.rawValue))) THEN 2
                          WHEN \(decision.skill)::text IS NULL OR \(decision.skill) = ANY (a.skills) THEN 0
                          ELSE 1 END,
                     \(openLoad), a.created_at, a.id
            LIMIT 1
            """
        return query.decoding { try $0.rows.first?.decode(UUID.self, at: 0) }
    }

    /// Redispatch without a named agent: the least-loaded active on-duty agent other than the
    /// current owner who has the ticket's skill (any agent when it has none).
    static func pickOtherAgent(_ tx: TenantTransaction, for ticket: Ticket) async throws -> UUID? {
        try await tx.queryScalar(
            UUID.self,
            """
            SELECT a.id FROM agents a
            WHERE a.tenant_id = \(tx.tenantID) AND a.active AND a.duty_status = 'on_duty'
              AND a.role IN ('agent', 'supervisor') AND a.id IS DISTINCT FROM \(ticket.ownerId)
              AND (\(ticket.skill)::text IS NULL OR \(ticket.skill) = ANY (a.skills))
            ORDER BY \(openLoad), a.created_at
            LIMIT 1
            """
        )
    }
}
