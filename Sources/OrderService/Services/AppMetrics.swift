import Foundation
import Prometheus
import StoreModel
import Synchronization

/// The API's Prometheus metrics: requests by route and status, latencies, orders created, and,
/// computed from the database at each scrape, orders by state and paid revenue.
public final class AppMetrics: Sendable {
    /// The registry `/metrics` prints.
    public let registry = PrometheusCollectorRegistry()
    private let ordersCreated: Counter
    private let lookupsFromMemory: Counter
    private let lookupsFromDatabase: Counter

    /// The request counter and latency histogram of one route, method and status.
    private struct Series: Hashable {
        let route: String
        let method: String
        let status: Int
    }

    /// The series made so far: the registry looks metrics up by validated name and labels under
    /// its lock, too slow to do on every request.
    private let series = Mutex<[Series: (requests: Counter, latency: DurationHistogram)]>([:])

    static let latencyBuckets: [Duration] = [
        .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
        .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5),
    ]

    /// Creates the metrics.
    public init() {
        ordersCreated = registry.makeCounter(
            descriptor: MetricNameDescriptor(metricName: "orders_created", unitName: "total", helpText: "Orders created since start."))
        let lookups = MetricNameDescriptor(metricName: "order_lookups", unitName: "total", helpText: "GET /order answers by where they came from.")
        lookupsFromMemory = registry.makeCounter(descriptor: lookups, labels: [("source", "memory")])
        lookupsFromDatabase = registry.makeCounter(descriptor: lookups, labels: [("source", "database")])
    }

    /// Counts a created order.
    func orderCreated() { ordersCreated.increment() }

    /// Counts a `GET /order` answer taken from the answer cache, or one read from the database.
    func orderLookup(fromMemory: Bool) {
        (fromMemory ? lookupsFromMemory : lookupsFromDatabase).increment()
    }

    /// Records one answered request.
    func request(route: String, method: String, status: Int, duration: Duration) {
        let key = Series(route: route, method: method, status: status)
        let metrics = series.withLock { $0[key] } ?? makeSeries(key)
        metrics.requests.increment()
        metrics.latency.record(duration)
    }

    private func makeSeries(_ key: Series) -> (requests: Counter, latency: DurationHistogram) {
        let made = (
            requests: registry.makeCounter(
                descriptor: MetricNameDescriptor(metricName: "http_requests", unitName: "total", helpText: "HTTP requests answered."),
                labels: [("route", key.route), ("method", key.method), ("status", String(key.status))]),
            latency: registry.makeDurationHistogram(
                descriptor: MetricNameDescriptor(metricName: "http_request_duration", unitName: "seconds", helpText: "HTTP request latency."),
                labels: [("route", key.route), ("method", key.method)], buckets: Self.latencyBuckets)
        )
        series.withLock { $0[key] = made }
        return made
    }

    /// Sets the count of database transactions retried after a serialization failure or a deadlock
    /// (PostgreSQL's SQLSTATE 40001 and 40P01), and whether other instances are being heard.
    func updateDatabase(retriedTransactions: UInt64, hearingOtherInstances: Bool) {
        registry.makeGauge(
            descriptor: MetricNameDescriptor(
                metricName: "database_transaction_retries", unitName: "total",
                helpText: "Transactions retried after a serialization failure or a deadlock (40001, 40P01).")
        ).set(Double(retriedTransactions) as Double)
        registry.makeGauge(
            descriptor: MetricNameDescriptor(
                metricName: "database_listening", helpText: "1 while this instance hears the other instances' announcements (LISTEN), else 0.")
        ).set((hearingOtherInstances ? 1 : 0) as Double)
    }

    /// Sets the open connections, those refused at a limit, and those closed for a slow phase.
    func updateConnections(_ snapshot: (open: Int, refused: UInt64, timeouts: [String: UInt64])) {
        registry.makeGauge(descriptor: MetricNameDescriptor(metricName: "http_connections_open", helpText: "HTTP connections open now.")).set(
            Double(snapshot.open))
        registry.makeGauge(
            descriptor: MetricNameDescriptor(
                metricName: "http_connections_refused", unitName: "total",
                helpText: "New connections closed at once at --max-connections or the per-address limit.")
        ).set(Double(snapshot.refused))
        for phase in ["header", "body", "idle", "write"] {
            registry.makeGauge(
                descriptor: MetricNameDescriptor(
                    metricName: "http_connections_timed_out", unitName: "total", helpText: "Connections closed because a phase of an exchange took too long."),
                labels: [("phase", phase)]
            ).set(Double(snapshot.timeouts[phase] ?? 0))
        }
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
                descriptor: MetricNameDescriptor(
                    metricName: "revenue_minor_units", unitName: "total", helpText: "Revenue of paid, shipped and delivered orders, in minor units."),
                labels: [("currency", currency)]
            ).set(Double(minor))
        }
    }
}
