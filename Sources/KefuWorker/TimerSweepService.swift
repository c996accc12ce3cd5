import KefuCore
import Logging
import ServiceLifecycle

/// Acts on due timers (SLA escalations, reminders, survey expiry, follow-ups, archiving): a
/// sweep every `interval` and whenever new work is announced (`wake`, fired by
/// `WorkListenerService`). A missed announcement only delays an action until the next sweep;
/// several replicas may run (each timer is acted on exactly once).
public struct TimerSweepService: Service {
    let sweeper: TimerSweeper
    let job: RepeatingJob

    public init(sweeper: TimerSweeper, wake: WakeSignal = WakeSignal(), interval: Duration = .seconds(1), logger: Logger) {
        self.sweeper = sweeper
        self.job = RepeatingJob(name: "timer sweep", interval: interval, wake: wake, logger: logger)
    }

    public func run() async throws {
        await job.run { [sweeper, logger = job.logger] in
            let report = try await sweeper.sweep()
            guard report.claimed > 0 else { return }
            logger.info(
                "sweep",
                metadata: [
                    "performed": "\(report.performed)", "rescheduled": "\(report.rescheduled)",
                    "skipped": "\(report.skipped)", "failed": "\(report.failed)", "gave_up": "\(report.gaveUp)",
                ]
            )
        }
    }
}
