import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

/// A real HTTP receiver for webhook tests: records every request it gets and answers with the
/// statuses it is told to (then 200).
public final class WebhookReceiver: @unchecked Sendable {
    /// One request as the receiver saw it.
    public struct Request: Sendable {
        /// The path and query the request was sent to.
        public var target: String
        public var event: String?
        public var delivery: String?
        public var signature: String?
        public var contentType: String?
        public var body: [UInt8]
        public var text: String { String(decoding: body, as: UTF8.self) }
    }

    private let lock = NSLock()
    private var received: [Request] = []
    private var script: [(HTTPResponse.Status, String)] = []

    public init() {}

    /// Every request so far, in order.
    public var requests: [Request] { lock.withLock { received } }

    /// Forgets the requests received so far.
    public func clear() { lock.withLock { received.removeAll() } }

    /// The next answers, in order; after them, 200 with `{"errcode":0,"errmsg":"ok"}` (what a
    /// group robot answers; webhooks ignore the body).
    public func answer(_ statuses: [HTTPResponse.Status]) { lock.withLock { script = statuses.map { ($0, "") } } }

    /// The next answers with their bodies, in order.
    public func answer(_ replies: [(HTTPResponse.Status, String)]) { lock.withLock { script = replies } }

    private func take(_ request: Request) -> (HTTPResponse.Status, String) {
        lock.withLock {
            received.append(request)
            return script.isEmpty ? (.ok, #"{"errcode":0,"errmsg":"ok"}"#) : script.removeFirst()
        }
    }

    private var server: (group: ServiceGroup, task: Task<Void, any Error>)?

    /// Starts listening on 127.0.0.1 at a free port; answers the webhook URL (`POST /hook`).
    public func start() async throws -> String {
        let router = Router()
        router.post("hook") { [self] request, _ -> Response in
            let bytes = try await request.body.collect(upTo: 1 << 20)
            let (status, answer) = take(
                Request(
                    target: request.uri.description,
                    event: request.headers[HTTPField.Name("Kefu-Event")!],
                    delivery: request.headers[HTTPField.Name("Kefu-Delivery")!],
                    signature: request.headers[HTTPField.Name("Kefu-Signature")!],
                    contentType: request.headers[.contentType],
                    body: Array(buffer: bytes)
                )
            )
            return Response(status: status, body: .init(byteBuffer: ByteBuffer(string: answer)))
        }
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let app = Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? 0) }
        )
        let group = ServiceGroup(configuration: .init(services: [app], logger: Logger(label: "webhook-receiver")))
        let task = Task { try await group.run() }
        lock.withLock { server = (group, task) }
        for await port in ports { return "http://127.0.0.1:\(port)/hook" }
        throw CancellationError()
    }

    /// Stops listening.
    public func stop() async {
        guard let server = lock.withLock({ server }) else { return }
        await server.group.triggerGracefulShutdown()
        _ = await server.task.result
    }
}
