// PostgresOrderStore, first slice (issue 14). Implemented for real: seedStock, createOrder,
// idempotencyRecord, order(id:), events, orderWithEvents, stockLevels, setLowStockRules,
// observeOrderChanges, foreignWrites (always 0 for now), ping, close, and all of
// `NotificationOutbox` (PostgresOrderStore+Outbox.swift, +Webhooks.swift).
//
// Not implemented yet; each throws `PostgresStoreError.notImplemented` naming itself:
// updateIdempotencyResponse, transition, expireDueOrders, recordPaymentInstructions, flagForReview,
// recordPaymentAttempt, paymentAttemptCount, paymentAttempt, unpaidAttempts, applyPaymentReport,
// recordPaymentRejection, paymentAudit, listOrders, setAvailableStock, statistics.
import Foundation
import Logging
import NIOSSL
import PostgresNIO
import StoreModel
import Synchronization

/// What the PostgreSQL store cannot do (yet).
public enum PostgresStoreError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The method is part of `OrderStore` but has no PostgreSQL implementation yet.
    case notImplemented(String)

    public var description: String {
        switch self {
        case .notImplemented(let method): "\(method) is not implemented on PostgreSQL yet"
        }
    }
}

/// The PostgreSQL order store: a `PostgresClient` pool shared by every request, migrations applied
/// at start under an advisory lock, and every write one READ COMMITTED transaction retried on
/// serialization failures and deadlocks (`PostgresTransaction`). The business decisions come from
/// the shared rules (`StatusRules`, `NotificationRules`), as in `SQLiteOrderStore`.
public final class PostgresOrderStore: OrderStore {
    let client: PostgresClient
    let logger: Logger
    private let runner: Task<Void, Never>
    private let observers = Mutex<[@Sendable ([String]) -> Void]>([])
    /// Who hears of events; fixed at start-up.
    let routing: NotificationRouting
    private let lowStockRules = Mutex<[String: LowStockRule]>([:])
    /// Whether this store has seen a webhook endpoint (at start or added since).
    let endpointsSeen = Mutex(false)
    /// Transactions retried after a serialization failure or a deadlock, for `/metrics`.
    let retries = Atomic<UInt64>(0)

    /// How many transactions were retried after SQLSTATE 40001 or 40P01.
    public var retriedTransactions: UInt64 { retries.load(ordering: .relaxed) }

    /// Connects with a pool of at most `poolSize` connections and applies the migrations.
    public init(settings: PostgresSettings, poolSize: Int, logger: Logger, notifications: NotificationRouting = .webhooksOnly) async throws {
        routing = notifications
        self.logger = logger
        var configuration =
            switch settings.endpoint {
            case .tcp(let host, let port):
                PostgresClient.Configuration(
                    host: host, port: port, username: settings.username, password: settings.password, database: settings.database,
                    tls: try Self.tls(settings.tls))
            case .unixSocket:
                PostgresClient.Configuration(
                    unixSocketPath: settings.unixSocketPath ?? "", username: settings.username, password: settings.password,
                    database: settings.database)
            }
        configuration.options.maximumConnections = max(1, poolSize)
        configuration.options.minimumConnections = 0
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.client = client
        // Waits for the runner to start, so the first lease does not find the pool not running yet.
        let (started, signal) = AsyncStream<Void>.makeStream()
        runner = Task {
            signal.finish()
            await client.run()
        }
        for await _ in started {}
        do {
            try await PostgresMigrations.migrate(client, logger: logger)
            let endpoints = try await client.query("SELECT count(*) FROM webhook_endpoints WHERE enabled AND deleted_at IS NULL", logger: logger)
            var count = 0
            for try await value in endpoints.decode(Int.self) { count = value }
            endpointsSeen.withLock { $0 = count > 0 }
        } catch {
            runner.cancel()
            throw error
        }
        logger.info("database open", metadata: ["database": "\(settings)", "pool": "\(max(1, poolSize))"])
    }

    private static func tls(_ mode: PostgresSettings.TLSMode) throws -> PostgresClient.Configuration.TLS {
        switch mode {
        case .disable:
            return .disable
        case .require:
            var configuration = TLSConfiguration.makeClientConfiguration()
            configuration.certificateVerification = .none
            return .require(configuration)
        case .verifyFull:
            return .require(.makeClientConfiguration())
        }
    }

    public func observeOrderChanges(_ observer: @escaping @Sendable ([String]) -> Void) {
        observers.withLock { $0.append(observer) }
    }

