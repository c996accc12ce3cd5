import Foundation
import Hummingbird
import KefuCore
import KefuRuntime

/// `/v1/surge` (mode and rates, manual switches), `/v1/events` (pre-planning) and `/v1/incidents` (with their reviews).
struct SurgeRoutes {
    let services: KefuServices

    func register(on group: RouterGroup<TenantRequestContext>) {
        group.get("surge") { _, context -> SurgeStatus in
            try await services.surge.status(context.tenantID)
        }
        group.post("surge/activate") { _, context -> Created<Incident> in
            Created(value: try await services.surge.activate(context.principal))
        }
        group.post("surge/deactivate") { _, context -> Incident in
            try await services.surge.deactivate(context.principal)
        }
        group.get("events") { _, context in
            ItemList(items: try await services.events.list(context.tenantID))
        }
        group.post("events") { request, context -> Created<ScheduledEvent> in
            let input = try await request.decodeJSON(NewScheduledEvent.self, context: context)
            return Created(value: try await services.events.create(context.principal, input))
        }
        group.get("events/:id") { _, context -> ScheduledEvent in
            try await services.events.get(context.tenantID, id: context.id(entity: "event"))
        }
        group.get("incidents") { request, context -> Page<Incident> in
            try await services.surge.incidents(context.tenantID, page: request.pageRequest())
        }
        group.get("incidents/:id") { _, context -> Incident in
            try await services.surge.incident(context.tenantID, id: context.id(entity: "incident"))
        }
        group.get("incidents/:id/review") { _, context -> IncidentReview in
            try await services.surge.review(context.tenantID, incidentID: context.id(entity: "incident review"))
        }
        group.patch("incidents/:id/review") { request, context -> IncidentReview in
            let update = try await request.decodeJSON(IncidentReviewUpdate.self, context: context)
            return try await services.surge.updateReview(context.principal, incidentID: context.id(entity: "incident review"), update)
        }
    }
}

extension ScheduledEvent: ResponseEncodable {}
extension SurgeStatus: ResponseEncodable {}
extension Incident: ResponseEncodable {}
extension IncidentReview: ResponseEncodable {}
