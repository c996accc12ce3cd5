import Foundation

/// The group-chat platforms whose robots Kefu posts to.
public enum RobotKind: String, Codable, Sendable, CaseIterable {
    case dingtalk, wecom, feishu

    /// The hosts each platform's robot URLs live on (a robot URL elsewhere is refused, unless the
    /// host is on the deployment's allow-list for development).
    var hosts: Set<String> {
        switch self {
        case .dingtalk: ["oapi.dingtalk.com"]
        case .wecom: ["qyapi.weixin.qq.com"]
        case .feishu: ["open.feishu.cn", "open.larksuite.com"]
        }
    }
}

/// Whose group a robot posts in: the supervisors', a department's (alerts about tickets
/// escalated to it), or a task force's (alerts about its ticket while it is formed).
public enum RobotAudience: String, Codable, Sendable, CaseIterable {
    case supervisors, department
    case taskForce = "task_force"
}

/// What a robot can be told.
public enum RobotAlertType: String, Codable, Sendable, CaseIterable {
    /// A ticket escalated to a department or to the supervisors.
    case ticketEscalated = "ticket.escalated"
    /// A department reported a blocker.
    case departmentBlocked = "department.blocked"
    /// An SLA clock was missed.
    case slaBreached = "sla.breached"
    /// The tenant went into contingency (surge) mode.
    case surgeStarted = "surge.started"
    /// The tenant left contingency mode.
    case surgeEnded = "surge.ended"
}

/// A group robot of the tenant.
public struct Robot: Codable, Sendable, Equatable {
    public var id: UUID
    public var tenantId: UUID
    public var kind: RobotKind
    public var name: String?
    public var url: String
    /// Whether a signing secret is set (the secret itself is never shown).
    public var signed: Bool
    public var audience: RobotAudience
    public var departmentId: UUID?
    public var teamId: UUID?
    public var events: [RobotAlertType]
    public var active: Bool
    public var createdAt: Date
    public var updatedAt: Date
}

/// `POST /v1/robots`.
public struct NewRobot: Decodable, Sendable {
    public var kind: String
    public var name: String?
    public var url: String
    public var secret: String?
    public var audience: String
    public var departmentId: UUID?
    public var teamId: UUID?
    public var events: [String]
    public var active: Bool?
}

/// `PATCH /v1/robots/{id}`: name, URL, secret (null removes it), events, active.
public struct RobotUpdate: Decodable, Sendable {
    public var name: Clearable<String>?
    public var url: String?
    public var secret: Clearable<String>?
    public var events: [String]?
    public var active: Bool?
}
