import Foundation
import HTTPTypes
import Hummingbird
import KefuCore
import KefuRuntime

/// `GET /v1/stream`: the tenant's ticket events as Server-Sent Events, as they commit, resumed
/// after `Last-Event-ID` (or `last_event_id`) without gaps. See `ServerSentEvents`.
struct StreamRoutes {
    let services: KefuServices

    func register(on group: RouterGroup<TenantRequestContext>) {
        group.get("stream") { request, context -> Response in
            let resume = try StreamResume(request)
            let subscription = try await services.streams.subscribe(
                tenantID: context.tenantID,
                keyID: context.principal.keyID,
                after: resume?.position,
                positionField: resume?.field ?? StreamResume.header.rawName
            )
            return Response(
                status: .ok,
                headers: ServerSentEvents.headers,
                body: ResponseBody { writer in try await ServerSentEvents.send(subscription, to: &writer) }
            )
        }
    }
}

/// Where a reconnecting client resumes: the `Last-Event-ID` header (what browsers send when they
/// reconnect), else the `last_event_id` query parameter (for clients that cannot set headers).
struct StreamResume {
    static let header = HTTPField.Name("Last-Event-ID")!
    static let parameter = "last_event_id"

    var position: StreamPosition
    /// The header's or the parameter's name, for errors.
    var field: String

    /// Nil when the client gives neither.
    init?(_ request: Request) throws {
        if let text = request.headers[Self.header], !text.isEmpty {
            self = try Self(text, field: Self.header.rawName)
        } else if let text = try QueryParameters(request).string(Self.parameter) {
            self = try Self(text, field: Self.parameter)
        } else {
            return nil
        }
    }

    private init(_ text: String, field: String) throws {
        guard let position = StreamPosition(text) else {
            throw KefuError.invalidField(field, "must be the id of an event the stream sent (<number>-<number>)")
        }
        self.position = position
        self.field = field
    }
}
