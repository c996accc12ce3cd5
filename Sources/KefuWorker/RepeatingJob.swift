import Logging
import ServiceLifecycle

/// One worker job run round after round: once at start, then again after `interval` or as soon
/// as `wake` fires, until graceful shutdown. A failing round is logged and the next one runs
/// on time, so one broken job never stops the worker's other loops.
struct RepeatingJob: Sendable {
    /// Names the job in log messages ("timer sweep failed").
    let name: String
    let interval: Duration
    let wake: WakeSignal
    let logger: Logger

    /// Runs `round` until the service group shuts down gracefully (or the task is cancelled).
    func run(_ round: @escaping @Sendable () async throws -> Void) async {
        logger.info("\(name) started", metadata: ["interval": "\(interval)"])
        await cancelWhenGracefulShutdown { [name, interval, wake, logger] in
            while !Task.isCancelled {
                do {
                    try await round()
                } catch {
                    logger.error("\(name) failed", metadata: ["error": "\(error)"])
                }
                await wake.wait(timeout: interval)
            }
        }
        logger.info("\(name) stopped")
    }
}
