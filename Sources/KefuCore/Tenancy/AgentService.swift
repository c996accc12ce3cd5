import Foundation
import KefuPostgres

/// Input for a new agent (enum fields as text, validated here so the API and CLI share the rules).
public struct NewAgent: Codable, Sendable {
    public var name: String
    public var email: String
    public var role: String
    public var tier: String?
    public var skills: [String]?
    public var dutyStatus: String?
    public var departmentId: UUID?

    public init(
        name: String,
        email: String,
        role: String,
        tier: String? = nil,
        skills: [String]? = nil,
        dutyStatus: String? = nil,
        departmentId: UUID? = nil
    ) {
        self.name = name
        self.email = email
        self.role = role
        self.tier = tier
        self.skills = skills
        self.dutyStatus = dutyStatus
        self.departmentId = departmentId
    }
}

/// A partial update of an agent: absent fields stay as they are.
public struct AgentUpdate: Codable, Sendable, PartialUpdate {
    public var name: String?
    public var email: String?
    public var role: String?
    public var tier: String?
    public var skills: [String]?
    public var dutyStatus: String?
    public var departmentId: UUID?
    public var active: Bool?

    public init(
        name: String? = nil,
        email: String? = nil,
        role: String? = nil,
        tier: String? = nil,
        skills: [String]? = nil,
        dutyStatus: String? = nil,
        departmentId: UUID? = nil,
        active: Bool? = nil
    ) {
        self.name = name
        self.email = email
        self.role = role
        self.tier = tier
        self.skills = skills
        self.dutyStatus = dutyStatus
        self.departmentId = departmentId
        self.active = active
    }
}

/// Agents of a tenant: list, read, create, update (including duty status).
public struct AgentService: Sendable {
    let database: TenantDatabase
    /// Emptied when an agent's role or active flag changes: keys resolve to both.
    let principals: PrincipalCache
    static let columns: PostgresQuery = """
        id, tenant_id, name, email, role, tier, skills, duty_status, department_id, active, created_at, updated_at
        """

    public init(database: TenantDatabase, principals: PrincipalCache = PrincipalCache(lifetime: .zero)) {
        self.database = database
        self.principals = principals
    }

    public func list(_ tenantID: UUID, page: PageRequest) async throws -> Page<Agent> {
        let rows = try await database.transaction(tenantID, readOnly: true) { tx in
            try await tx.query(
                Agent.self,
                """
                SELECT \(Self.columns) FROM agents
                WHERE tenant_id = \(tenantID)\(page.keysetCondition)\(page.orderAndLimit)
                """
            )
        }
        return Page(fetched: rows, request: page) { .init(createdAt: $0.createdAt, id: $0.id) }
    }

    public func get(_ tenantID: UUID, id: UUID) async throws -> Agent {
        try await database.transaction(tenantID, readOnly: true) { tx in try await Self.fetch(tx, id: id) }
    }

    static func fetch(_ tx: TenantTransaction, id: UUID) async throws -> Agent {
        guard
            let agent = try await tx.queryFirst(
                Agent.self,
                """
                SELECT \(columns) FROM agents WHERE tenant_id = \(tx.tenantID) AND id = \(id)
                """
            )
        else { throw KefuError.notFound("agent") }
        return agent
    }

    public func create(_ tenantID: UUID, _ input: NewAgent) async throws -> Agent {
        try await database.transaction(tenantID) { tx in try await Self.insert(tx, input) }
    }

