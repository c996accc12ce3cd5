import Foundation
import KefuCore
import Logging
import ServiceLifecycle

/// Sends the outbox's deliveries to webhooks: claims due deliveries every `interval` and
/// whenever work is announced or a lane finishes, and sends each webhook's lane on its own task
/// without waiting for the others, at most `maxLanes` at once. A slow or dead receiver thus
/// holds up only its own lane; the claim leaves out webhooks whose lane is still sending.
public struct DeliverySweepService: Service {
    let sweeper: DeliverySweeper
    let wake: WakeSignal
    let interval: Duration
    let maxLanes: Int
    let logger: Logger

    public init(sweeper: DeliverySweeper, wake: WakeSignal = WakeSignal(), interval: Duration = .seconds(1), maxLanes: Int = 32, logger: Logger) {
        self.sweeper = sweeper
        self.wake = wake
        self.interval = interval
        self.maxLanes = maxLanes
        self.logger = logger
    }

    /// Counts the lanes in flight.
    final class Lanes: @unchecked Sendable {
        private let lock = NSLock()
        private var count = 0
        func add(_ delta: Int) { lock.withLock { count += delta } }
        var current: Int { lock.withLock { count } }
    }

    public func run() async throws {
        logger.info("delivery sweep started", metadata: ["interval": "\(interval)"])
        let lanes = Lanes()
        await cancelWhenGracefulShutdown { [sweeper, wake, interval, maxLanes, logger] in
            await withDiscardingTaskGroup { group in
                while !Task.isCancelled {
                    let free = maxLanes - lanes.current
                    if free > 0 {
                        do {
                            let claimed = try await sweeper.claim(limit: free * sweeper.perWebhook).prefix(free)
                            for lane in claimed {
                                lanes.add(1)
                                group.addTask {
                                    let report = await sweeper.send(lane)
                                    lanes.add(-1)
                                    if report.failed + report.dead > 0 {
                                        logger.info(
                                            "delivery lane",
                                            metadata: ["delivered": "\(report.delivered)", "failed": "\(report.failed)", "dead": "\(report.dead)"]
                                        )
                                    }
                                    wake.fire()
                                }
                            }
                        } catch {
                            logger.error("delivery sweep failed", metadata: ["error": "\(error)"])
                        }
                    }
                    await wake.wait(timeout: interval)
                }
            }
        }
        logger.info("delivery sweep stopped")
    }
}
