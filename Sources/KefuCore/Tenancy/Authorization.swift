import Foundation

/// Something a caller may do inside its tenant. Each action has one `AccessRule`: this file is
/// the one place that decides who may do what. The API checks the rule of every route's action
/// before the handler runs; services check the rules that depend on the data (the ticket's
/// owner, whose duty status) inside their transaction.
public enum KefuAction: String, Sendable, CaseIterable {
    // Account, people and configuration.
    case readAccount = "read_account"
    case changeSettings = "change_settings"
    case readAgents = "read_agents"
    case manageAgents = "manage_agents"
    case setOwnDutyStatus = "set_own_duty_status"
    case setAnyDutyStatus = "set_any_duty_status"
    case readDepartments = "read_departments"
    case manageDepartments = "manage_departments"
    case manageAPIKeys = "manage_api_keys"
    case readCustomers = "read_customers"
    case writeCustomers = "write_customers"
    /// Everything held about one customer (PIPL / GDPR access request).
    case exportPersonalData = "export_personal_data"
    /// Erasing a customer's personal data: irreversible, so admins only.
    case erasePersonalData = "erase_personal_data"
    case readTags = "read_tags"
    case manageTags = "manage_tags"
    case readRoutingRules = "read_routing_rules"
    case manageRoutingRules = "manage_routing_rules"
    /// Reading and overriding the customer texts (`/v1/templates`).
    case manageTemplates = "manage_templates"
    /// Webhooks and their deliveries (issue 15).
    case manageWebhooks = "manage_webhooks"

    // Tickets.
    case intakeTicket = "intake_ticket"
    case listTickets = "list_tickets"
    case readTicket = "read_ticket"
    case readTicketMessages = "read_ticket_messages"
    case readInternalMessages = "read_internal_messages"
    case readTicketRecords = "read_ticket_records"
    case takeTicket = "take_ticket"
    case assignTicketToOthers = "assign_ticket_to_others"
    case addNote = "add_note"
    case respond
    case requestInfo = "request_info"
    case plan
    case transfer
    case redispatch
    case escalate
    case resolve
    case reopen
    case close
    /// Closing a duplicate into another ticket of the same customer.
    case merge
    /// Correcting a ticket's priority, category, tags, subject or expected time.
    case editTicket = "edit_ticket"
    case customerReply = "customer_reply"
    /// A channel gateway's customer message (`POST /v1/channels/{channel}/messages`).
    case postChannelMessage = "post_channel_message"
    /// Acknowledge, report a blocker, record the solution ready, hand back: for the escalated
    /// department's members (the "owner" case of its rule), supervisors and admins.
    case departmentWork = "department_work"
    /// Approve or reject a P1/P2 or complex plan.
    case approvePlan = "approve_plan"
    /// Record the customer's confirmation of a plan: the ticket's owner (or task force), a
    /// channel gateway's integration key, supervisors, admins.
    case confirmPlan = "confirm_plan"
    /// Record a plan executed: the ticket's owner (or task force), the plan's executor,
    /// supervisors, admins.
    case executePlan = "execute_plan"
    /// Form or disband a ticket's temporary task force.
    case formTeam = "form_team"

    // Quality, reports and follow-through.
    case reviewTicket = "review_ticket"
    case complainAboutAgent = "complain_about_agent"
    case readReports = "read_reports"
    case readOwnNotifications = "read_own_notifications"
    case readAllNotifications = "read_all_notifications"
    case readOwnFollowups = "read_own_followups"
    case readAllFollowups = "read_all_followups"
    case completeFollowup = "complete_followup"
    /// Problem feedback forms (recurring problems): reading them, filling one in and submitting
    /// it, accepting it and marking it done (the responsible side, `ProblemReportLifecycle`).
    case readProblemReports = "read_problem_reports"
    case fileProblemReport = "file_problem_report"
    case settleProblemReport = "settle_problem_report"

    // Surge mode and scheduled events.
    case readSurge = "read_surge"
    case switchSurge = "switch_surge"
    case planEvents = "plan_events"
    case writeIncidentReview = "write_incident_review"

    // Knowledge base and reply scripts.
    case readKnowledge = "read_knowledge"
    case writeArticles = "write_articles"
    case voteOnArticles = "vote_on_articles"
    case manageReplyScripts = "manage_reply_scripts"

    // Training.
    case readTraining = "read_training"
    case manageTraining = "manage_training"
    case assessTraining = "assess_training"

