import Foundation
import Hummingbird
import KefuCore
import KefuRuntime

/// `/v1/agents`: admins manage agents; supervisors set anyone's duty status; agents their own.
struct AgentRoutes {
    let services: KefuServices

    func register(on group: RouterGroup<TenantRequestContext>) {
        group.get("agents") { request, context -> Page<Agent> in
            try await services.agents.list(context.tenantID, page: request.pageRequest())
        }
        group.post("agents") { request, context -> Created<Agent> in
            let input = try await request.decodeJSON(NewAgent.self, context: context)
            return Created(value: try await services.agents.create(context.tenantID, input))
        }
        group.get("agents/:id") { _, context -> Agent in
            try await services.agents.get(context.tenantID, id: context.id(entity: "agent"))
        }
        group.patch("agents/:id") { request, context -> Agent in
            let id = try context.id(entity: "agent")
            let update = try await request.decodeJSON(AgentUpdate.self, context: context)
            try authorize(update, of: id, by: context.principal)
            return try await services.agents.update(context.tenantID, id: id, update)
        }
    }

    /// Only admins change profiles (`manageAgents`); duty status alone may also be set by
    /// supervisors (anyone's, `setAnyDutyStatus`) and by everyone else (their own).
    private func authorize(_ update: AgentUpdate, of id: UUID, by principal: Principal) throws {
        let onlyDuty =
            update.name == nil && update.email == nil && update.role == nil && update.tier == nil
            && update.skills == nil && update.departmentId == nil && update.active == nil && update.dutyStatus != nil
        guard onlyDuty else { return try principal.authorize(.manageAgents) }
        try principal.authorize(principal.agentID == id ? .setOwnDutyStatus : .setAnyDutyStatus)
    }
}
