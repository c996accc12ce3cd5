import Foundation
import KefuPostgres

/// Input for a department.
public struct NewDepartment: Codable, Sendable {
    public var name: String
    public var description: String?

    public init(name: String, description: String? = nil) {
        self.name = name
        self.description = description
    }
}

/// A department's new name and, when given, description (left out: kept; `null` is refused).
public struct DepartmentUpdate: Codable, Sendable, PartialUpdate {
    public var name: String
    public var description: String?

    public init(name: String, description: String? = nil) {
        self.name = name
        self.description = description
    }
}

/// Departments tickets can be escalated to.
public struct DepartmentService: Sendable {
    let database: TenantDatabase
    static let columns: PostgresQuery = "id, tenant_id, name, description, created_at"

    public init(database: TenantDatabase) {
        self.database = database
    }

    public func list(_ tenantID: UUID, page: PageRequest) async throws -> Page<Department> {
        let rows = try await database.transaction(tenantID, readOnly: true) { tx in
            try await tx.query(
                Department.self,
                """
                SELECT \(Self.columns) FROM departments
                WHERE tenant_id = \(tenantID)\(page.keysetCondition)\(page.orderAndLimit)
                """
            )
        }
        return Page(fetched: rows, request: page) { .init(createdAt: $0.createdAt, id: $0.id) }
    }

    public func get(_ tenantID: UUID, id: UUID) async throws -> Department {
        try await database.transaction(tenantID, readOnly: true) { tx in try await get(tx, id: id) }
    }

    /// Reads a department inside an existing tenant transaction.
    func get(_ tx: TenantTransaction, id: UUID) async throws -> Department {
        guard
            let department = try await tx.queryFirst(
                Department.self,
                """
                SELECT \(Self.columns) FROM departments WHERE tenant_id = \(tx.tenantID) AND id = \(id)
                """
            )
        else { throw KefuError.notFound("department") }
        return department
    }

    /// The department's active members (agents whose `department_id` it is), who are notified
    /// when a ticket is escalated to it.
    static func activeMembers(_ tx: TenantTransaction, department: UUID) async throws -> [UUID] {
        try await tx.query(
            """
            SELECT id FROM agents WHERE tenant_id = \(tx.tenantID) AND department_id = \(department) AND active AND role <> 'integration'
            ORDER BY id
            """
        ).map { try $0.decode(UUID.self, at: 0) }
    }

    public func create(_ tenantID: UUID, _ input: NewDepartment) async throws -> Department {
        let name = try Validate.text(input.name, field: "name")
        let description = try input.description.map { try Validate.text($0, field: "description", maxLength: 2000) } ?? ""
        return try await database.transaction(tenantID) { tx in
            do {
                return try require(
                    try await tx.queryFirst(
                        Department.self,
                        """
                        INSERT INTO departments (tenant_id, name, description) VALUES (\(tenantID), \(name), \(description))
                        RETURNING \(Self.columns)
                        """
                    )
                )
            } catch let error as PostgresError where error.isUniqueViolation {
                throw KefuError.conflict("a department named \(name) already exists")
            }
        }
    }

    public func update(_ tenantID: UUID, id: UUID, _ input: DepartmentUpdate) async throws -> Department {
        let name = try Validate.text(input.name, field: "name")
        let description = try input.description.map { try Validate.text($0, field: "description", maxLength: 2000) }
        return try await database.transaction(tenantID) { tx in
            do {
                guard
                    let department = try await tx.queryFirst(
                        Department.self,
                        """
                        UPDATE departments SET name = \(name), description = COALESCE(\(description), description)
                        WHERE tenant_id = \(tenantID) AND id = \(id) RETURNING \(Self.columns)
                        """
                    )
                else { throw KefuError.notFound("department") }
                return department
            } catch let error as PostgresError where error.isUniqueViolation {
                throw KefuError.conflict("a department named \(name) already exists")
            }
        }
    }
}
