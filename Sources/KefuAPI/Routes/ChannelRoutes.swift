import Foundation
import Hummingbird
import KefuCore
import KefuRuntime

/// `/v1/channels/{channel}/messages`: customer messages from a channel gateway (an `integration`
/// key), each platform message taken in once (201 the first time, 200 with the same receipt after).
struct ChannelRoutes {
    let services: KefuServices

    func register(on group: RouterGroup<TenantRequestContext>) {
        group.post("channels/:channel/messages") { request, context -> Response in
            let input = try await request.decodeJSON(ChannelMessageInput.self, context: context)
            let channel = context.parameters.get("channel") ?? ""
            let result = try await services.channelMessages.receive(context.principal, channel: channel, input)
            var response = try result.receipt.response(from: request, context: context)
            response.status = result.created ? .created : .ok
            return response
        }
    }
}

extension ChannelMessageReceipt: ResponseEncodable {}
