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

    /// The process-wide registry; swift-metrics can only be bootstrapped once.
    public static let shared: MetricsRegistry = {
        let registry = MetricsRegistry(registry: PrometheusCollectorRegistry())
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry.registry))
        return registry
    }()

    init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
        poolOpen = registry.makeGauge(name: "kefu_db_pool_open_connections", help: "Open database connections")
        poolIdle = registry.makeGauge(name: "kefu_db_pool_idle_connections", help: "Idle database connections")
        poolWaiting = registry.makeGauge(name: "kefu_db_pool_waiting_requests", help: "Requests waiting for a connection")
        poolMax = registry.makeGauge(name: "kefu_db_pool_max_connections", help: "Configured pool size")
    }

    func updatePoolGauges(_ statistics: ConnectionPool.Statistics) {
        poolOpen.set(Double(statistics.open))
        poolIdle.set(Double(statistics.idle))
        poolWaiting.set(Double(statistics.waiting))
        poolMax.set(Double(statistics.maxConnections))
    }
}