    /// Who may do it.
    public var rule: AccessRule {
        switch self {
        case .readAccount, .readAgents, .setOwnDutyStatus, .readDepartments, .readCustomers, .readTags, .readRoutingRules,
            .listTickets, .readInternalMessages, .readTicketRecords, .complainAboutAgent, .readReports, .readOwnNotifications,
            .readOwnFollowups, .readSurge, .readKnowledge, .writeArticles, .voteOnArticles, .readTraining, .readProblemReports:
            .roles(AccessRule.staff)
        case .changeSettings, .manageAgents, .manageDepartments, .manageAPIKeys, .manageRoutingRules, .erasePersonalData,
            .manageTemplates, .manageWebhooks:
            .roles([.admin])
        case .setAnyDutyStatus, .manageTags, .assignTicketToOthers, .readAllNotifications, .readAllFollowups, .switchSurge,
            .planEvents, .manageTraining, .exportPersonalData, .approvePlan, .formTeam, .settleProblemReport:
            .roles(AccessRule.leads)
        case .writeCustomers, .takeTicket, .addNote:
            .roles(AccessRule.handlers)
        case .intakeTicket:
            .roles(AccessRule.handlers.union([.integration]))
        case .readTicket, .readTicketMessages:
            .roles(AccessRule.staff.union([.integration]))
        case .respond, .requestInfo, .plan, .transfer, .redispatch, .escalate, .resolve, .reopen, .close, .merge, .editTicket,
            .departmentWork, .executePlan:
            AccessRule(roles: AccessRule.leads, ownerRoles: [.agent])
        case .confirmPlan:
            AccessRule(roles: AccessRule.leads.union([.integration]), ownerRoles: [.agent])
        case .customerReply, .postChannelMessage:
            .roles([.integration, .admin])
        case .reviewTicket, .completeFollowup, .writeIncidentReview, .manageReplyScripts, .assessTraining, .fileProblemReport:
            .roles([.qa, .supervisor, .admin])
        }
    }
}

/// Who may do an action: roles that always may, and roles that may on a ticket they own.
public struct AccessRule: Sendable, Equatable {
    /// Roles that may always do it.
    public var roles: Set<AgentRole>
    /// Roles that may do it on a ticket they own (first-contact ownership) or act on like its
    /// owner: members of its task force; for `department_work`, members of the department the
    /// ticket is escalated to (and only they); for `execute_plan`, the plan's executor too.
    public var ownerRoles: Set<AgentRole>

    public init(roles: Set<AgentRole>, ownerRoles: Set<AgentRole> = []) {
        self.roles = roles
        self.ownerRoles = ownerRoles
    }

    public static func roles(_ roles: Set<AgentRole>) -> AccessRule { AccessRule(roles: roles) }

    /// Every person of the helpdesk (not integration keys).
    static let staff: Set<AgentRole> = [.agent, .supervisor, .qa, .admin]
    /// People who handle tickets (QA inspectors read but do not act).
    static let handlers: Set<AgentRole> = [.agent, .supervisor, .admin]
    /// Supervisors and admins.
    static let leads: Set<AgentRole> = [.supervisor, .admin]

    /// Whether `role` may do it in some case (on some ticket it owns, at least).
    public func admits(_ role: AgentRole) -> Bool { roles.contains(role) || ownerRoles.contains(role) }

    /// Whether `role` may do it, given whether the caller owns the ticket concerned.
    public func allows(_ role: AgentRole, owner: Bool) -> Bool { roles.contains(role) || (owner && ownerRoles.contains(role)) }
}

extension Principal {
    /// Throws `forbidden` unless the caller's role may do `action` (on some ticket at least, for
    /// actions reserved to a ticket's owner: the service then checks the ticket).
    public func authorize(_ action: KefuAction) throws {
        guard action.rule.admits(role) else { throw Self.refusal(action) }
    }

    /// Throws `forbidden` unless the caller may do `action` on a ticket owned by `owner`.
    public func authorize(_ action: KefuAction, ticketOwner owner: UUID?) throws {
        try authorize(action, on: owner, standing: TicketStanding())
    }

    /// Throws `forbidden` unless the caller may do `action` on a ticket owned by `owner`, being
    /// what `standing` says to it: a task-force member acts like the owner; department work is
    /// for the escalated department's members instead.
    func authorize(_ action: KefuAction, on owner: UUID?, standing: TicketStanding) throws {
        let rule = action.rule
        let department = action == .departmentWork
        let actsAsOwner =
            department
            ? standing.departmentMember
            : owner == agentID || standing.teamMember || (action == .executePlan && standing.planExecutor)
        guard rule.allows(role, owner: actsAsOwner) else {
            let who = department ? "members of the department the ticket is escalated to" : "the ticket's owner or task force"
            if rule.admits(role) { throw KefuError.forbidden("\(action.rawValue) is for \(who) or a supervisor or admin") }
            throw Self.refusal(action)
        }
    }

    /// Whether the caller's role may do `action` (for choices such as "everyone's or only mine").
    public func may(_ action: KefuAction) -> Bool { action.rule.roles.contains(role) }

    private static func refusal(_ action: KefuAction) -> KefuError {
        let roles = AgentRole.allCases.filter(action.rule.admits).map(\.rawValue)
        return KefuError.forbidden("\(action.rawValue) requires role \(roles.joined(separator: " or "))")
    }
}
