import Foundation
import HTTPTypes
import Hummingbird
import KefuCore
import KefuRuntime

/// `POST /v1/tickets/{id}/<action>`: the lifecycle. Who may do which action is `KefuAction`'s rule
/// (checked for the route by `AuthorizationMiddleware`, against the ticket's owner by the service).
struct TicketActionRoutes {
    let services: KefuServices

    func register(on group: RouterGroup<TenantRequestContext>) {
        let actions = services.ticketActions
        action(group, "assign", AssignInput.self, actions.assign)
        action(group, "respond", RespondInput.self, actions.respond)
        action(group, "progress", ProgressInput.self, actions.notifyProgress)
        action(group, "notes", MessageInput.self, actions.note)
        action(group, "request-info", MessageInput.self, actions.requestInfo)
        action(group, "customer-reply", MessageInput.self, actions.customerReply)
        action(group, "plan", PlanInput.self, actions.plan)
        action(group, "transfer", TransferInput.self, actions.transfer)
        action(group, "redispatch", RedispatchInput.self, actions.redispatch)
        action(group, "escalate", EscalateInput.self, actions.escalate)
        group.post("tickets/:id/department-ack") { _, context -> Ticket in
            try await actions.departmentAck(context.principal, context.id(entity: "ticket"))
        }
        action(group, "department-blocker", DepartmentBlockerInput.self, actions.departmentBlocker)
        action(group, "department-solved", MessageInput.self, actions.departmentSolved)
        action(group, "department-reply", MessageInput.self, actions.departmentReply)
        group.post("tickets/:id/resolve") { request, context -> Response in
            let input = try await request.decodeJSON(ResolveInput.self, context: context)
            let resolved = try await actions.resolve(context.principal, context.id(entity: "ticket"), input)
            var response = try resolved.ticket.response(from: request, context: context)
            if let token = resolved.surveyToken { response.headers[SurveyToken.header] = token }
            return response
        }
        action(group, "reopen", ReopenInput.self, actions.reopen)
        group.post("tickets/:id/close") { _, context -> Ticket in
            try await actions.close(context.principal, context.id(entity: "ticket"))
        }
        action(group, "merge", MergeInput.self, actions.merge)
    }

    /// Registers `POST tickets/:id/<name>` decoding `Input` and running `perform`.
    private func action<Input: Decodable & Sendable>(
        _ group: RouterGroup<TenantRequestContext>,
        _ name: String,
        _ input: Input.Type,
        _ perform: @escaping @Sendable (Principal, UUID, Input) async throws -> Ticket
    ) {
        group.post(RouterPath("tickets/:id/\(name)")) { request, context -> Ticket in
            let ticketID = try context.id(entity: "ticket")
            let body = try await request.decodeJSON(Input.self, context: context)
            return try await perform(context.principal, ticketID, body)
        }
    }
}

/// The `Survey-Token` response header of `resolve`: the customer's survey token, shown once.
enum SurveyToken {
    static let header = HTTPField.Name("Survey-Token")!
}
