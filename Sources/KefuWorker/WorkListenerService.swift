import KefuCore
import KefuPostgres
import Logging
import ServiceLifecycle

/// LISTENs on `WorkAnnouncer.channel` (intake and ticket actions NOTIFY it after commit) and
/// wakes the loops that act on new work. The listener reconnects by itself; if it cannot be set
/// up at all, the loops still run on their intervals.
public struct WorkListenerService: Service {
    let configuration: PostgresConfiguration
    let wakes: [WakeSignal]
    let logger: Logger

    public init(configuration: PostgresConfiguration, wakes: [WakeSignal], logger: Logger) {
        self.configuration = configuration
        self.wakes = wakes
        self.logger = logger
    }

    public func run() async throws {
        let listener: PostgresListener
        do {
            listener = try PostgresListener(configuration, channels: [WorkAnnouncer.channel], logger: logger)
        } catch {
            logger.error("cannot listen for work; relying on the sweep interval", metadata: ["error": "\(error)"])
            try? await gracefulShutdown()
            return
        }
        for await _ in listener.events().cancelOnGracefulShutdown() {
            for wake in wakes { wake.fire() }
        }
    }
}
