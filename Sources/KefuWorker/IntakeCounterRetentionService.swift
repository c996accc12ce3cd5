import KefuCore
import Logging
import ServiceLifecycle

/// Deletes intake counters no surge reading looks at any more. It checks every `interval`;
/// `IntakeCounterRetention.pruneIfDue` decides whether a run is due (at most one per ten minutes
/// in a process), so the check costs nothing in between.
public struct IntakeCounterRetentionService: Service {
    let retention: IntakeCounterRetention
    let job: RepeatingJob

    public init(retention: IntakeCounterRetention, interval: Duration = .seconds(60), logger: Logger) {
        self.retention = retention
        self.job = RepeatingJob(name: "intake counter retention", interval: interval, wake: WakeSignal(), logger: logger)
    }

    public func run() async throws {
        await job.run { [retention, logger = job.logger] in
            if let deleted = try await retention.pruneIfDue(), deleted > 0 {
                logger.info("old intake counters deleted", metadata: ["rows": "\(deleted)"])
            }
        }
    }
}
