import Foundation
import Hummingbird
import KefuCore
import KefuRuntime

/// `/v1/notifications`, `/v1/followups`, and a ticket's survey.
struct FollowThroughRoutes {
    let services: KefuServices

    func register(on group: RouterGroup<TenantRequestContext>) {
        group.get("notifications") { request, context -> Page<KefuCore.Notification> in
            let query = QueryParameters(request)
            return try await services.notifications.list(
                context.principal,
                all: query.bool("all") ?? false,
                unreadOnly: query.bool("unread") ?? false,
                page: request.pageRequest()
            )
        }
        group.post("notifications/:id/read") { _, context -> KefuCore.Notification in
            try await services.notifications.markRead(context.principal, id: context.id(entity: "notification"))
        }
        group.get("followups") { _, context in
            ItemList(items: try await services.followups.open(context.principal))
        }
        group.post("followups/:id/complete") { request, context -> Followup in
            let outcome = try await request.decodeJSON(FollowupOutcome.self, context: context)
            return try await services.followups.complete(context.principal, id: context.id(entity: "follow-up"), outcome)
        }
        group.get("tickets/:id/survey") { _, context -> Survey in
            try await services.surveys.forTicket(context.tenantID, ticketID: context.id(entity: "ticket"))
        }
    }
}

extension KefuCore.Notification: ResponseEncodable {}
extension Followup: ResponseEncodable {}
extension Survey: ResponseEncodable {}
