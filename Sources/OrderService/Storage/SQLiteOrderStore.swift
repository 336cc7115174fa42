import Foundation
import GRDB
import Logging
import StoreModel
import Synchronization

/// The SQLite order store: a GRDB `DatabasePool` in WAL mode with `synchronous=FULL`, so an
/// acknowledged order survives a crash or a power cut. Orders are written through a group-commit
/// writer; every write method is one transaction (or one savepoint of a group transaction).
///
/// Every write ends by counting itself in `<database>.changes` and telling the order-change
/// observers which orders it touched (`changing(_:_:)`), so caches of order data stay exact.
public final class SQLiteOrderStore: OrderStore {
    let pool: DatabasePool
    let writer: GroupCommitWriter
    private let lock: DatabaseLock
    private let writeCounter: SharedWriteCounter
    private let observers = Mutex<[@Sendable ([String]) -> Void]>([])
    /// Who hears of events; fixed at start-up.
    let routing: NotificationRouting
    private let lowStockRules = Mutex<[String: LowStockRule]>([:])
    /// Whether this store has seen a webhook endpoint (at start or added since).
    let endpointsSeen = Mutex(false)

    /// Opens (creating when needed) the database at `path` and runs the migrations. Holds the
    /// database's lock file shared while open, so `order-api restore` cannot swap it underneath.
    public init(path: String, logger: Logger, notifications: NotificationRouting = .webhooksOnly) throws {
        routing = notifications
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        lock = try DatabaseLock(databasePath: path, exclusive: false)
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
            try db.execute(sql: "PRAGMA foreign_keys = ON")
        }
        configuration.label = "orders"
        pool = try DatabasePool(path: path, configuration: configuration)
        try Migrations.migrator.migrate(pool)
        writer = GroupCommitWriter(writer: pool)
        let endpoints = try pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM webhook_endpoints WHERE deleted_at IS NULL") ?? 0 }
        endpointsSeen.withLock { $0 = endpoints > 0 }
        writeCounter = SharedWriteCounter(databasePath: path)
        if !writeCounter.isMapped {
            logger.warning("cannot map the write counter; GET /order answers will not be cached", metadata: ["path": "\(SharedWriteCounter.path(for: path))"])
        }
        logger.info("database open", metadata: ["path": "\(path)", "journal": "wal", "synchronous": "full"])
    }

    public func observeOrderChanges(_ observer: @escaping @Sendable ([String]) -> Void) {
        observers.withLock { $0.append(observer) }
    }

    public var foreignWrites: UInt64 { writeCounter.foreignWrites }

    public func setLowStockRules(_ rules: [String: LowStockRule]) {
        lowStockRules.withLock { $0 = rules }
    }

    /// What the outbox needs inside the next transaction.
    var outboxContext: OutboxContext {
        OutboxContext(routing: routing, lowStock: lowStockRules.withLock { $0 }, mayNotify: routing.emailEnabled || endpointsSeen.withLock { $0 })
    }

    /// Runs `write`, then (committed, rolled back or failed alike) counts it as this store's write
    /// and tells the observers about `orderIDs`: after the transaction ended, before the caller
    /// hears the outcome. Every write method goes through here.
    func changing<T>(_ orderIDs: [String], _ write: () async throws -> T) async rethrows -> T {
        defer {
            writeCounter.countOwnWrite()
            if !orderIDs.isEmpty {
                for observer in observers.withLock({ $0 }) { observer(orderIDs) }
            }
        }
        return try await write()
    }

    public func seedStock(_ initial: [String: Int]) async throws {
        // Reading the SKUs that have rows is much cheaper than trying 100,000 inserts on every start;
        // the insert still ignores a row that appeared in between.
        let existing = try await pool.read { db in try Set(String.fetchCursor(db, sql: "SELECT sku FROM stock")) }
        let missing = initial.filter { $0.value >= 0 && !existing.contains($0.key) }
        guard !missing.isEmpty else { return }
        try await changing([]) { try await seedStockRows(missing) }
    }

    private func seedStockRows(_ missing: [String: Int]) async throws {
        try await pool.write { db in
            let insert = try db.cachedStatement(
                sql: "INSERT INTO stock (sku, available, reserved, sold, received) VALUES (?, ?, 0, 0, ?) ON CONFLICT(sku) DO NOTHING")
            for (sku, units) in missing {
                try insert.execute(arguments: [sku, units, units])
            }
        }
    }

    public func createOrder(_ order: NewOrder, idempotency: IdempotencyDraft?) async throws -> CreateOrderOutcome {
        try await changing([order.id]) { try await insertOrder(order, idempotency: idempotency) }
    }

    private func insertOrder(_ order: NewOrder, idempotency: IdempotencyDraft?) async throws -> CreateOrderOutcome {
        let outbox = outboxContext
        // Made here, in the caller's task, not inside the one writer; unused when the event has no destination.
        let encoded = outbox.mayNotify ? try Self.encodedEvents(before: nil, after: order.order, at: order.order.createdAt) : [:]
        return try await writer.submit { db in
            if let idempotency, let existing = try Self.idempotencyRecord(db, key: idempotency.key) {
                return .replay(existing)
            }
            try Self.move(StatusRules.reservation(of: order.order), db)
            try Self.insert(order.order, db)
            try Self.appendEvent(db, orderID: order.id, at: order.order.createdAt, actor: "shopper", from: nil, to: .created, note: "")
            try Self.recordOrderEvents(before: nil, after: order.order, at: order.order.createdAt, outbox, db, encoded: encoded)
            try Self.checkLowStock(order.order.lines.map(\.sku), at: order.order.createdAt, outbox, db)
            if let idempotency {
                try db.execute(
                    sql: "INSERT INTO idempotency_keys (key, request_hash, response_status, response_body, order_id, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                    arguments: [
                        idempotency.key, idempotency.requestHash, idempotency.responseStatus, idempotency.responseBody, order.id, order.order.createdAt.millis,
                    ])
            }
            return .created(order.order)
        }
    }

    public func idempotencyRecord(key: String) async throws -> IdempotencyRecord? {
        try await pool.read { db in try Self.idempotencyRecord(db, key: key) }
    }

    public func updateIdempotencyResponse(key: String, body: Data) async throws {
        try await changing([]) {
            try await pool.write { db in
                try db.execute(sql: "UPDATE idempotency_keys SET response_body = ? WHERE key = ?", arguments: [body, key])
            }
        }
    }

    public func order(id: String) async throws -> Order {
        try await pool.read { db in try Self.order(db, id: id) }
    }

    public func events(orderID: String) async throws -> [OrderEvent] {
        try await pool.read { db in try Self.events(db, orderID: orderID) }
    }

    public func orderWithEvents(id: String) async throws -> (Order, [OrderEvent]) {
        try await pool.read { db in
            let order = try Self.order(db, id: id)
            return (order, try Self.events(db, orderID: id))
        }
    }

    public func transition(_ change: StatusChange) async throws -> Order {
        let outbox = outboxContext
        return try await changing([change.orderID]) {
            try await writer.submit { db in try Self.apply(change, db, outbox) }
        }
    }

    public func expireDueOrders(now: Date) async throws -> [String] {
        let due = try await pool.read { db in
            try String.fetchAll(
                db, sql: "SELECT id FROM orders WHERE status = 'created' AND expires_at IS NOT NULL AND expires_at <= ? ORDER BY expires_at LIMIT ?",
                arguments: [now.millis, StatusRules.expiryBatch])
        }
        var expired: [String] = []
        for id in due {
            do {
                _ = try await transition(StatusRules.expiry(orderID: id, at: now))
                expired.append(id)
            } catch StoreError.illegalTransition {
                continue  // paid or cancelled meanwhile
            }
        }
        return expired
    }

    public func recordPaymentInstructions(orderID: String, instructions: PaymentInstructions, at: Date) async throws {
        let json = try instructions.storedJSON()
        let outbox = outboxContext
        try await changing([orderID]) {
            try await writer.submit { db in
                let before = try Self.order(db, id: orderID)
                try db.execute(sql: "UPDATE orders SET payment_info = ?, updated_at = ? WHERE id = ?", arguments: [json, at.millis, orderID])
                try Self.recordOrderEvents(before: before, after: try Self.order(db, id: orderID), at: at, outbox, db)
            }
        }
    }

    public func flagForReview(orderID: String, actor: String, note: String, at: Date) async throws {
        let outbox = outboxContext
        try await changing([orderID]) {
            try await writer.submit { db in
                let order = try Self.order(db, id: orderID)
                try db.execute(sql: "UPDATE orders SET needs_review = 1, updated_at = ? WHERE id = ?", arguments: [at.millis, orderID])
                try Self.appendEvent(db, orderID: orderID, at: at, actor: actor, from: order.status, to: order.status, note: note)
                try Self.recordOrderEvents(before: order, after: try Self.order(db, id: orderID), at: at, outbox, db, reviewReason: note)
            }
        }
    }

    public func listOrders(_ query: OrderQuery) async throws -> OrderPage {
        try await pool.read { db in
            var clauses: [String] = []
            var arguments: StatementArguments = []
            if let status = query.status { clauses.append("status = ?"); arguments += [status.rawValue] }
            if let from = query.from { clauses.append("created_at >= ?"); arguments += [from.millis] }
            if let to = query.to { clauses.append("created_at < ?"); arguments += [to.millis] }
            if let search = OrderSearch(query.search) {
                var alternatives = ["id = ?", "customer_email_lower LIKE ? ESCAPE '\\'"]
                arguments += [search.id, search.emailPattern]
                if let phone = search.phonePattern {
                    alternatives.append("customer_phone_digits LIKE ?")
                    arguments += [phone]
                }
                clauses.append("(" + alternatives.joined(separator: " OR ") + ")")
            }
            if let cursor = query.cursor {
                clauses.append("(created_at < ? OR (created_at = ? AND id < ?))")
                arguments += [cursor.createdAtMillis, cursor.createdAtMillis, cursor.id]
            }
            let whereSQL = clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ")
            let limit = query.pageSize
            let ids = try String.fetchAll(
                db, sql: "SELECT id FROM orders \(whereSQL) ORDER BY created_at DESC, id DESC LIMIT \(limit + 1)", arguments: arguments)
            return OrderPage(orders: try ids.prefix(limit).map { try Self.order(db, id: $0) }, more: ids.count > limit)
        }
    }

    public func stockLevels() async throws -> [String: StockLevel] {
        try await pool.read { db in
            var levels: [String: StockLevel] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT sku, available, reserved, sold, received FROM stock") {
                let level = Self.stockLevel(row)
                levels[level.sku] = level
            }
            return levels
        }
    }

    public func stockLevels(skus: [String]) async throws -> [String: StockLevel] {
        guard !skus.isEmpty else { return [:] }
        return try await pool.read { db in
            let select = try db.cachedStatement(sql: "SELECT sku, available, reserved, sold, received FROM stock WHERE sku = ?")
            var levels: [String: StockLevel] = [:]
            for sku in Set(skus) {
                if let row = try Row.fetchOne(select, arguments: [sku]) { levels[sku] = Self.stockLevel(row) }
            }
            return levels
        }
    }

    public func setAvailableStock(sku: String, available: Int) async throws -> StockLevel {
        guard ProductRules.isValidStock(available) else { throw StoreError.invalidStock }
        return try await changing([]) { try await writeAvailableStock(sku: sku, available: available) }
    }

    private func writeAvailableStock(sku: String, available: Int) async throws -> StockLevel {
        let outbox = outboxContext
        return try await writer.submit { db in
            try db.execute(
                sql: """
                    INSERT INTO stock (sku, available, reserved, sold, received) VALUES (?1, ?2, 0, 0, ?2)
                    ON CONFLICT(sku) DO UPDATE SET received = received + (?2 - available), available = ?2
                    """,
                arguments: [sku, available])
            try Self.checkLowStock([sku], at: Date(), outbox, db)
            guard let row = try Row.fetchOne(db, sql: "SELECT sku, available, reserved, sold, received FROM stock WHERE sku = ?", arguments: [sku]) else {
                throw StoreError.invalidStock
            }
            return Self.stockLevel(row)
        }
    }

    public func statistics() async throws -> OrderStatistics {
        try await pool.read { db in
            var counts: [OrderStatus: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT status, COUNT(*) AS n FROM orders GROUP BY status") {
                if let status = OrderStatus(rawValue: row["status"]) { counts[status] = row["n"] }
            }
            var revenue: [String: Int64] = [:]
            for row in try Row.fetchAll(
                db, sql: "SELECT currency, SUM(total_minor) AS s FROM orders WHERE status IN ('paid', 'shipped', 'delivered') GROUP BY currency")
            {
                revenue[row["currency"]] = row["s"]
            }
            return OrderStatistics(countsByStatus: counts, revenueMinorByCurrency: revenue)
        }
    }

    public func ping() async throws {
        _ = try await pool.read { db in try Int.fetchOne(db, sql: "SELECT 1") }
    }

    public func close() async throws {
        try pool.close()
        lock.release()
    }
}

