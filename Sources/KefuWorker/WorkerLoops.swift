import KefuCore
import KefuPostgres
import Logging
import ServiceLifecycle

/// The loops `kefu worker` runs, one `Service` each, for one `ServiceGroup`: the LISTEN for
/// announced work, the timer sweep, the surge detector and the webhook deliveries it wakes, and intake
/// counter retention.
public enum WorkerLoops {
    /// - Parameters:
    ///   - listenerConfiguration: where to LISTEN for announced work; nil: the sweeps run on
    ///     their interval only.
    ///   - interval: the longest pause between two timer sweeps and between two surge sweeps.
    public static func services(
        timers: TimerSweeper,
        surge: SurgeSweeper,
        retention: IntakeCounterRetention,
        deliveries: DeliverySweeper,
        listenerConfiguration: PostgresConfiguration?,
        interval: Duration,
        logger: Logger
    ) -> [any Service] {
        let timerWake = WakeSignal()
        let surgeWake = WakeSignal()
        let deliveryWake = WakeSignal()
        var services: [any Service] = []
        if let listenerConfiguration {
            services.append(WorkListenerService(configuration: listenerConfiguration, wakes: [timerWake, surgeWake, deliveryWake], logger: logger))
        }
        services.append(TimerSweepService(sweeper: timers, wake: timerWake, interval: interval, logger: logger))
        services.append(SurgeDetectorService(sweeper: surge, wake: surgeWake, interval: interval, logger: logger))
        services.append(IntakeCounterRetentionService(retention: retention, logger: logger))
        services.append(DeliverySweepService(sweeper: deliveries, wake: deliveryWake, interval: interval, logger: logger))
        return services
    }
}
