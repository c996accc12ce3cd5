import Foundation

/// Whether a tenant's keys work.
public enum TenantStatus: String, Codable, Sendable, CaseIterable {
    case active, suspended
}

/// A company's helpdesk.
public struct Tenant: Codable, Sendable, Equatable {
    public var id: UUID
    public var slug: String
    public var name: String
    public var status: TenantStatus
    public var timezone: String
    public var createdAt: Date
    public var updatedAt: Date
}

/// What an agent may do (each action's rule is in `KefuAction`). `integration` is not a person:
/// its keys belong to channel gateways, which take tickets in and write as the customer.
public enum AgentRole: String, Codable, Sendable, CaseIterable {
    case agent, supervisor, qa, admin, integration
}

/// An agent's seniority: which questions they take.
public enum AgentTier: String, Codable, Sendable, CaseIterable, Comparable {
    case junior, mid, senior

    public static func < (lhs: AgentTier, rhs: AgentTier) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// Whether an agent takes new work.
public enum DutyStatus: String, Codable, Sendable, CaseIterable {
    /// Taking tickets.
    case onDuty = "on_duty"
    /// Out of the rotation (e.g. a day off); called back in a surge.
    case offRotation = "off_rotation"
    /// Second-line staff that can be activated.
    case reserve
    /// Unavailable.
    case away
}

/// A support agent of one tenant.
public struct Agent: Codable, Sendable, Equatable {
    public var id: UUID
    public var tenantId: UUID
    public var name: String
    public var email: String
    public var role: AgentRole
    public var tier: AgentTier
    public var skills: [String]
    public var dutyStatus: DutyStatus
    public var departmentId: UUID?
    public var active: Bool
    public var createdAt: Date
    public var updatedAt: Date
}

/// A team tickets can be escalated to (technical, product, legal, warehouse …).
public struct Department: Codable, Sendable, Equatable {
    public var id: UUID
    public var tenantId: UUID
    public var name: String
    public var description: String
    public var createdAt: Date
}

/// An API key as listed: never the key itself.
public struct APIKeyInfo: Codable, Sendable, Equatable {
    public var id: UUID
    public var tenantId: UUID
    public var agentId: UUID
    public var name: String
    public var prefix: String
    public var createdAt: Date
    public var lastUsedAt: Date?
    public var revokedAt: Date?
}

/// A newly created key: the only time the plaintext exists.
public struct CreatedAPIKey: Codable, Sendable {
    public var key: APIKeyInfo
    /// The secret, shown once.
    public var apiKey: String
}

/// Who is calling: resolved from an API key.
public struct Principal: Sendable, Equatable {
    public var tenantID: UUID
    public var agentID: UUID
    public var role: AgentRole
    public var keyID: UUID

    public init(tenantID: UUID, agentID: UUID, role: AgentRole, keyID: UUID) {
        self.tenantID = tenantID
        self.agentID = agentID
        self.role = role
        self.keyID = keyID
    }
}
