import Foundation
import Hummingbird
import KefuCore
import KefuRuntime

/// `/v1/sla-policies`: the tenant's SLA policies, read by everyone, replaced or reset to the
/// defaults by admins (as the settings are).
struct SLAPolicyRoutes {
    let services: KefuServices

    func register(on group: RouterGroup<TenantRequestContext>) {
        group.get("sla-policies") { _, context -> SLAPolicySet in
            try await services.slaPolicies.get(context.tenantID)
        }
        group.put("sla-policies") { request, context -> SLAPolicySet in
            let input = try await request.decodeJSON(SLAPolicySetInput.self, context: context)
            return try await services.slaPolicies.replace(context.tenantID, input)
        }
        group.delete("sla-policies") { _, context -> SLAPolicySet in
            try await services.slaPolicies.reset(context.tenantID)
        }
    }
}

extension SLAPolicySet: ResponseEncodable {}
