import Foundation
import Hummingbird
import KefuCore
import KefuRuntime

/// `/v1/mail-relay` (admins): the tenant's own SMTP relay for email out; its password is written,
/// never read.
struct MailRelayRoutes {
    let services: KefuServices

    func register(on group: RouterGroup<TenantRequestContext>) {
        group.get("mail-relay") { _, context -> MailRelayView in
            try await services.mailRelay.get(context.tenantID)
        }
        group.put("mail-relay") { request, context -> MailRelaySettings in
            let input = try await request.decodeJSON(MailRelayInput.self, context: context)
            return try await services.mailRelay.put(context.tenantID, input)
        }
        group.delete("mail-relay") { _, context -> HTTPResponse.Status in
            try await services.mailRelay.delete(context.tenantID)
            return .noContent
        }
    }
}

extension MailRelaySettings: ResponseEncodable {}
extension MailRelayView: ResponseEncodable {}
