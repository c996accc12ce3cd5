import Foundation
import Hummingbird
import KefuCore
import KefuRuntime

/// `GET /v1/me`, `GET|PATCH /v1/settings`.
struct AccountRoutes {
    let services: KefuServices

    struct Me: ResponseEncodable {
        var tenant: TenantProfile
        var agent: Agent
    }

    func register(on group: RouterGroup<TenantRequestContext>) {
        group.get("me") { _, context -> Me in
            let tenant = try await services.settings.get(context.tenantID)
            let agent = try await services.agents.get(context.tenantID, id: context.principal.agentID)
            return Me(tenant: tenant, agent: agent)
        }
        group.get("settings") { _, context -> TenantProfile in
            try await services.settings.get(context.tenantID)
        }
        group.patch("settings") { request, context -> TenantProfile in
            try await services.settings.patch(context.tenantID, request.decodeJSONDocument(context: context))
        }
    }
}

extension TenantProfile: ResponseEncodable {}
extension Agent: ResponseEncodable {}
extension Department: ResponseEncodable {}
extension APIKeyInfo: ResponseEncodable {}
extension CreatedAPIKey: ResponseEncodable {}
extension Page: ResponseEncodable {}
