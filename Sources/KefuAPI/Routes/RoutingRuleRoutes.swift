import Foundation
import Hummingbird
import KefuCore
import KefuRuntime

/// `/v1/routing-rules`: everyone reads the intake rules; admins manage them.
struct RoutingRuleRoutes {
    let services: KefuServices

    /// Every rule in the order intake tries them.
    struct RuleList: ResponseEncodable {
        var items: [RoutingRule]
    }

    func register(on group: RouterGroup<TenantRequestContext>) {
        group.get("routing-rules") { _, context -> RuleList in
            RuleList(items: try await services.routingRules.list(context.tenantID))
        }
        group.post("routing-rules") { request, context -> Created<RoutingRule> in
            let input = try await request.decodeJSON(NewRoutingRule.self, context: context)
            return Created(value: try await services.routingRules.create(context.tenantID, input))
        }
        group.get("routing-rules/:id") { _, context -> RoutingRule in
            try await services.routingRules.get(context.tenantID, id: context.id(entity: "routing rule"))
        }
        group.patch("routing-rules/:id") { request, context -> RoutingRule in
            let id = try context.id(entity: "routing rule")
            let update = try await request.decodeJSON(RoutingRuleUpdate.self, context: context)
            return try await services.routingRules.update(context.tenantID, id: id, update)
        }
        group.delete("routing-rules/:id") { _, context -> HTTPResponse.Status in
            try await services.routingRules.delete(context.tenantID, id: context.id(entity: "routing rule"))
            return .noContent
        }
    }
}

extension RoutingRule: ResponseEncodable {}
