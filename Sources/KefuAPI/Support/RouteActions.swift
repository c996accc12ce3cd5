import Hummingbird
import KefuCore

/// The action each `/v1` route performs, keyed by `METHOD /path` as the router names the matched
/// route (`POST /v1/tickets/{id}/transfer`). Who may perform it is the action's `AccessRule`.
enum RouteActions {
    static let table: [String: KefuAction] = [
        "GET /v1/me": .readAccount,
        "GET /v1/settings": .readAccount,
        "PATCH /v1/settings": .changeSettings,
        "GET /v1/mail-relay": .changeSettings,
        "PUT /v1/mail-relay": .changeSettings,
        "DELETE /v1/mail-relay": .changeSettings,
        "GET /v1/sla-policies": .readAccount,
        "PUT /v1/sla-policies": .changeSettings,
        "DELETE /v1/sla-policies": .changeSettings,
        "GET /v1/webhooks": .manageWebhooks,
        "POST /v1/webhooks": .manageWebhooks,
        "GET /v1/webhooks/{id}": .manageWebhooks,
        "PATCH /v1/webhooks/{id}": .manageWebhooks,
        "DELETE /v1/webhooks/{id}": .manageWebhooks,
        "POST /v1/webhooks/{id}/rotate-secret": .manageWebhooks,
        "GET /v1/robots": .manageWebhooks,
        "POST /v1/robots": .manageWebhooks,
        "GET /v1/robots/{id}": .manageWebhooks,
        "PATCH /v1/robots/{id}": .manageWebhooks,
        "DELETE /v1/robots/{id}": .manageWebhooks,
        "GET /v1/deliveries": .manageWebhooks,
        "GET /v1/deliveries/{id}": .manageWebhooks,
        "POST /v1/deliveries/{id}/retry": .manageWebhooks,
        "POST /v1/inbound/email-token": .manageWebhooks,
        "GET /v1/templates": .manageTemplates,
        "PUT /v1/templates/{name}/{locale}": .manageTemplates,
        "DELETE /v1/templates/{name}/{locale}": .manageTemplates,

        "GET /v1/agents": .readAgents,
        "POST /v1/agents": .manageAgents,
        "GET /v1/agents/{id}": .readAgents,
        // Admins change profiles, supervisors anyone's duty status, everyone their own: the
        // handler refines this with the fields changed.
        "PATCH /v1/agents/{id}": .setOwnDutyStatus,
        "POST /v1/agents/{id}/complaints": .complainAboutAgent,
        "GET /v1/departments": .readDepartments,
        "POST /v1/departments": .manageDepartments,
        "GET /v1/departments/{id}": .readDepartments,
        "PATCH /v1/departments/{id}": .manageDepartments,
        "GET /v1/api-keys": .manageAPIKeys,
        "POST /v1/api-keys": .manageAPIKeys,
        "DELETE /v1/api-keys/{id}": .manageAPIKeys,

        "GET /v1/customers": .readCustomers,
        "POST /v1/customers": .writeCustomers,
        "GET /v1/customers/{id}": .readCustomers,
        "PATCH /v1/customers/{id}": .writeCustomers,
        "GET /v1/customers/{id}/tickets": .readCustomers,
        "GET /v1/customers/{id}/export": .exportPersonalData,
        "POST /v1/customers/{id}/erase": .erasePersonalData,
        "GET /v1/tags": .readTags,
        "POST /v1/tags": .manageTags,
        "GET /v1/tags/{id}": .readTags,
        "PATCH /v1/tags/{id}": .manageTags,
        "GET /v1/routing-rules": .readRoutingRules,
        "POST /v1/routing-rules": .manageRoutingRules,
        "GET /v1/routing-rules/{id}": .readRoutingRules,
        "PATCH /v1/routing-rules/{id}": .manageRoutingRules,
        "DELETE /v1/routing-rules/{id}": .manageRoutingRules,

        "POST /v1/tickets": .intakeTicket,
        "GET /v1/tickets": .listTickets,
        "GET /v1/tickets/{id}": .readTicket,
        "PATCH /v1/tickets/{id}": .editTicket,
        "GET /v1/tickets/{id}/messages": .readTicketMessages,
        "GET /v1/tickets/{id}/events": .readTicketRecords,
        "GET /v1/tickets/{id}/assignments": .readTicketRecords,
        "GET /v1/tickets/{id}/breaches": .readTicketRecords,
        "GET /v1/tickets/{id}/survey": .readTicketRecords,
        // Every ticket's events as they commit: for whoever may read a ticket's events.
        "GET /v1/stream": .readTicketRecords,
        // Taking a new ticket is for any handler; assigning it to someone else is checked by the service.
        "POST /v1/tickets/{id}/assign": .takeTicket,
        "POST /v1/tickets/{id}/respond": .respond,
        "POST /v1/tickets/{id}/progress": .respond,
        "POST /v1/tickets/{id}/notes": .addNote,
        "POST /v1/tickets/{id}/request-info": .requestInfo,
        "POST /v1/tickets/{id}/customer-reply": .customerReply,
        "POST /v1/channels/{channel}/messages": .postChannelMessage,
        "POST /v1/tickets/{id}/plan": .plan,
        "POST /v1/tickets/{id}/transfer": .transfer,
        "POST /v1/tickets/{id}/redispatch": .redispatch,
        "POST /v1/tickets/{id}/escalate": .escalate,
        // Department work: members of the escalated department (checked by the service), supervisors, admins.
        "POST /v1/tickets/{id}/department-ack": .departmentWork,
        "POST /v1/tickets/{id}/department-blocker": .departmentWork,
        "POST /v1/tickets/{id}/department-solved": .departmentWork,
        "POST /v1/tickets/{id}/department-reply": .departmentWork,
        "GET /v1/tickets/{id}/plans": .readTicketRecords,
        "POST /v1/tickets/{id}/plan/approve": .approvePlan,
        "POST /v1/tickets/{id}/plan/reject": .approvePlan,
        "POST /v1/tickets/{id}/plan/confirm": .confirmPlan,
        "POST /v1/tickets/{id}/plan/execute": .executePlan,
        "GET /v1/tickets/{id}/team": .readTicketRecords,
        "POST /v1/tickets/{id}/team": .formTeam,
        "DELETE /v1/tickets/{id}/team": .formTeam,
        "POST /v1/tickets/{id}/resolve": .resolve,
        "POST /v1/tickets/{id}/reopen": .reopen,
        "POST /v1/tickets/{id}/close": .close,
        "POST /v1/tickets/{id}/merge": .merge,
        "POST /v1/tickets/{id}/qa-reviews": .reviewTicket,

        "GET /v1/reports/qa": .readReports,
        "GET /v1/reports/agents": .readReports,
        "GET /v1/reports/best-agent": .readReports,
        "GET /v1/reports/weekly": .readReports,
        "GET /v1/reports/weekly.svg": .readReports,
        // Everyone's notifications (`all=true`) are checked by the service.
        "GET /v1/notifications": .readOwnNotifications,
        "POST /v1/notifications/{id}/read": .readOwnNotifications,
        "GET /v1/followups": .readOwnFollowups,
        "POST /v1/followups/{id}/complete": .completeFollowup,
        "GET /v1/problem-reports": .readProblemReports,
        "GET /v1/problem-reports/{id}": .readProblemReports,
        // Filling in and submitting; accepting and marking done need `settle_problem_report`,
        // checked by the service from the status asked for.
        "PATCH /v1/problem-reports/{id}": .fileProblemReport,

        "GET /v1/surge": .readSurge,
        "POST /v1/surge/activate": .switchSurge,
        "POST /v1/surge/deactivate": .switchSurge,
        "GET /v1/events": .readSurge,
        "POST /v1/events": .planEvents,
        "GET /v1/events/{id}": .readSurge,
        "GET /v1/incidents": .readSurge,
        "GET /v1/incidents/{id}": .readSurge,
        "GET /v1/incidents/{id}/review": .readSurge,
        "PATCH /v1/incidents/{id}/review": .writeIncidentReview,

        "GET /v1/kb/articles": .readKnowledge,
        "POST /v1/kb/articles": .writeArticles,
        "GET /v1/kb/articles/{id}": .readKnowledge,
        "PATCH /v1/kb/articles/{id}": .writeArticles,
        "POST /v1/kb/articles/{id}/tickets": .writeArticles,
        "GET /v1/kb/articles/{id}/versions": .readKnowledge,
        "GET /v1/kb/articles/{id}/versions/{version}": .readKnowledge,
        "POST /v1/kb/articles/{id}/versions/{version}/restore": .writeArticles,
        "POST /v1/kb/articles/{id}/votes": .voteOnArticles,
        "GET /v1/kb/gaps": .readKnowledge,
        "GET /v1/kb/scripts": .readKnowledge,
        "POST /v1/kb/scripts": .manageReplyScripts,
        "POST /v1/kb/scripts/{id}/render": .readKnowledge,

        "GET /v1/training/plans": .readTraining,
        "POST /v1/training/plans": .manageTraining,
        "GET /v1/training/courses": .readTraining,
        "POST /v1/training/courses": .manageTraining,
        "GET /v1/training/courses/{id}/sessions": .readTraining,
        "POST /v1/training/courses/{id}/sessions": .manageTraining,
        "GET /v1/training/enrolments": .readTraining,
        "POST /v1/training/enrolments": .manageTraining,
        "POST /v1/training/enrolments/{id}/assessments": .assessTraining,
        "GET /v1/training/certificates": .readTraining,
        "GET /v1/training/eligibility": .readTraining,
        "GET /v1/training/materials": .readTraining,
    ]

    /// The action of a matched route, e.g. `action(method: .post, path: "/v1/tickets/{id}/close")`.
    static func action(method: HTTPRequest.Method, path: String) -> KefuAction? {
        table["\(method.rawValue) \(path)"]
    }
}

/// Refuses a `/v1` request with 403 unless the caller's role may perform its route's action.
/// A route missing from `RouteActions` is refused for everyone: new routes fail closed.
struct AuthorizationMiddleware: RouterMiddleware {
    typealias Context = TenantRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let path = context.endpointPath, let action = RouteActions.action(method: request.method, path: path) else {
            throw KefuError.forbidden("this route has no access rule")
        }
        try context.principal.authorize(action)
        return try await next(request, context)
    }
}
