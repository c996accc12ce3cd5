import Foundation
import Hummingbird
import KefuCore
import KefuRuntime

/// `/v1/api-keys`: admins create (shown once), list and revoke keys.
struct APIKeyRoutes {
    let services: KefuServices

    struct NewKey: Decodable {
        var name: String
        /// The agent the key acts as; defaults to the caller.
        var agentId: UUID?
    }

    func register(on group: RouterGroup<TenantRequestContext>) {
        group.get("api-keys") { request, context -> Page<APIKeyInfo> in
            try await services.apiKeys.list(context.tenantID, page: request.pageRequest())
        }
        group.post("api-keys") { request, context -> Created<CreatedAPIKey> in
            let input = try await request.decodeJSON(NewKey.self, context: context)
            return Created(
                value: try await services.apiKeys.create(
                    context.tenantID,
                    agentID: input.agentId ?? context.principal.agentID,
                    name: input.name
                )
            )
        }
        group.delete("api-keys/:id") { _, context -> APIKeyInfo in
            try await services.apiKeys.revoke(context.tenantID, id: context.id(entity: "api key"))
        }
    }
}
