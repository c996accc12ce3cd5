import KefuCore
import Logging
import ServiceLifecycle

/// Starts and ends surge mode for every tenant whose intake crossed its thresholds: a sweep
/// every `interval` and whenever new work is announced (intake wakes it, so a surge is seen
/// within moments of the ticket that makes it).
public struct SurgeDetectorService: Service {
    let sweeper: SurgeSweeper
    let job: RepeatingJob

    public init(sweeper: SurgeSweeper, wake: WakeSignal = WakeSignal(), interval: Duration = .seconds(1), logger: Logger) {
        self.sweeper = sweeper
        self.job = RepeatingJob(name: "surge sweep", interval: interval, wake: wake, logger: logger)
    }

    public func run() async throws {
        await job.run { [sweeper, logger = job.logger] in
            let report = try await sweeper.sweep()
            if report.failed > 0 {
                logger.warning("surge sweep skipped failing tenants", metadata: ["failed": "\(report.failed)"])
            }
        }
    }
}
