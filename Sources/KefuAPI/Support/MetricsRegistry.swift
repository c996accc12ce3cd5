import CoreMetrics
import Foundation
import KefuCore
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
    private let deliveryGauges: [String: Prometheus.Gauge]
    private let deliveryAttempts: Prometheus.Counter
    private let deliveryFailures: Prometheus.Counter
    /// The database's attempt and failure counters at the last scrape (the Prometheus counters
    /// advance by the difference).
    private let lastCounts = CounterSteps()
    private let replicaServing: Prometheus.Gauge
    private let replicaReads: Prometheus.Counter
    private let replicaFallbacks: Prometheus.Counter
    private let lastReplicaCounts = CounterSteps()

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
        func deliveryGauge(_ name: String, _ unit: String?, _ help: String) -> Prometheus.Gauge {
            registry.makeGauge(
                descriptor: MetricNameDescriptor(namespace: "kefu", subsystem: "deliveries", metricName: name, unitName: unit, helpText: help)
            )
        }
        deliveryGauges = [
            "pending": deliveryGauge("pending", nil, "Webhook deliveries not yet attempted"),
            "failed": deliveryGauge("failed", nil, "Webhook deliveries that failed and wait for their next attempt"),
            "dead": deliveryGauge("dead", nil, "Webhook deliveries out of attempts (GET /v1/deliveries?status=dead)"),
            "oldest": deliveryGauge("oldest_undelivered", "seconds", "Age of the oldest webhook delivery not yet delivered"),
        ]
        func counter(_ name: String, _ help: String) -> Prometheus.Counter {
            registry.makeCounter(
                descriptor: MetricNameDescriptor(namespace: "kefu", subsystem: "delivery", metricName: name, unitName: "total", helpText: help)
            )
        }
        deliveryAttempts = counter("attempts", "Webhook delivery attempts")
        deliveryFailures = counter("failures", "Webhook delivery attempts that failed")
        replicaServing = registry.makeGauge(
            descriptor: MetricNameDescriptor(
                namespace: "kefu",
                subsystem: "read_replica",
                metricName: "serving",
                helpText: "1 while the read replica (KEFU_READ_DATABASE_URL) serves lag-tolerant reads, else 0"
            )
        )
        func replicaCounter(_ name: String, _ help: String) -> Prometheus.Counter {
            registry.makeCounter(
                descriptor: MetricNameDescriptor(namespace: "kefu", subsystem: "read_replica", metricName: name, unitName: "total", helpText: help)
            )
        }
        replicaReads = replicaCounter("reads", "Reads the replica served")
        replicaFallbacks = replicaCounter("fallbacks", "Lag-tolerant reads sent to the primary because the replica was down, cut off or behind")
    }

    /// The read replica's state and counts, at each scrape (nothing without a replica).
    func updateReplica(_ statistics: ReadReplica.Statistics?) {
        guard let statistics else { return }
        replicaServing.set(statistics.fresh ? 1.0 : 0.0)
        let (reads, fallbacks) = lastReplicaCounts.advance(statistics.served, statistics.fallbacks)
        if reads > 0 { replicaReads.increment(by: Int64(reads)) }
        if fallbacks > 0 { replicaFallbacks.increment(by: Int64(fallbacks)) }
    }

    /// The outbox figures, read from the database at each scrape (nil when it could not be read).
    func updateDeliveryGauges(_ figures: DeliveryHealth.Figures?) {
        guard let figures else { return }
        deliveryGauges["pending"]?.set(Double(figures.pending))
        deliveryGauges["failed"]?.set(Double(figures.failed))
        deliveryGauges["dead"]?.set(Double(figures.dead))
        deliveryGauges["oldest"]?.set(figures.oldestUndeliveredSeconds)
        let (attempts, failures) = lastCounts.advance(figures.attempts, figures.failures)
        if attempts > 0 { deliveryAttempts.increment(by: Int64(attempts)) }
        if failures > 0 { deliveryFailures.increment(by: Int64(failures)) }
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

/// The last values of two monotonic counts, and the steps to the new ones (never negative).
final class CounterSteps: Sendable {
    private let state = NSLock()
    private nonisolated(unsafe) var first: Int?
    private nonisolated(unsafe) var second: Int?

    func advance(_ newFirst: Int, _ newSecond: Int) -> (Int, Int) {
        state.withLock {
            // The first scrape starts the Prometheus counters at the source's totals.
            let steps = (max(0, newFirst - (first ?? 0)), max(0, newSecond - (second ?? 0)))
            first = newFirst
            second = newSecond
            return steps
        }
    }
}