extension SQLiteOrderStore {
    static func insert(_ order: Order, _ db: Database) throws {
        try db.cachedStatement(
            sql: """
                INSERT INTO orders (id, status, payment_method, currency, subtotal_minor, shipping_minor, total_minor, catalog_version,
                    customer_name, customer_email, customer_email_lower, customer_phone, customer_phone_digits,
                    postal_code, city, address, note, created_at, updated_at, expires_at, payment_state)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(
            arguments: [
                order.id, order.status.rawValue, order.paymentMethod.rawValue, order.total.currency.code, order.subtotal.minorUnits, order.shipping.minorUnits,
                order.total.minorUnits, order.catalogVersion, order.customer.name, order.customer.email, order.customer.email.lowercased(),
                order.customer.phone, order.customer.phone.filter(\.isASCIIDigit), order.shippingAddress.postalCode,
                order.shippingAddress.city, order.shippingAddress.address, order.note, order.createdAt.millis, order.updatedAt.millis,
                order.expiresAt?.millis, order.paymentState.rawValue,
            ])
        for (position, line) in order.lines.enumerated() {
            try db.cachedStatement(
                sql: """
                    INSERT INTO order_lines (order_id, position, sku, title, quantity, unit_price_minor, line_total_minor, options)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """
            ).execute(
                arguments: [
                    order.id, position, line.sku, line.title, line.quantity, line.unitPrice.minorUnits, line.lineTotal.minorUnits,
                    OrderLineOptions.column(line.options),
                ])
        }
    }

    static func appendEvent(_ db: Database, orderID: String, at: Date, actor: String, from: OrderStatus?, to: OrderStatus, note: String) throws {
        try db.cachedStatement(sql: "INSERT INTO order_events (order_id, at, actor, from_status, to_status, note) VALUES (?, ?, ?, ?, ?, ?)").execute(
            arguments: [orderID, at.millis, actor, from?.rawValue, to.rawValue, note])
    }

    /// Reads the order, lets `StatusRules` decide the change, and stores the decision: the stock
    /// moves, the order's new state and the event.
    static func apply(_ change: StatusChange, _ db: Database, _ outbox: OutboxContext) throws -> Order {
        let order = try order(db, id: change.orderID)
        let decision = try StatusRules.decide(order: order, change: change)
        try move(decision.stockMoves, db)
        let after = decision.order
        try db.execute(
            sql: "UPDATE orders SET status = ?, updated_at = ?, tracking_number = ?, payment_state = ? WHERE id = ?",
            arguments: [after.status.rawValue, after.updatedAt.millis, after.trackingNumber, after.paymentState.rawValue, order.id])
        try appendEvent(db, orderID: order.id, at: change.at, actor: change.actor, from: order.status, to: after.status, note: change.note)
        try recordOrderEvents(before: order, after: after, at: change.at, outbox, db)
        if !decision.stockMoves.isEmpty { try checkLowStock(decision.stockMoves.map(\.sku), at: change.at, outbox, db) }
        return after
    }

    /// Makes the stock moves; throws `insufficientStock` (with the units available) for the SKUs whose
    /// move needed more available units than there are.
    static func move(_ moves: [StatusRules.StockMove], _ db: Database) throws {
        var short: [String: Int] = [:]
        for move in moves {
            try db.cachedStatement(sql: stockMoveSQL(move)).execute(arguments: [move.quantity, move.sku])
            if move.needsAvailableStock, db.changesCount == 0,
                let available = try Int.fetchOne(db.cachedStatement(sql: "SELECT available FROM stock WHERE sku = ?"), arguments: [move.sku])
            {
                short[move.sku] = available
            }
        }
        if !short.isEmpty { throw StoreError.insufficientStock(short) }
    }

    /// The `stock` column that holds a bucket's units.
    static func column(_ bucket: StatusRules.StockBucket) -> String {
        switch bucket {
        case .reserved: "reserved"
        case .sold: "sold"
        case .released: "available"
        }
    }

    /// `?1` units of SKU `?2` from one column to the other; a move out of `available` only when there are enough.
    static func stockMoveSQL(_ move: StatusRules.StockMove) -> String {
        let from = column(move.from)
        let to = column(move.to)
        return "UPDATE stock SET \(from) = \(from) - ?1, \(to) = \(to) + ?1 WHERE sku = ?2" + (move.needsAvailableStock ? " AND available >= ?1" : "")
    }

    static func events(_ db: Database, orderID: String) throws -> [OrderEvent] {
        try Row.fetchAll(
            db.cachedStatement(sql: "SELECT at, actor, from_status, to_status, note FROM order_events WHERE order_id = ? ORDER BY seq"), arguments: [orderID]
        )
        .map { row in
            guard let to = OrderStatus(rawValue: row["to_status"]) else { throw StoreError.corruptRow("order_events.to_status") }
            let fromText: String? = row["from_status"]
            return OrderEvent(at: Date(millis: row["at"]), actor: row["actor"], from: fromText.flatMap(OrderStatus.init(rawValue:)), to: to, note: row["note"])
        }
    }

    static func order(_ db: Database, id: String) throws -> Order {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM orders WHERE id = ?"), arguments: [id]) else {
            throw StoreError.orderNotFound
        }
        guard let status = OrderStatus(rawValue: row["status"]), let method = PaymentMethod(rawValue: row["payment_method"]),
            let currency = Currency(code: row["currency"])
        else { throw StoreError.corruptRow("orders \(id)") }
        let lines = try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM order_lines WHERE order_id = ? ORDER BY position"), arguments: [id]).map { line in
            PricedLine(
                sku: line["sku"], title: line["title"], quantity: line["quantity"],
                unitPrice: Money(minorUnits: line["unit_price_minor"], currency: currency),
                lineTotal: Money(minorUnits: line["line_total_minor"], currency: currency),
                options: try OrderLineOptions.parse(line["options"], row: "order_lines \(id)"))
        }
        let expires: Int64? = row["expires_at"]
        return Order(
            id: row["id"], status: status, paymentMethod: method, lines: lines,
            subtotal: Money(minorUnits: row["subtotal_minor"], currency: currency),
            shipping: Money(minorUnits: row["shipping_minor"], currency: currency),
            total: Money(minorUnits: row["total_minor"], currency: currency),
            catalogVersion: row["catalog_version"],
            customer: Customer(name: row["customer_name"], email: row["customer_email"], phone: row["customer_phone"]),
            shippingAddress: ShippingAddress(postalCode: row["postal_code"], city: row["city"], address: row["address"]),
            note: row["note"], createdAt: Date(millis: row["created_at"]), updatedAt: Date(millis: row["updated_at"]),
            expiresAt: expires.map(Date.init(millis:)), trackingNumber: row["tracking_number"], needsReview: (row["needs_review"] as Int64) != 0,
            paymentInstructions: PaymentInstructions.stored(row["payment_info"]),
            paymentState: PaymentState(rawValue: row["payment_state"]) ?? .pending, paymentReference: row["payment_reference"],
            reviewReason: row["review_reason"])
    }

    static func idempotencyRecord(_ db: Database, key: String) throws -> IdempotencyRecord? {
        try Row.fetchOne(db, sql: "SELECT * FROM idempotency_keys WHERE key = ?", arguments: [key]).map { row in
            IdempotencyRecord(
                key: row["key"], requestHash: row["request_hash"], responseStatus: row["response_status"], responseBody: row["response_body"],
                orderID: row["order_id"])
        }
    }

    static func stockLevel(_ row: Row) -> StockLevel {
        StockLevel(sku: row["sku"], available: row["available"], reserved: row["reserved"], sold: row["sold"], received: row["received"])
    }
}

extension Date {
    /// Milliseconds since 1970, as stored.
    var millis: Int64 { Int64((timeIntervalSince1970 * 1000).rounded(.down)) }

    /// A date from stored milliseconds since 1970.
    init(millis: Int64) { self.init(timeIntervalSince1970: Double(millis) / 1000) }
}

extension Character {
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