    /// Inserts an agent inside an existing tenant transaction.
    static func insert(_ tx: TenantTransaction, _ input: NewAgent) async throws -> Agent {
        let name = try Validate.text(input.name, field: "name")
        let email = try Validate.email(input.email)
        let role = try Validate.choice(input.role, AgentRole.self, field: "role")
        let tier = try Validate.choice(input.tier ?? AgentTier.junior.rawValue, AgentTier.self, field: "tier")
        let duty = try Validate.choice(input.dutyStatus ?? DutyStatus.onDuty.rawValue, DutyStatus.self, field: "duty_status")
        let skills = try Validate.skills(input.skills ?? [])
        try await requireDepartment(tx, input.departmentId)
        do {
            return try await require(
                tx.queryFirst(
                    Agent.self,
                    """
                    INSERT INTO agents (tenant_id, name, email, role, tier, skills, duty_status, department_id)
                    VALUES (\(tx.tenantID), \(name), \(email), \(role.rawValue), \(tier.rawValue), \(skills), \(duty.rawValue), \(input.departmentId))
                    RETURNING \(columns)
                    """
                )
            )
        } catch let error as PostgresError where error.isUniqueViolation {
            throw KefuError.conflict("an agent with email \(email) already exists")
        }
    }

    public func update(_ tenantID: UUID, id: UUID, _ input: AgentUpdate) async throws -> Agent {
        let name = try input.name.map { try Validate.text($0, field: "name") }
        let email = try input.email.map { try Validate.email($0) }
        let role = try input.role.map { try Validate.choice($0, AgentRole.self, field: "role").rawValue }
        let tier = try input.tier.map { try Validate.choice($0, AgentTier.self, field: "tier").rawValue }
        let duty = try input.dutyStatus.map { try Validate.choice($0, DutyStatus.self, field: "duty_status").rawValue }
        let skills = try input.skills.map { try Validate.skills($0) }
        defer { if role != nil || input.active != nil { principals.removeAll() } }
        return try await database.transaction(tenantID) { tx in
            if role != nil || input.active != nil {
                // Concurrent demotions of two admins must not both see the other still in place.
                try await Self.lockAdmins(tx)
            }
            let before = try await Self.fetch(tx, id: id)
            try await Self.requireDepartment(tx, input.departmentId)
            let losesAdmin = before.role == .admin && before.active && ((role != nil && role != "admin") || input.active == false)
            if losesAdmin {
                let admins =
                    try await tx.queryScalar(
                        Int.self,
                        """
                        SELECT count(*) FROM agents WHERE tenant_id = \(tenantID) AND role = 'admin' AND active
                        """
                    ) ?? 0
                if admins <= 1 { throw KefuError.conflict("a tenant must keep at least one active admin") }
            }
            do {
                return try await require(
                    tx.queryFirst(
                        Agent.self,
                        """
                        UPDATE agents SET
                            name = COALESCE(\(name), name), email = COALESCE(\(email), email),
                            role = COALESCE(\(role), role), tier = COALESCE(\(tier), tier),
                            skills = COALESCE(\(skills), skills), duty_status = COALESCE(\(duty), duty_status),
                            department_id = COALESCE(\(input.departmentId), department_id),
                            active = COALESCE(\(input.active), active), updated_at = now()
                        WHERE tenant_id = \(tenantID) AND id = \(id)
                        RETURNING \(Self.columns)
                        """
                    )
                )
            } catch let error as PostgresError where error.isUniqueViolation {
                throw KefuError.conflict("an agent with email \(email ?? "") already exists")
            }
        }
    }

    /// Locks the tenant's active admins (in one order, so two callers cannot deadlock) until the
    /// transaction ends: the "at least one admin" check and the change it allows happen as one.
    private static func lockAdmins(_ tx: TenantTransaction) async throws {
        _ = try await tx.query(
            """
            SELECT id FROM agents WHERE tenant_id = \(tx.tenantID) AND role = 'admin' AND active ORDER BY id FOR UPDATE
            """
        )
    }

    private static func requireDepartment(_ tx: TenantTransaction, _ id: UUID?) async throws {
        guard let id else { return }
        let exists = try await tx.queryFirst("SELECT 1 FROM departments WHERE tenant_id = \(tx.tenantID) AND id = \(id)")
        if exists == nil { throw KefuError.invalidField("department_id", "no such department") }
    }
}

/// Unwraps a row a statement must have returned.
func require<T>(_ value: T?) throws -> T {
    guard let value else { throw KefuError.notFound("row") }
    return value
}
