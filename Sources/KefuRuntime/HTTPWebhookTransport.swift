import AsyncHTTPClient
import Foundation
import KefuCore
import NIOCore
import NIOHTTP1

/// Webhook requests over `async-http-client`: redirects are never followed (a receiver cannot
/// bounce a delivery into the deployment's network), connections are pooled per host, and each
/// request has its own deadline.
public struct HTTPWebhookTransport: WebhookTransport {
    /// One client for the process, never shut down (it lives as long as the worker).
    static let client: HTTPClient = {
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: .seconds(5), read: .seconds(10)),
            decompression: .disabled
        )
        configuration.connectionPool = .init(idleTimeout: .seconds(30), concurrentHTTP1ConnectionsPerHostSoftLimit: 4)
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()

    public init() {}

    public func post(url: String, headers: [(String, String)], body: [UInt8], timeout: Duration) async throws -> TransportAnswer {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(bytes: body))
        let seconds = Int64(timeout.components.seconds)
        let response = try await Self.client.execute(request, timeout: .seconds(max(seconds, 1)))
        // At most 64 KiB of the answer is read (robots put their error code there).
        let answer = (try? await response.body.collect(upTo: 64 * 1024)).map { Array(buffer: $0) } ?? []
        return TransportAnswer(status: Int(response.status.code), body: answer)
    }
}
