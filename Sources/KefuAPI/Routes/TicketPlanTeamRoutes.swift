import Foundation
import Hummingbird
import KefuCore
import KefuRuntime

/// `/v1/tickets/{id}/plans`, `…/plan/approve|reject|confirm|execute` (the plan in progress, in
/// order: 409 out of order) and `…/team` (a P1/P2 ticket's task force).
struct TicketPlanTeamRoutes {
    let services: KefuServices

    func register(on group: RouterGroup<TenantRequestContext>) {
        let actions = services.ticketActions
        group.get("tickets/:id/plans") { _, context in
            ItemList(items: try await actions.plans(context.tenantID, context.id(entity: "ticket")))
        }
        group.post("tickets/:id/plan/approve") { _, context -> TicketPlan in
            try await actions.approvePlan(context.principal, context.id(entity: "ticket"))
        }
        group.post("tickets/:id/plan/reject") { request, context -> TicketPlan in
            let ticketID = try context.id(entity: "ticket")
            let input = try await request.decodeJSON(PlanRejectInput.self, context: context)
            return try await actions.rejectPlan(context.principal, ticketID, input)
        }
        group.post("tickets/:id/plan/confirm") { request, context -> TicketPlan in
            let ticketID = try context.id(entity: "ticket")
            let input = try await request.decodeJSON(PlanConfirmInput.self, context: context)
            return try await actions.confirmPlan(context.principal, ticketID, input)
        }
        group.post("tickets/:id/plan/execute") { _, context -> TicketPlan in
            try await actions.executePlan(context.principal, context.id(entity: "ticket"))
        }
        group.get("tickets/:id/team") { _, context -> TicketTeam in
            try await services.teams.get(context.tenantID, context.id(entity: "ticket"))
        }
        group.post("tickets/:id/team") { request, context -> Created<TicketTeam> in
            let ticketID = try context.id(entity: "ticket")
            let input = try await request.decodeJSON(TeamInput.self, context: context)
            return Created(value: try await services.teams.form(context.principal, ticketID, input))
        }
        group.delete("tickets/:id/team") { _, context -> TicketTeam in
            try await services.teams.disband(context.principal, context.id(entity: "ticket"))
        }
    }
}

extension TicketPlan: ResponseEncodable {}
extension TicketTeam: ResponseEncodable {}
