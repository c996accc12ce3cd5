import Foundation
import Hummingbird
import KefuCore
import KefuRuntime

/// Email in. `POST /v1/inbound/email/{token}`: a raw RFC 5322 message as an MTA or a mail
/// provider posts it — no API key, the tenant's secret token in the URL is the credential; the
/// request body limit is the message's. `POST /v1/inbound/email-token` (admins): a new token,
/// shown once, replacing the old.
struct InboundEmailRoutes {
    let services: KefuServices

    /// Media types a raw message is posted as.
    static let mediaTypes: Set<String> = ["message/rfc822", "text/plain", "application/octet-stream"]

    /// The unauthenticated inbound address.
    func register(on router: Router<KefuRequestContext>) {
        router.post("v1/inbound/email/:token") { request, context -> Response in
            let token = context.parameters.get("token") ?? ""
            let mediaType = request.headers[.contentType]?.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased()
            guard let mediaType, Self.mediaTypes.contains(mediaType) else {
                throw HTTPError(.unsupportedMediaType, message: "post the raw message as message/rfc822, text/plain or application/octet-stream")
            }
            let body = try await request.body.collect(upTo: context.maxUploadSize)
            let result = try await services.inboundEmail.receive(token: token, message: Array(body.readableBytesView))
            var response = try result.response(from: request, context: context)
            if result.outcome == .created { response.status = .created }
            return response
        }
    }

    /// The admin's token endpoint.
    func register(on group: RouterGroup<TenantRequestContext>) {
        group.post("inbound/email-token") { _, context -> Created<InboundEmailToken> in
            Created(value: try await services.inboundEmail.replaceToken(context.tenantID))
        }
    }
}

extension InboundEmailResult: ResponseEncodable {}
extension InboundEmailToken: ResponseEncodable {}
