import Foundation
import KefuCore
import KefuPostgres
import Logging
import ServiceLifecycle

/// `kefu worker`: sweeps due timers, evaluates surges and prunes old intake counters on a short interval and whenever new work is announced on
/// the `kefu_work` channel. A missed notification only delays an action until the next sweep;
/// several replicas may run (each timer is acted on exactly once).
public struct TimerWorkerService: Service {
    /// The NOTIFY channel intake and ticket actions announce work on.
    public static let channel = WorkAnnouncer.channel

    let sweeper: TimerSweeper
    let surge: SurgeSweeper?
    let retention: IntakeCounterRetention?
    let listenerConfiguration: PostgresConfiguration?
    let interval: Duration
    let logger: Logger

    public init(
        sweeper: TimerSweeper,
        surge: SurgeSweeper? = nil,
        retention: IntakeCounterRetention? = nil,
        listenerConfiguration: PostgresConfiguration?,
        interval: Duration = .seconds(1),
        logger: Logger = Logger(label: "kefu.worker")
    ) {
        self.sweeper = sweeper
        self.surge = surge
        self.retention = retention
        self.listenerConfiguration = listenerConfiguration
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        let wake = WakeSignal()
        let listening = Task { [listenerConfiguration, logger] in
            guard let listenerConfiguration else { return }
            do {
                let listener = try PostgresListener(listenerConfiguration, channels: [Self.channel], logger: logger)
                for await _ in listener.events() { wake.fire() }
            } catch {
                logger.error("cannot listen for work; relying on the sweep interval", metadata: ["error": "\(error)"])
            }
        }
        defer { listening.cancel() }
        logger.info("worker started", metadata: ["interval": "\(interval)"])
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    let report = try await sweeper.sweep()
                    if report.claimed > 0 {
                        logger.info(
                            "sweep",
                            metadata: [
                                "performed": "\(report.performed)", "rescheduled": "\(report.rescheduled)",
                                "skipped": "\(report.skipped)", "failed": "\(report.failed)", "gave_up": "\(report.gaveUp)",
                            ]
                        )
                    }
                } catch {
                    logger.error("sweep failed", metadata: ["error": "\(error)"])
                }
                do {
                    if let report = try await surge?.sweep(), report.failed > 0 {
                        logger.warning("surge sweep skipped failing tenants", metadata: ["failed": "\(report.failed)"])
                    }
                } catch {
                    logger.error("surge sweep failed", metadata: ["error": "\(error)"])
                }
                do {
                    if let deleted = try await retention?.pruneIfDue(), deleted > 0 {
                        logger.info("old intake counters deleted", metadata: ["rows": "\(deleted)"])
                    }
                } catch {
                    logger.error("intake counter retention failed", metadata: ["error": "\(error)"])
                }
                await wake.wait(timeout: interval)
            }
        }
        logger.info("worker stopped")
    }
}

/// Runs `body` until it returns or the service group starts shutting down.
func cancelWhenGracefulShutdown(_ body: @escaping @Sendable () async -> Void) async {
    await withTaskGroup(of: Void.self) { group in
        group.addTask { await body() }
        group.addTask {
            try? await gracefulShutdown()
        }
        await group.next()
        group.cancelAll()
    }
}
