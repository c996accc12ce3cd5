import Foundation
import KefuPostgres

/// A tenant's SLA policies as the API shows them: the whole set in force.
public struct SLAPolicySet: Codable, Sendable, Equatable {
    public var policies: [SLAPolicy]
}

/// One policy as a client writes it (`PUT /v1/sla-policies`); choices are checked by
/// `SLAPolicyService` so that a wrong one is named with the values it may take.
public struct SLAPolicyInput: Codable, Sendable {
    public var priority: String
    /// Absent or null: the priority's policy for every segment without one of its own.
    public var segment: String?
    public var calendar: String
    public var firstResponseMinutes: Int
    public var planMinutes: Int
    public var progressMinutes: Int
    public var resolutionMinutes: Int
}

/// The body of `PUT /v1/sla-policies`: the tenant's whole new set.
public struct SLAPolicySetInput: Codable, Sendable {
    public var policies: [SLAPolicyInput]

    public init(policies: [SLAPolicyInput]) { self.policies = policies }
}

/// Reads and replaces a tenant's SLA policies (`sla_policies`, sql/023). Tickets read them in
/// their own transactions through `loadStatement`.
public struct SLAPolicyService: Sendable {
    let database: TenantDatabase
    let clock: any KefuClock

    public init(database: TenantDatabase, clock: any KefuClock) {
        self.database = database
        self.clock = clock
    }

    /// The policies in force: the tenant's, or the defaults where it has none.
    public func get(_ tenantID: UUID) async throws -> SLAPolicySet {
        let policies = try await database.transaction(tenantID, readOnly: true) { tx in try await tx.pipeline(Self.loadStatement(tx)) }
        return SLAPolicySet(policies: policies.policies)
    }

    /// Replaces the tenant's set with `input` (validated whole first: nothing is half-written).
    public func replace(_ tenantID: UUID, _ input: SLAPolicySetInput) async throws -> SLAPolicySet {
        let policies = try SLAPolicies(validating: try input.policies.enumerated().map(Self.policy))
        try await store(tenantID, policies.policies)
        return try await get(tenantID)
    }

    /// Drops the tenant's own policies: the defaults are in force again (`DELETE /v1/sla-policies`).
    public func reset(_ tenantID: UUID) async throws -> SLAPolicySet {
        try await store(tenantID, [])
        return try await get(tenantID)
    }

    /// Writes `policies` as the tenant's whole set, in one transaction.
    private func store(_ tenantID: UUID, _ policies: [SLAPolicy]) async throws {
        let now = clock.now()
        try await database.transaction(tenantID) { tx in
            var writes: [PostgresQuery] = [
                // Serialises concurrent replacements of one tenant's set.
                "SELECT 1 FROM tenants WHERE id = \(tx.tenantID) FOR UPDATE",
                "DELETE FROM sla_policies WHERE tenant_id = \(tx.tenantID)",
            ]
            if !policies.isEmpty {
                var insert: PostgresQuery = """
                    INSERT INTO sla_policies (tenant_id, priority, segment, calendar, first_response_minutes, plan_minutes,
                                              progress_minutes, resolution_minutes, updated_at) VALUES
                    """
                for (index, policy) in policies.enumerated() {
                    insert.append(index > 0 ? ", " : " ")
                    insert.append(
                        """
                        (\(tx.tenantID), \(policy.priority.rawValue), \(policy.segment?.rawValue), \(policy.calendar.rawValue),
                         \(policy.firstResponseMinutes), \(policy.planMinutes), \(policy.progressMinutes), \(policy.resolutionMinutes), \(now))
                        """
                    )
                }
                writes.append(insert)
            }
            _ = try await tx.pipeline(writes)
        }
    }

    /// The tenant's policies over the defaults, for a pipeline.
    static func loadStatement(_ tx: TenantTransaction) -> PostgresStatement<SLAPolicies> {
        let query: PostgresQuery = """
            SELECT priority, segment, calendar, first_response_minutes, plan_minutes, progress_minutes, resolution_minutes
            FROM sla_policies WHERE tenant_id = \(tx.tenantID)
            """
        return query.rows(SLAPolicy.self).map { SLAPolicies(stored: $0) }
    }

    /// A client's policy with its choices checked, naming `policies[index].<field>`.
    private static func policy(_ index: Int, _ input: SLAPolicyInput) throws -> SLAPolicy {
        let field = "policies[\(index)]."
        return SLAPolicy(
            priority: try Validate.choice(input.priority.uppercased(), TicketPriority.self, field: field + "priority"),
            segment: try input.segment.map { try Validate.choice($0, CustomerSegment.self, field: field + "segment") },
            calendar: try Validate.choice(input.calendar, SLACalendar.self, field: field + "calendar"),
            firstResponseMinutes: input.firstResponseMinutes,
            planMinutes: input.planMinutes,
            progressMinutes: input.progressMinutes,
            resolutionMinutes: input.resolutionMinutes
        )
    }
}