    /// Always 0 for now: other instances' writes are not counted yet (LISTEN/NOTIFY is planned), so
    /// callers must not cache order answers on this store.
    public var foreignWrites: UInt64 { 0 }

    public func setLowStockRules(_ rules: [String: LowStockRule]) {
        lowStockRules.withLock { $0 = rules }
    }

    /// What the outbox needs inside the next transaction.
    var outboxContext: OutboxContext {
        OutboxContext(routing: routing, lowStock: lowStockRules.withLock { $0 }, mayNotify: routing.emailEnabled || endpointsSeen.withLock { $0 })
    }

    /// Runs `write` and then, whatever its outcome, tells the observers about `orderIDs`.
    func changing<T>(_ orderIDs: [String], _ write: () async throws -> T) async rethrows -> T {
        defer {
            if !orderIDs.isEmpty {
                for observer in observers.withLock({ $0 }) { observer(orderIDs) }
            }
        }
        return try await write()
    }

    /// Runs `body` in one transaction, retried on 40001/40P01.
    func transaction<T: Sendable>(_ body: @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        try await PostgresTransaction.retrying(client, logger: logger, onRetry: { retries.add(1, ordering: .relaxed) }, body)
    }

    public func seedStock(_ initial: [String: Int]) async throws {
        let rows = initial.filter { $0.value >= 0 }.sorted { $0.key < $1.key }
        guard !rows.isEmpty else { return }
        try await changing([]) {
            try await transaction { connection in
                // One statement for any number of SKUs; rows that exist are kept (the database is the live stock).
                try await connection.query(
                    """
                    INSERT INTO stock (sku, available, reserved, sold, received)
                    SELECT sku, units, 0, 0, units FROM unnest(\(rows.map(\.key))::text[], \(rows.map(\.value))::bigint[]) AS t(sku, units)
                    ON CONFLICT (sku) DO NOTHING
                    """, logger: logger)
            }
        }
    }

    public func createOrder(_ order: NewOrder, idempotency: IdempotencyDraft?) async throws -> CreateOrderOutcome {
        let outbox = outboxContext
        let encoded = outbox.mayNotify ? try SQLiteOrderStore.encodedEvents(before: nil, after: order.order, at: order.order.createdAt) : [:]
        return try await changing([order.id]) {
            let outcome = try await transaction { connection -> CreateOrderOutcome? in
                try await Self.insertOrder(order, idempotency: idempotency, outbox: outbox, encoded: encoded, connection, logger)
            }
            if let outcome { return outcome }
            // The key was taken by a transaction that committed meanwhile: answer as it did.
            guard let key = idempotency?.key, let record = try await idempotencyRecord(key: key) else {
                throw StoreError.corruptRow("idempotency_keys: a taken key has no row")
            }
            return .replay(record)
        }
    }

    public func idempotencyRecord(key: String) async throws -> IdempotencyRecord? {
        try await client.withConnection { connection in try await Self.idempotencyRecord(connection, key: key, logger) }
    }

    public func order(id: String) async throws -> Order {
        try await client.withConnection { connection in try await Self.order(connection, id: id, logger) }
    }

    public func events(orderID: String) async throws -> [OrderEvent] {
        try await client.withConnection { connection in try await Self.events(connection, orderID: orderID, logger) }
    }

    public func orderWithEvents(id: String) async throws -> (Order, [OrderEvent]) {
        // One REPEATABLE READ transaction, so the order and its events are one snapshot.
        let pair = try await client.withConnection { connection in
            try await connection.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", logger: logger)
            do {
                let order = try await Self.order(connection, id: id, logger)
                let events = try await Self.events(connection, orderID: id, logger)
                try await connection.query("COMMIT", logger: logger)
                return OrderAndEvents(order: order, events: events)
            } catch {
                _ = try? await connection.query("ROLLBACK", logger: logger)
                throw error
            }
        }
        return (pair.order, pair.events)
    }

    public func stockLevels() async throws -> [String: StockLevel] {
        let rows = try await client.query("SELECT sku, available, reserved, sold, received FROM stock", logger: logger)
        var levels: [String: StockLevel] = [:]
        for try await (sku, available, reserved, sold, received) in rows.decode((String, Int, Int, Int, Int).self) {
            levels[sku] = StockLevel(sku: sku, available: available, reserved: reserved, sold: sold, received: received)
        }
        return levels
    }

    public func ping() async throws {
        try await client.query("SELECT 1", logger: logger)
    }

    public func close() async throws {
        runner.cancel()
        await runner.value
    }
}

/// An order and its event log, read together.
struct OrderAndEvents: Sendable {
    var order: Order
    var events: [OrderEvent]
}
