import Foundation
import KefuPostgres

/// A tenant's group robots (admins): where escalations, blockers, breaches and surge alerts are
/// posted for the supervisors, a department or a task force (`RobotMessage`).
public struct RobotService: Sendable {
    /// At most this many robots per tenant.
    public static let maximumPerTenant = 50

    let database: TenantDatabase
    let clock: any KefuClock
    let targets: WebhookTargetPolicy

    public init(database: TenantDatabase, clock: any KefuClock, targets: WebhookTargetPolicy) {
        self.database = database
        self.clock = clock
        self.targets = targets
    }

    static let columns: PostgresQuery = """
        id, tenant_id, kind, name, url, secret IS NOT NULL AS signed, audience, department_id, team_id, events, active,
        created_at, updated_at
        """

    public func list(_ tenantID: UUID, page: PageRequest) async throws -> Page<Robot> {
        let rows = try await database.transaction(tenantID, readOnly: true) { tx in
            try await tx.query(
                Robot.self,
                "SELECT \(Self.columns) FROM robots WHERE tenant_id = \(tenantID)\(page.keysetCondition)\(page.orderAndLimit)"
            )
        }
        return Page(fetched: rows, request: page) { .init(createdAt: $0.createdAt, id: $0.id) }
    }

    public func get(_ tenantID: UUID, id: UUID) async throws -> Robot {
        try await database.transaction(tenantID, readOnly: true) { tx in try await Self.fetch(tx, id: id) }
    }

    public func create(_ tenantID: UUID, _ input: NewRobot) async throws -> Robot {
        let kind = try Validate.choice(input.kind, RobotKind.self, field: "kind")
        let audience = try Validate.choice(input.audience, RobotAudience.self, field: "audience")
        try await checkURL(input.url, kind: kind)
        let events = try Self.alertTypes(input.events)
        let name = try input.name.map { try Validate.text($0, field: "name") }
        let secret = try input.secret.map { try Validate.text($0, field: "secret") }
        guard (audience == .department) == (input.departmentId != nil) else {
            throw KefuError.invalidField("department_id", "is required for audience department and only for it")
        }
        guard (audience == .taskForce) == (input.teamId != nil) else {
            throw KefuError.invalidField("team_id", "is required for audience task_force and only for it")
        }
        let now = clock.now()
        return try await database.transaction(tenantID) { tx in
            let count = try await tx.queryScalar(Int.self, "SELECT count(*) FROM robots WHERE tenant_id = \(tenantID)") ?? 0
            guard count < Self.maximumPerTenant else { throw KefuError.conflict("a tenant has at most \(Self.maximumPerTenant) robots") }
            if let department = input.departmentId,
                try await tx.queryScalar(Bool.self, "SELECT EXISTS (SELECT 1 FROM departments WHERE tenant_id = \(tenantID) AND id = \(department))")
                    != true
            {
                throw KefuError.invalidField("department_id", "no such department")
            }
            if let team = input.teamId,
                try await tx.queryScalar(
                    Bool.self,
                    "SELECT EXISTS (SELECT 1 FROM ticket_teams WHERE tenant_id = \(tenantID) AND id = \(team) AND disbanded_at IS NULL)"
                ) != true
            {
                throw KefuError.invalidField("team_id", "no such active task force")
            }
            let id = UUID()
            try await tx.execute(
                """
                INSERT INTO robots (tenant_id, id, kind, name, url, secret, audience, department_id, team_id, events, active, created_at, updated_at)
                VALUES (\(tenantID), \(id), \(kind.rawValue), \(name), \(input.url), \(secret), \(audience.rawValue), \(input.departmentId),
                        \(input.teamId), \(events.map(\.rawValue)), \(input.active ?? true), \(now), \(now))
                """
            )
            return try await Self.fetch(tx, id: id)
        }
    }

    public func update(_ tenantID: UUID, id: UUID, _ input: RobotUpdate) async throws -> Robot {
        let events = try input.events.map(Self.alertTypes)?.map(\.rawValue)
        let name = try input.name?.value.map { try Validate.text($0, field: "name") }
        let secret = try input.secret?.value.map { try Validate.text($0, field: "secret") }
        return try await database.transaction(tenantID) { tx in
            let robot = try await Self.fetch(tx, id: id, forUpdate: true)
            if let url = input.url { try await checkURL(url, kind: robot.kind) }
            try await tx.execute(
                """
                UPDATE robots SET url = COALESCE(\(input.url), url), events = COALESCE(\(events), events),
                    name = CASE WHEN \(input.name != nil) THEN \(name) ELSE name END,
                    secret = CASE WHEN \(input.secret != nil) THEN \(secret) ELSE secret END,
                    active = COALESCE(\(input.active), active), updated_at = \(clock.now())
                WHERE tenant_id = \(tenantID) AND id = \(id)
                """
            )
            return try await Self.fetch(tx, id: id)
        }
    }

    public func delete(_ tenantID: UUID, id: UUID) async throws {
        try await database.transaction(tenantID) { tx in
            guard try await tx.execute("DELETE FROM robots WHERE tenant_id = \(tenantID) AND id = \(id)") == 1 else {
                throw KefuError.notFound("robot")
            }
        }
    }

    /// The platform's own https host (or an allowed development host), then the address rules.
    private func checkURL(_ url: String, kind: RobotKind) async throws {
        let components = try targets.checkShape(url)
        let host = components.host?.lowercased() ?? ""
        guard kind.hosts.contains(host) || targets.allowedHosts.contains(host) else {
            throw KefuError.invalidField("url", "a \(kind.rawValue) robot posts to \(kind.hosts.sorted().joined(separator: " or "))")
        }
        try await targets.check(url)
    }

    static func fetch(_ tx: TenantTransaction, id: UUID, forUpdate: Bool = false) async throws -> Robot {
        let lock: PostgresQuery = forUpdate ? " FOR UPDATE" : ""
        guard let robot = try await tx.queryFirst(Robot.self, "SELECT \(columns) FROM robots WHERE tenant_id = \(tx.tenantID) AND id = \(id)\(lock)")
        else { throw KefuError.notFound("robot") }
        return robot
    }

    /// 1–10 known types, duplicates dropped (422 naming `events` or `events[i]`).
    static func alertTypes(_ names: [String]) throws -> [RobotAlertType] {
        try Validate.choices(names, RobotAlertType.self, count: 1...10, field: "events")
    }
}
