import Foundation
import Hummingbird
import KefuCore

/// `POST /v1/tickets/{id}/<action>`: the lifecycle. QA inspectors read but do not act.
struct TicketActionRoutes {
    let services: KefuServices

    func register(on group: RouterGroup<TenantRequestContext>) {
        let actions = services.ticketActions
        action(group, "assign", AssignInput.self) { try await actions.assign($0, $1, by: $2, $3) }
        action(group, "respond", MessageInput.self) { try await actions.respond($0, $1, by: $2, $3) }
        action(group, "notes", MessageInput.self) { try await actions.note($0, $1, by: $2, $3) }
        action(group, "request-info", MessageInput.self) { try await actions.requestInfo($0, $1, by: $2, $3) }
        action(group, "customer-reply", MessageInput.self) { tenant, ticket, _, input in try await actions.customerReply(tenant, ticket, input) }
        action(group, "plan", MessageInput.self) { try await actions.plan($0, $1, by: $2, $3) }
        action(group, "transfer", TransferInput.self) { try await actions.transfer($0, $1, by: $2, $3) }
        action(group, "redispatch", RedispatchInput.self) { try await actions.redispatch($0, $1, by: $2, $3) }
        action(group, "escalate", EscalateInput.self) { try await actions.escalate($0, $1, by: $2, $3) }
        action(group, "resolve", ResolveInput.self) { try await actions.resolve($0, $1, by: $2, $3) }
        action(group, "reopen", ReopenInput.self) { try await actions.reopen($0, $1, by: .agent($2), $3) }
        group.post("tickets/:id/close") { _, context -> Ticket in
            try context.principal.require(.agent, .supervisor, .admin)
            return try await actions.close(context.tenantID, context.id(entity: "ticket"), by: context.principal.agentID)
        }
    }

    /// Registers `POST tickets/:id/<name>` decoding `Input` and running `perform`.
    private func action<Input: Decodable & Sendable>(
        _ group: RouterGroup<TenantRequestContext>, _ name: String, _ input: Input.Type,
        _ perform: @escaping @Sendable (UUID, UUID, UUID, Input) async throws -> Ticket
    ) {
        group.post(RouterPath("tickets/:id/\(name)")) { request, context -> Ticket in
            try context.principal.require(.agent, .supervisor, .admin)
            let ticketID = try context.id(entity: "ticket")
            let body = try await request.decodeJSON(Input.self, context: context)
            return try await perform(context.tenantID, ticketID, context.principal.agentID, body)
        }
    }
}
