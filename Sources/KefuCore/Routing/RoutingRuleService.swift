import Foundation
import KefuPostgres

/// A tenant's intake routing rules: list in evaluation order, read, create, update, delete.
public struct RoutingRuleService: Sendable {
    let database: TenantDatabase

    public init(database: TenantDatabase) {
        self.database = database
    }

    /// Every rule, active or not, in the order intake tries them.
    public func list(_ tenantID: UUID) async throws -> [RoutingRule] {
        try await database.transaction(tenantID, readOnly: true) { tx in try await RoutingRuleStore.all(tx) }
    }

    /// One rule; `notFound` for an id of another tenant, exactly as for an unknown one.
    public func get(_ tenantID: UUID, id: UUID) async throws -> RoutingRule {
        try await database.transaction(tenantID, readOnly: true) { tx in try await RoutingRuleStore.fetch(tx, id: id) }
    }

    /// Validates and stores a new rule (keywords lowercased, `min_tier` not above `max_tier`).
    public func create(_ tenantID: UUID, _ input: NewRoutingRule) async throws -> RoutingRule {
        let draft = try RoutingRuleDraft(validating: input)
        return try await database.transaction(tenantID) { tx in try await RoutingRuleStore.insert(tx, draft) }
    }

    /// Merges `update` into the stored rule and validates the result as a whole (so `min_tier`
    /// is checked against the `max_tier` the rule will have).
    public func update(_ tenantID: UUID, id: UUID, _ update: RoutingRuleUpdate) async throws -> RoutingRule {
        try await database.transaction(tenantID) { tx in
            let current = try await RoutingRuleStore.fetch(tx, id: id, forUpdate: true)
            let draft = try RoutingRuleDraft(validating: NewRoutingRule(current).applying(update))
            return try await RoutingRuleStore.replace(tx, id: id, with: draft)
        }
    }

    /// Removes a rule; tickets it routed keep their skill and tier.
    public func delete(_ tenantID: UUID, id: UUID) async throws {
        try await database.transaction(tenantID) { tx in
            guard try await RoutingRuleStore.delete(tx, id: id) else { throw KefuError.notFound("routing rule") }
        }
    }
}
