import Foundation
import Logging
import NIOSSL
import PostgresNIO
import StoreModel
import Synchronization

/// The PostgreSQL order store: a `PostgresClient` pool shared by every request, migrations applied
/// at start under an advisory lock, and every write one READ COMMITTED transaction retried on
/// serialization failures and deadlocks (`PostgresTransaction`). The business decisions come from
/// the shared rules (`StatusRules`, `PaymentRules`, `NotificationRules`), as in `SQLiteOrderStore`;
/// a change that decides from an order's state first locks its row (`SELECT … FOR UPDATE`), so
/// several instances on one database never decide from the same old state.
public final class PostgresOrderStore: OrderStore {
    /// The guarded connection pool every query goes through.
    let client: PostgresPool
    let logger: Logger
    let settings: PostgresSettings
    private let runner: Task<Void, Never>
    private let observers = Mutex<[@Sendable ([String]) -> Void]>([])
    /// Who hears of events; fixed at start-up.
    let routing: NotificationRouting
    private let lowStockRules = Mutex<[String: LowStockRule]>([:])
    /// Whether this store has seen a webhook endpoint (at start or added since).
    let endpointsSeen = Mutex(false)
    /// Transactions retried after a serialization failure or a deadlock, for `/metrics`.
    let retries = Atomic<UInt64>(0)
    /// What this instance hears from the others on the same database.
    let listener: PostgresClusterListener

    /// How many transactions were retried after SQLSTATE 40001 or 40P01.
    public var retriedTransactions: UInt64 { retries.load(ordering: .relaxed) }

    /// A store on `settings` with a pool of at most `poolSize` connections, not yet open: nothing
    /// is connected until `open()`, and until it succeeds every method throws
    /// `StoreError.databaseUnavailable` (the API answers 503 and `/readyz` says not ready).
    ///
    /// `requestDeadline` bounds every use of the database (a lost server answers within it).
    public init(
        unopened settings: PostgresSettings, poolSize: Int, logger: Logger, notifications: NotificationRouting = .webhooksOnly,
        requestDeadline: Duration = .seconds(4)
    ) throws {
        routing = notifications
        self.logger = logger
        self.settings = settings
        var configuration =
            switch settings.endpoint {
            case .tcp(let host, let port):
                PostgresClient.Configuration(
                    host: host, port: port, username: settings.username, password: settings.password, database: settings.database,
                    tls: Self.tlsConfiguration(settings.tls).map { .require($0) } ?? .disable)
            case .unixSocket:
                PostgresClient.Configuration(
                    unixSocketPath: settings.unixSocketPath ?? "", username: settings.username, password: settings.password,
                    database: settings.database)
            }
        configuration.options.maximumConnections = max(1, poolSize)
        configuration.options.minimumConnections = 0
        configuration.options.connectTimeout = .seconds(3)
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.client = PostgresPool(client: client, deadline: requestDeadline)
        listener = try PostgresClusterListener(settings: settings, tls: Self.tlsConfiguration(settings.tls), logger: logger)
        runner = Task { await client.run() }
    }

    /// Connects, applies the migrations and opens the store; throws when the database cannot be
    /// reached (`order-api serve` then keeps trying, see `open()`).
    public convenience init(
        settings: PostgresSettings, poolSize: Int, logger: Logger, notifications: NotificationRouting = .webhooksOnly, requestDeadline: Duration = .seconds(4)
    ) async throws {
        try self.init(unopened: settings, poolSize: poolSize, logger: logger, notifications: notifications, requestDeadline: requestDeadline)
        do {
            try await open()
        } catch {
            try? await close()
            throw error
        }
    }

    /// Whether `open()` has succeeded.
    public var isOpen: Bool { client.isOpen }

    /// Applies the migrations (under the advisory lock), reads what the store keeps in memory,
    /// starts listening to the other instances, and lets requests through. Safe to call again
    /// after a failure; does nothing once open.
    public func open() async throws {
        guard !client.isOpen else { return }
        let logger = self.logger
        // Reaching the server is bounded as tightly as any request; migrations may take long on a big database.
        try await client.unopened(deadline: client.deadline) { [self] client in try await client.query("SELECT 1", logger: logger) }
        let endpoints = try await client.unopened(deadline: .seconds(120)) { client in
            try await PostgresMigrations.migrate(client, logger: logger)
            var count = 0
            for try await value in try await client.query("SELECT count(*) FROM webhook_endpoints WHERE enabled AND deleted_at IS NULL", logger: logger)
                .decode(Int.self)
            {
                count = value
            }
            return count
        }
        endpointsSeen.withLock { $0 = endpoints > 0 }
        listener.start(onOrders: { [weak self] ids in self?.tellObservers(ids) })
        client.markOpen()
        logger.info("database open", metadata: ["database": "\(settings)", "pool": "\(client.client)"])
    }

