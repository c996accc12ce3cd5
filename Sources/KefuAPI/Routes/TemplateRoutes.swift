import Foundation
import Hummingbird
import KefuCore
import KefuRuntime

/// `/v1/templates`: the customer texts, their built-in zh-CN and en versions and the tenant's
/// overrides (admins only).
struct TemplateRoutes {
    let services: KefuServices

    func register(on group: RouterGroup<TenantRequestContext>) {
        group.get("templates") { _, context -> TemplateList in
            try await services.templates.list(context.tenantID)
        }
        group.put("templates/:name/:locale") { request, context -> TemplateInfo in
            let input = try await request.decodeJSON(TemplateInput.self, context: context)
            return try await services.templates.put(context.tenantID, name: context.name, locale: context.locale, input)
        }
        group.delete("templates/:name/:locale") { _, context -> HTTPResponse.Status in
            try await services.templates.delete(context.tenantID, name: context.name, locale: context.locale)
            return .noContent
        }
    }
}

extension TenantRequestContext {
    fileprivate var name: String { parameters.get("name") ?? "" }
    fileprivate var locale: String { parameters.get("locale") ?? "" }
}

extension TemplateList: ResponseEncodable {}
extension TemplateInfo: ResponseEncodable {}
