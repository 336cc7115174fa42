import Foundation
import Prometheus
import StoreModel

/// The API's Prometheus metrics: requests by route and status, latencies, orders created, and,
/// computed from the database at each scrape, orders by state and paid revenue.
public final class AppMetrics: Sendable {
    /// The registry `/metrics` prints.
    public let registry = PrometheusCollectorRegistry()
    private let ordersCreated: Counter

    static let latencyBuckets: [Duration] = [
        .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
        .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5),
    ]

    /// Creates the metrics.
    public init() {
        ordersCreated = registry.makeCounter(
            descriptor: MetricNameDescriptor(metricName: "orders_created", unitName: "total", helpText: "Orders created since start."))
    }

    /// Counts a created order.
    func orderCreated() { ordersCreated.increment() }

    /// Records one answered request.
    func request(route: String, method: String, status: Int, duration: Duration) {
        registry.makeCounter(
            descriptor: MetricNameDescriptor(metricName: "http_requests", unitName: "total", helpText: "HTTP requests answered."),
            labels: [("route", route), ("method", method), ("status", String(status))]
        ).increment()
        registry.makeDurationHistogram(
            descriptor: MetricNameDescriptor(metricName: "http_request_duration", unitName: "seconds", helpText: "HTTP request latency."),
            labels: [("route", route), ("method", method)], buckets: Self.latencyBuckets
        ).record(duration)
    }

    /// Updates the gauges computed from the database.
    func update(_ statistics: OrderStatistics) {
        for status in OrderStatus.allCases {
            registry.makeGauge(
                descriptor: MetricNameDescriptor(metricName: "orders", unitName: "by_status", helpText: "Orders in each state."),
                labels: [("status", status.rawValue)]
            ).set(Double(statistics.countsByStatus[status] ?? 0))
        }
        for (currency, minor) in statistics.revenueMinorByCurrency {
            registry.makeGauge(
                descriptor: MetricNameDescriptor(metricName: "revenue_minor_units", unitName: "total", helpText: "Revenue of paid, shipped and delivered orders, in minor units."),
                labels: [("currency", currency)]
            ).set(Double(minor))
        }
    }
}