    /// The TLS of `mode` (nil: none). `require` encrypts without checking the certificate, as libpq does.
    static func tlsConfiguration(_ mode: PostgresSettings.TLSMode) -> TLSConfiguration? {
        switch mode {
        case .disable:
            return nil
        case .require:
            var configuration = TLSConfiguration.makeClientConfiguration()
            configuration.certificateVerification = .none
            return configuration
        case .verifyFull:
            return .makeClientConfiguration()
        }
    }

    public func observeOrderChanges(_ observer: @escaping @Sendable ([String]) -> Void) {
        observers.withLock { $0.append(observer) }
    }

    /// Always 0: other instances' changes reach the order-change observers through `LISTEN`
    /// (`PostgresClusterListener`), and cached answers are checked against `orderVersions`.
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
        defer { tellObservers(orderIDs) }
        return try await write()
    }

    /// Tells the order-change observers that these orders changed (here or on another instance).
    func tellObservers(_ orderIDs: [String]) {
        guard !orderIDs.isEmpty else { return }
        for observer in observers.withLock({ $0 }) { observer(orderIDs) }
    }

    /// Runs `body` in one transaction, retried on 40001/40P01.
    func transaction<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        try await PostgresTransaction.retrying(client, logger: logger, onRetry: { retries.add(1, ordering: .relaxed) }, body)
    }

    /// Runs `body`, a single statement that is its own transaction, retried on 40001/40P01.
    func statement<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        try await PostgresTransaction.retrying(client, logger: logger, inTransaction: false, onRetry: { retries.add(1, ordering: .relaxed) }, body)
    }

    public func seedStock(_ initial: [String: Int]) async throws {
        // Reading the SKUs that have rows is much cheaper than offering 100,000 rows on every start;
        // the insert still keeps a row that appeared in between.
        let existing = try await client.withConnection { [self] connection in
            var skus = Set<String>()
            for try await sku in try await connection.query("SELECT sku FROM stock", logger: logger).decode(String.self) { skus.insert(sku) }
            return skus
        }
        let rows = initial.filter { $0.value >= 0 && !existing.contains($0.key) }.sorted { $0.key < $1.key }
        guard !rows.isEmpty else { return }
        try await changing([]) {
            try await transaction { [self] connection in
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
        // Always encoded: whether an endpoint (added on another instance) hears of it is decided in the statement.
        let encoded = try SQLiteOrderStore.encodedEvents(before: nil, after: order.order, at: order.order.createdAt)
        return try await changing([order.id]) {
            var outcome: CreateOrderOutcome?
            let placement = try await statement { [self] connection in
                try await Self.placeInOneStatement(order, idempotency: idempotency, outbox: outbox, encoded: encoded, connection, logger)
            }
            switch placement {
            case .created:
                outcome = .created(order.order)
            case .keyTaken:
                outcome = nil
            case .needsTransaction:
                // The same statement in a transaction, without its pre-check, then the low-stock check itself.
                outcome = try await transaction { [self] connection -> CreateOrderOutcome? in
                    let placement = try await Self.placeInOneStatement(
                        order, idempotency: idempotency, outbox: outbox, encoded: encoded, checkingLowStock: false, connection, logger)
                    guard case .created = placement else { return nil }
                    try await Self.checkLowStock(order.order.lines.map(\.sku), at: order.order.createdAt, outbox, connection, logger)
                    return .created(order.order)
                }
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
        try await client.withConnection { [self] connection in try await Self.idempotencyRecord(connection, key: key, logger) }
    }

    public func order(id: String) async throws -> Order {
        try await client.withConnection { [self] connection in try await Self.order(connection, id: id, logger) }
    }

    public func events(orderID: String) async throws -> [OrderEvent] {
        try await client.withConnection { [self] connection in try await Self.events(connection, orderID: orderID, logger) }
    }

    public func orderWithEvents(id: String) async throws -> (Order, [OrderEvent]) {
        // One REPEATABLE READ transaction, so the order and its events are one snapshot.
        let pair = try await client.withConnection { [self] connection in
            try await PostgresTransaction.snapshot(on: connection, logger: logger) { connection in
                let order = try await Self.order(connection, id: id, logger)
                return OrderAndEvents(order: order, events: try await Self.events(connection, orderID: id, logger))
            }
        }
        return (pair.order, pair.events)
    }

    public func stockLevels() async throws -> [String: StockLevel] {
        try await Self.levels(client.query("SELECT sku, available, reserved, sold, received FROM stock", logger: logger))
    }

    public func stockLevels(skus: [String]) async throws -> [String: StockLevel] {
        guard !skus.isEmpty else { return [:] }
        return try await Self.levels(client.query("SELECT sku, available, reserved, sold, received FROM stock WHERE sku = ANY(\(skus))", logger: logger))
    }

    private static func levels(_ rows: PostgresRowSequence) async throws -> [String: StockLevel] {
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
        await listener.stop()
        runner.cancel()
        await runner.value
    }
}

/// An order and its event log, read together.
struct OrderAndEvents: Sendable {
    var order: Order
    var events: [OrderEvent]
}
