import Foundation
import Hummingbird
import KefuAPI
import KefuRuntime
import Logging
import ServiceLifecycle

/// Kefu's real HTTP application on 127.0.0.1 at a free port, run in a `ServiceGroup` as
/// `kefu serve` runs it, so that a test can shut it down gracefully while requests are open.
public final class LiveServer: @unchecked Sendable {
    private let group: ServiceGroup
    private let task: Task<Void, any Error>
    /// `http://127.0.0.1:<port>`.
    public let baseURL: String

    public init(services: KefuServices) async throws {
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let logger = Logger(label: "kefu.test.live")
        let app = KefuApplication.make(services: services, configuration: .init(port: 0), logger: logger) { address in
            let port = address?.split(separator: ":").last.flatMap { Int($0) } ?? 0
            continuation.yield(port)
        }
        let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
        self.group = group
        self.task = Task { try await group.run() }
        var port = 0
        for await value in ports {
            port = value
            break
        }
        self.baseURL = "http://127.0.0.1:\(port)"
    }

    /// Shuts the server down gracefully and waits until it has stopped.
    public func stop() async {
        await group.triggerGracefulShutdown()
        _ = await task.result
    }
}
