import CoreMetrics
import KefuPostgres
import Prometheus

/// The Prometheus registry behind `/metrics`: request metrics from swift-metrics (recorded by
/// Hummingbird's `MetricsMiddleware`) plus connection-pool gauges refreshed at each scrape.
public final class MetricsRegistry: Sendable {
    public let registry: PrometheusCollectorRegistry
    private let poolOpen: Prometheus.Gauge
    private let poolIdle: Prometheus.Gauge
    private let poolWaiting: Prometheus.Gauge
    private let poolMax: Prometheus.Gauge
    private let timersFailed: Prometheus.Gauge

    /// The process-wide registry; swift-metrics can only be bootstrapped once.
    public static let shared: MetricsRegistry = {
        let registry = MetricsRegistry(registry: PrometheusCollectorRegistry())
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry.registry))
        return registry
    }()

    init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
        func gauge(_ name: String, _ unit: String, _ help: String) -> Prometheus.Gauge {
            registry.makeGauge(
                descriptor: MetricNameDescriptor(namespace: "kefu", subsystem: "db_pool", metricName: name, unitName: unit, helpText: help)
            )
        }
        poolOpen = gauge("open", "connections", "Open database connections")
        poolIdle = gauge("idle", "connections", "Idle database connections")
        poolWaiting = gauge("waiting", "requests", "Requests waiting for a connection")
        poolMax = gauge("max", "connections", "Configured pool size")
        timersFailed = registry.makeGauge(
            descriptor: MetricNameDescriptor(
                namespace: "kefu",
                subsystem: "timers",
                metricName: "failed",
                helpText: "Timers the worker gave up on after their retries (kefu timers --failed)"
            )
        )
    }

    /// `kefu_timers_failed`: read from the database at each scrape (nil when it could not be read).
    func updateTimerGauges(failed: Int?) {
        if let failed { timersFailed.set(Double(failed)) }
    }

    func updatePoolGauges(_ statistics: ConnectionPool.Statistics) {
        poolOpen.set(Double(statistics.open))
        poolIdle.set(Double(statistics.idle))
        poolWaiting.set(Double(statistics.waiting))
        poolMax.set(Double(statistics.maxConnections))
    }
}
