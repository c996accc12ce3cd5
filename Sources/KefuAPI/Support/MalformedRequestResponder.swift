import HTTPTypes
import Hummingbird
import HummingbirdCore
import KefuCore
import NIOCore
import NIOHTTP1
import NIOHTTPTypes

/// Answers a request that is not valid HTTP (a control character in a header, a request line or
/// headers over the parser's limits) with Kefu's JSON error shape instead of an empty 400, then
/// closes the connection. It sits after the HTTP codec, where the parser's error arrives.
final class MalformedRequestResponder: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private var answered = false

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard let parserError = error as? HTTPParserError else {
            context.fireErrorCaught(error)
            return
        }
        guard !answered else { return }
        answered = true
        let (status, code, message) = Self.describe(parserError)
        let error = ErrorBody(error: .init(code: code, message: message))
        let body = ByteBuffer(bytes: (try? CompactJSONEncoder().encode(error)) ?? Array("{}".utf8))
        var fields = HTTPFields()
        fields[.contentType] = "application/json; charset=utf-8"
        fields[.contentLength] = String(body.readableBytes)
        fields[.connection] = "close"
        context.write(wrapOutboundOut(.head(HTTPResponse(status: status, headerFields: fields))), promise: nil)
        context.write(wrapOutboundOut(.body(body)), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in context.close(promise: nil) }
    }

    /// The status, code and message for a parser error.
    static func describe(_ error: HTTPParserError) -> (HTTPResponse.Status, ErrorCode, String) {
        switch error {
        case .headerOverflow:
            (.init(code: 431), .requestTooLarge, "the request line or its headers are too large")
        case .invalidURL:
            (.badRequest, .badRequest, "the request URL is not valid")
        default:
            (.badRequest, .badRequest, "the request is not valid HTTP (\(error))")
        }
    }
}

extension HTTPServerBuilder {
    /// HTTP/1.1 with Kefu's JSON answer to requests that are not valid HTTP.
    public static var kefu: HTTPServerBuilder {
        .http1(configuration: .init(additionalChannelHandlers: [MalformedRequestResponder()]))
    }
}
