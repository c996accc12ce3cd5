import Foundation
import Hummingbird
import KefuCore
import KefuRuntime

/// `/v1/webhooks` (admins): where the tenant's events are delivered; `/v1/robots`: the group
/// robots alerts are posted to; and `/v1/deliveries`: what
/// was delivered, what failed, and the retry by hand.
struct WebhookRoutes {
    let services: KefuServices

    func register(on group: RouterGroup<TenantRequestContext>) {
        group.get("webhooks") { request, context -> Page<Webhook> in
            try await services.webhooks.list(context.tenantID, page: request.pageRequest())
        }
        group.post("webhooks") { request, context -> Created<WebhookWithSecret> in
            let input = try await request.decodeJSON(NewWebhook.self, context: context)
            return Created(value: try await services.webhooks.create(context.tenantID, input))
        }
        group.get("webhooks/:id") { _, context -> Webhook in
            try await services.webhooks.get(context.tenantID, id: context.id(entity: "webhook"))
        }
        group.patch("webhooks/:id") { request, context -> Webhook in
            let input = try await request.decodeJSON(WebhookUpdate.self, context: context)
            return try await services.webhooks.update(context.tenantID, id: context.id(entity: "webhook"), input)
        }
        group.delete("webhooks/:id") { _, context -> HTTPResponse.Status in
            try await services.webhooks.delete(context.tenantID, id: context.id(entity: "webhook"))
            return .noContent
        }
        group.post("webhooks/:id/rotate-secret") { _, context -> WebhookWithSecret in
            try await services.webhooks.rotateSecret(context.tenantID, id: context.id(entity: "webhook"))
        }
        group.get("robots") { request, context -> Page<Robot> in
            try await services.robots.list(context.tenantID, page: request.pageRequest())
        }
        group.post("robots") { request, context -> Created<Robot> in
            let input = try await request.decodeJSON(NewRobot.self, context: context)
            return Created(value: try await services.robots.create(context.tenantID, input))
        }
        group.get("robots/:id") { _, context -> Robot in
            try await services.robots.get(context.tenantID, id: context.id(entity: "robot"))
        }
        group.patch("robots/:id") { request, context -> Robot in
            let input = try await request.decodeJSON(RobotUpdate.self, context: context)
            return try await services.robots.update(context.tenantID, id: context.id(entity: "robot"), input)
        }
        group.delete("robots/:id") { _, context -> HTTPResponse.Status in
            try await services.robots.delete(context.tenantID, id: context.id(entity: "robot"))
            return .noContent
        }
        group.get("deliveries") { request, context -> Page<Delivery> in
            let query = QueryParameters(request)
            let filter = DeliveryFilter(
                statuses: try query.list("status", DeliveryStatus.self),
                webhookId: try query.uuid("webhook_id"),
                robotId: try query.uuid("robot_id")
            )
            return try await services.deliveries.list(context.tenantID, filter: filter, page: request.pageRequest())
        }
        group.get("deliveries/:id") { _, context -> DeliveryDetail in
            try await services.deliveries.get(context.tenantID, id: context.id(entity: "delivery"))
        }
        group.post("deliveries/:id/retry") { _, context -> Delivery in
            try await services.deliveries.retry(context.tenantID, id: context.id(entity: "delivery"))
        }
    }
}

extension Webhook: ResponseEncodable {}
extension Robot: ResponseEncodable {}
extension WebhookWithSecret: ResponseEncodable {}
extension Delivery: ResponseEncodable {}
extension DeliveryDetail: ResponseEncodable {}
