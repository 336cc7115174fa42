import Foundation
import PostgresNIO
import StoreModel
import Testing

@testable import OrderService

/// `PostgresOrderStore` on its own (the contract it shares with SQLite is `StoreContractTests`), on a
/// fresh database of the shared PostgreSQL 15 cluster per test.
@Suite(
    "PostgreSQL store", .serialized, .timeLimit(.minutes(2)),
    .enabled(if: PostgresTestCluster.mayRun, PostgresTestCluster.skipReason)
)
struct PostgresStoreTests {
    /// One number from a query.
    static func count(_ store: PostgresOrderStore, _ query: PostgresQuery) async throws -> Int {
        for try await value in try await store.client.query(query).decode(Int.self) { return value }
        return 0
    }

    static func outcome(_ body: () async throws -> CreateOrderOutcome) async -> Result<CreateOrderOutcome, any Error> {
        do { return .success(try await body()) } catch { return .failure(error) }
    }

    static func draft(_ key: String) -> IdempotencyDraft {
        IdempotencyDraft(key: key, requestHash: "hash-\(key)", responseStatus: 201, responseBody: Data("{\"ok\":true}".utf8))
    }

    @Test("an order is stored with its lines, first event, outbox event, idempotency record and reserved stock")
    func createsAnOrder() async throws {
        try await PostgresTestCluster.with { cluster in
            let store = try await cluster.store(notifications: NotificationRouting(emailEnabled: true, ownerEmails: ["owner@example.com"]))
            try await store.seedStock(["X": 5, "Y": 2])
            try await store.seedStock(["X": 99, "Z": 1])  // existing rows are kept
            let new = NewOrder.sample(quantity: 2, unitMinor: 150, method: .cashOnDelivery)
            guard case .created(let created) = try await store.createOrder(new, idempotency: Self.draft("k1")) else {
                Issue.record("not created")
                return
            }
            #expect(created == new.order)
            #expect(try await store.order(id: new.id) == new.order)
            let events = try await store.events(orderID: new.id)
            #expect(events == [OrderEvent(at: new.order.createdAt, actor: "shopper", from: nil, to: .created, note: "")])
            let (order, sameEvents) = try await store.orderWithEvents(id: new.id)
            #expect(order == new.order && sameEvents == events)
            let stock = try await store.stockLevels()
            #expect(stock["X"] == StockLevel(sku: "X", available: 3, reserved: 2, sold: 0, received: 5))
            #expect(stock["Y"] == StockLevel(sku: "Y", available: 2, reserved: 0, sold: 0, received: 2))
            #expect(stock["Z"]?.available == 1)
            let record = try await store.idempotencyRecord(key: "k1")
            #expect(
                record == IdempotencyRecord(key: "k1", requestHash: "hash-k1", responseStatus: 201, responseBody: Data("{\"ok\":true}".utf8), orderID: new.id))
            #expect(try await store.idempotencyRecord(key: "other") == nil)
            #expect(try await Self.count(store, "SELECT count(*)::bigint FROM order_lines WHERE order_id = \(new.id)") == 1)
            let outboxTypes = NotificationRules.orderEvents(before: nil, after: new.order).count
            #expect(outboxTypes > 0)
            #expect(try await Self.count(store, "SELECT count(*)::bigint FROM outbox_events WHERE order_id = \(new.id) AND NOT fanned_out") == outboxTypes)
            // The same key again: the stored answer, no second order.
            guard
                case .replay(let replay) = try await store.createOrder(
                    NewOrder.sample(quantity: 1, unitMinor: 150, method: .cashOnDelivery), idempotency: Self.draft("k1"))
            else {
                Issue.record("not a replay")
                return
            }
            #expect(replay.orderID == new.id)
            #expect(try await Self.count(store, "SELECT count(*)::bigint FROM orders") == 1)
            await #expect(throws: StoreError.orderNotFound) { try await store.order(id: "nope") }
            #expect(try await store.fanOutEvents(now: Date(), limit: 10) == outboxTypes)
            try await store.ping()
            try await store.close()
        }
    }

    @Test("insufficient stock throws with the units available and changes nothing")
    func insufficientStockChangesNothing() async throws {
        try await PostgresTestCluster.with { cluster in
            let store = try await cluster.store(notifications: NotificationRouting(emailEnabled: true, ownerEmails: []))
            try await store.seedStock(["X": 1])
            let new = NewOrder.sample(quantity: 2, unitMinor: 100, method: .cashOnDelivery)
            await #expect(throws: StoreError.insufficientStock(["X": 1])) { try await store.createOrder(new, idempotency: Self.draft("k2")) }
            #expect(try await store.stockLevels()["X"] == StockLevel(sku: "X", available: 1, reserved: 0, sold: 0, received: 1))
            await #expect(throws: StoreError.orderNotFound) { try await store.order(id: new.id) }
            #expect(try await store.idempotencyRecord(key: "k2") == nil)
            for table in ["orders", "order_lines", "order_events", "outbox_events", "idempotency_keys"] {
                #expect(try await Self.count(store, "SELECT count(*)::bigint FROM \(unescaped: table)") == 0, "\(table)")
            }
            try await store.close()
        }
    }

    @Test("two orders at once for the last unit: exactly one is taken; one key sent twice at once makes one order")
    func concurrentOrders() async throws {
        try await PostgresTestCluster.with { cluster in
            let first = try await cluster.store()
            let second = try await cluster.store(url: cluster.socketURL)  // another instance, through the socket
            try await first.seedStock(["X": 1])
            let outcomes = await withTaskGroup(of: Result<CreateOrderOutcome, any Error>.self) { group in
                for store in [first, second] {
                    group.addTask {
                        await Self.outcome {
                            try await store.createOrder(NewOrder.sample(quantity: 1, unitMinor: 100, method: .cashOnDelivery), idempotency: nil)
                        }
                    }
                }
                return await group.reduce(into: []) { $0.append($1) }
            }
            let created = outcomes.filter { if case .success(.created) = $0 { true } else { false } }
            let refused = outcomes.filter { if case .failure(StoreError.insufficientStock(["X": 0])) = $0 { true } else { false } }
            #expect(created.count == 1 && refused.count == 1, "\(outcomes)")
            #expect(try await first.stockLevels()["X"] == StockLevel(sku: "X", available: 0, reserved: 1, sold: 0, received: 1))

            try await first.seedStock(["Y": 10])
            let sameKey = await withTaskGroup(of: Result<CreateOrderOutcome, any Error>.self) { group in
                for store in [first, second] {
                    group.addTask {
                        var order = NewOrder.sample(quantity: 1, unitMinor: 100, method: .cashOnDelivery)
                        order = NewOrder(
                            id: order.id, paymentMethod: .cashOnDelivery,
                            cart: PricedCart(
                                lines: [PricedLine(sku: "Y", title: "Y", quantity: 1, unitPrice: order.order.total, lineTotal: order.order.total)],
                                subtotal: order.order.total, shipping: order.order.shipping, total: order.order.total, catalogVersion: "v"),
                            customer: order.order.customer, shippingAddress: order.order.shippingAddress, note: "", createdAt: order.order.createdAt,
                            expiresAt: nil)
                        return await Self.outcome { try await store.createOrder(order, idempotency: Self.draft("same")) }
                    }
                }
                return await group.reduce(into: []) { $0.append($1) }
            }
            let made = sameKey.compactMap { if case .success(.created(let order)) = $0 { order } else { nil } }
            let replays = sameKey.compactMap { if case .success(.replay(let record)) = $0 { record } else { nil } }
            #expect(made.count == 1 && replays.count == 1, "\(sameKey)")
            #expect(replays.first?.orderID == made.first?.id)
            #expect(try await first.stockLevels()["Y"]?.available == 9)
            #expect(try await Self.count(first, "SELECT count(*)::bigint FROM orders") == 2)
            try await first.close()
            try await second.close()
        }
    }

    @Test("migrations: two instances starting together, and running them again, apply each once; the invariants are CHECKs")
    func migrationsAreIdempotent() async throws {
        try await PostgresTestCluster.with { cluster in
            async let a = cluster.store()
            async let b = cluster.store(url: cluster.socketURL)
            let (first, second) = try await (a, b)
            #expect(try await Self.count(first, "SELECT count(*)::bigint FROM schema_migrations") == PostgresMigrations.all.count)
            let tables: PostgresQuery = "SELECT count(*)::bigint FROM pg_tables WHERE schemaname = 'public'"
            let before = try await Self.count(first, tables)
            #expect(try await PostgresMigrations.migrate(first.client.client, logger: first.logger) == [])
            #expect(try await Self.count(first, tables) == before)
            #expect(try await Self.count(first, "SELECT count(*)::bigint FROM schema_migrations") == PostgresMigrations.all.count)

            try await first.seedStock(["X": 3])
            for broken: PostgresQuery in [
                "UPDATE stock SET available = available - 1 WHERE sku = 'X'",  // received = available + reserved + sold
                "UPDATE stock SET available = -1, received = -1 WHERE sku = 'X'",  // available >= 0
                "UPDATE stock SET reserved = -1, available = 4 WHERE sku = 'X'",  // reserved >= 0
                "UPDATE stock SET sold = -1, available = 4 WHERE sku = 'X'",  // sold >= 0
            ] {
                do {
                    try await first.client.query(broken)
                    Issue.record("the database took \(broken.sql)")
                } catch {
                    #expect(PostgresTransaction.sqlState(error) == "23514", "\(String(reflecting: error))")
                }
            }
            #expect(try await first.stockLevels()["X"] == StockLevel(sku: "X", available: 3, reserved: 0, sold: 0, received: 3))
            try await first.close()
            try await second.close()
        }
    }

    @Test("serialization failures and deadlocks are retried in a fresh transaction and counted; other errors are not")
    func retries() async throws {
        try await PostgresTestCluster.with { cluster in
            let store = try await cluster.store()
            try await store.client.query("CREATE TABLE attempts (n BIGINT)")
            for code in ["40001", "40P01"] {
                let before = store.retriedTransactions
                // Fails with `code` on the first run; the row written before the failure is rolled back.
                let value = try await store.transaction { connection in
                    try await connection.query("INSERT INTO attempts VALUES (1)", logger: store.logger)
                    var runs = 0
                    for try await n in try await connection.query("SELECT count(*)::bigint FROM attempts", logger: store.logger).decode(Int.self) { runs = n }
                    let failing: PostgresQuery = "DO $$ BEGIN RAISE EXCEPTION 'conflict' USING ERRCODE = '\(unescaped: code)'; END $$"
                    if try await Self.count(store, "SELECT count(*)::bigint FROM pg_tables WHERE tablename = 'retried_once'") == 0 {
                        try await store.client.query("CREATE TABLE retried_once (n BIGINT)")
                        try await connection.query(failing, logger: store.logger)
                    }
                    return runs
                }
                #expect(value == 1, "the failed attempt's row was rolled back")
                #expect(store.retriedTransactions == before + 1, "\(code)")
                try await store.client.query("DROP TABLE retried_once")
                try await store.client.query("DELETE FROM attempts")
            }
            let before = store.retriedTransactions
            await #expect(throws: (any Error).self) {
                try await store.transaction { connection in
                    try await connection.query("DO $$ BEGIN RAISE EXCEPTION 'always' USING ERRCODE = '40001'; END $$", logger: store.logger)
                }
            }
            #expect(store.retriedTransactions == before + UInt64(PostgresTransaction.maximumAttempts - 1))
            let other = store.retriedTransactions
            await #expect(throws: (any Error).self) {
                try await store.transaction { connection in try await connection.query("SELECT 1 / 0", logger: store.logger) }
            }
            #expect(store.retriedTransactions == other)
            try await store.close()
        }
    }
}
