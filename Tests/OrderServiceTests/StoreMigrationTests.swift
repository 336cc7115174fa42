import Foundation
import GRDB
import Logging
import PostgresNIO
import StoreModel
import Testing

@testable import OrderService

/// `order-api migrate-store`'s copier: a SQLite shop with rows in every table, copied into a fresh
/// PostgreSQL database and compared row for row and through the store API.
@Suite(
    "SQLite to PostgreSQL migration", .serialized, .timeLimit(.minutes(2)),
    .enabled(if: PostgresTestCluster.mayRun, PostgresTestCluster.skipReason)
)
struct StoreMigrationTests {
    static var logger: Logger {
        var logger = Logger(label: "migrate-test")
        logger.logLevel = .warning
        return logger
    }

    /// A SQLite shop in a temporary folder, with rows in every table; removed afterwards.
    static func withShop<T>(_ body: (String, SQLiteOrderStore) async throws -> T) async throws -> T {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("migrate-test-" + UUID().uuidString)
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let path = root.appendingPathComponent("orders.sqlite").path
        let store = try SQLiteOrderStore(path: path, logger: logger, notifications: NotificationRouting(emailEnabled: true, ownerEmails: ["owner@example.com"]))
        do {
            try await fill(store, path: path)
            let value = try await body(path, store)
            try await store.close()
            return value
        } catch {
            try? await store.close()
            throw error
        }
    }

    /// Orders in several states with events, payments, idempotency keys, outbox rows, deliveries and an endpoint.
    static func fill(_ store: SQLiteOrderStore, path: String) async throws {
        try await store.seedStock(["X": 50, "Y": 7])
        try await store.addWebhookEndpoint(
            WebhookEndpoint(
                id: "we_1", url: "https://hooks.example/1", events: nil, secret: "whsec_0123456789abcdef", enabled: true, disabledReason: nil,
                createdAt: Date(millis: 500)))
        var ids: [String] = []
        for (index, method) in [PaymentMethod.cashOnDelivery, .creditCard, .creditCard, .atm, .cashOnDelivery].enumerated() {
            let new = NewOrder.sample(
                quantity: index + 1, unitMinor: 100 * Int64(index + 1), method: method, expiresAt: method == .cashOnDelivery ? nil : Date(millis: 3_000))
            let draft = IdempotencyDraft(key: "key-\(index)", requestHash: "hash-\(index)", responseStatus: 201, responseBody: Data("{\"n\":\(index)}".utf8))
            guard case .created = try await store.createOrder(new, idempotency: draft) else { throw StoreMigration.Failure("fixture order not created") }
            ids.append(new.id)
        }
        _ = try await store.transition(StatusChange(orderID: ids[0], to: .cancelled, role: .admin, actor: "admin:test", note: "asked", at: Date(millis: 2_000)))
        try await store.recordPaymentAttempt(
            PaymentAttempt(reference: "ref-1", orderID: ids[1], gateway: .ecpay, amountMinor: 400, createdAt: Date(millis: 1_500)))
        try await store.recordPaymentRejection(
            PaymentRejection(
                gateway: .ecpay, source: "callback", orderID: ids[1], reference: "ref-1", reason: "bad mac", raw: "x=1", receivedAt: Date(millis: 1_600)))
        try await store.flagForReview(orderID: ids[3], actor: "system", note: "odd", at: Date(millis: 2_100))
        _ = try await store.recordAdminFailure(address: "203.0.113.9", at: Date(millis: 2_200), since: Date(millis: 0))
        _ = try await store.expireDueOrders(now: Date(millis: 5_000))
        _ = try await store.fanOutEvents(now: Date(millis: 5_000), limit: 1_000)
        let queue = try DatabaseQueue(path: path)
        let paid = ids[2]
        try await queue.write { db in
            try db.execute(sql: "INSERT INTO payment_events_seen (gateway, event_id, order_id, at) VALUES ('stripe', 'evt_1', ?, 1700)", arguments: [paid])
            try db.execute(sql: "UPDATE deliveries SET attempts = 2, last_error = 'timeout', lease_until = 9000 WHERE id = (SELECT min(id) FROM deliveries)")
            // AUTOINCREMENT remembers ids of deleted rows: PostgreSQL must not hand them out again.
            try db.execute(sql: "UPDATE sqlite_sequence SET seq = seq + 100 WHERE name = 'deliveries'")
        }
        try queue.close()
    }

    /// Every row of `table` on both sides, as text (integers in decimal, booleans 0/1, bytes in hex), sorted.
    static func sqliteRows(_ path: String, _ table: String, _ columns: [StoreMigration.Column]) throws -> [[String?]] {
        let queue = try DatabaseQueue(path: path)
        defer { try? queue.close() }
        let list = columns.map { $0.kind == .bytea ? "CASE WHEN \($0.name) IS NULL THEN NULL ELSE lower(hex(\($0.name))) END" : "CAST(\($0.name) AS TEXT)" }
        return try queue.read { db in
            try Row.fetchAll(db, sql: "SELECT \(list.joined(separator: ", ")) FROM \(table)").map { row in (0..<columns.count).map { row[$0] as String? } }
        }.sorted { $0.description < $1.description }
    }

    static func postgresRows(_ store: PostgresOrderStore, _ table: String, _ columns: [StoreMigration.Column]) async throws -> [[String?]] {
        let list = columns.map { column -> String in
            switch column.kind {
            case .bytea: "encode(\(column.name), 'hex')"
            case .boolean: "\(column.name)::int::text"
            default: "\(column.name)::text"
            }
        }
        // Each row as one JSON array of texts and nulls, so any number of columns decodes alike.
        let rows = try await store.client.query(PostgresQuery(unsafeSQL: "SELECT json_build_array(\(list.joined(separator: ", ")))::text FROM \(table)"))
        var result: [[String?]] = []
        for try await json in rows.decode(String.self) {
            let values = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [Any])
            result.append(values.map { $0 as? String })
        }
        return result.sorted { $0.description < $1.description }
    }

    static func targetColumns(_ store: PostgresOrderStore) async throws -> [String: [StoreMigration.Column]] {
        try await store.client.withConnection { connection in try await StoreMigration.columns(connection, logger: logger) }
    }

    static func counts(_ store: PostgresOrderStore) async throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for table in StoreMigration.tables {
            for try await value in try await store.client.query(PostgresQuery(unsafeSQL: "SELECT count(*) FROM \(table)")).decode(Int.self) {
                counts[table] = value
            }
        }
        return counts
    }

    static func settings(_ cluster: PostgresTestCluster) throws -> PostgresSettings {
        guard case .postgres(let settings) = try DatabaseLocation.parse(cluster.url, setting: "test") else { throw StoreMigration.Failure("not PostgreSQL") }
        return settings
    }

    /// Every table equal row for row on both sides.
    static func expectSameRows(_ path: String, _ target: PostgresOrderStore) async throws {
        let columns = try await targetColumns(target)
        for table in StoreMigration.tables {
            let columns = try #require(columns[table]).filter { !(StoreMigration.postgresOnlyColumns[table] ?? []).contains($0.name) }
            let source = try sqliteRows(path, table, columns)
            let copied = try await postgresRows(target, table, columns)
            #expect(!source.isEmpty, "the fixture has no row in \(table)")
            #expect(copied == source, "\(table) differs")
        }
    }

    @Test("every table is copied row for row, reads through PostgresOrderStore equal SQLite's, and ids continue past the copied ones")
    func copiesEveryTable() async throws {
        try await Self.withShop { path, sqlite in
            try await PostgresTestCluster.with { cluster in
                // Three rows per INSERT, so every table takes several batches.
                let report = try await StoreMigration.migrate(sqlite: path, to: try Self.settings(cluster), batchRows: 3, logger: Self.logger)
                #expect(report.rows.map(\.table) == StoreMigration.tables)
                #expect(report.rows.filter { $0.count > 3 }.count >= 4)
                #expect(report.summary.contains("\(StoreMigration.tables.count) tables, \(report.total) rows"))
                let target = try await cluster.store()
                do {
                    try await Self.expectSameRows(path, target)
                    let counts = try await Self.counts(target)
                    for row in report.rows { #expect(counts[row.table] == row.count) }

                    let page = try await sqlite.listOrders(OrderQuery(limit: 100))
                    #expect(page.orders.count == 5)
                    #expect(Set(page.orders.map(\.status)).isSuperset(of: [.cancelled, .expired, .created]))
                    for summary in page.orders {
                        #expect(try await target.order(id: summary.id) == sqlite.order(id: summary.id))
                        let (order, events) = try await target.orderWithEvents(id: summary.id)
                        let (expectedOrder, expectedEvents) = try await sqlite.orderWithEvents(id: summary.id)
                        #expect(order == expectedOrder && events == expectedEvents)
                    }
                    #expect(try await target.stockLevels() == sqlite.stockLevels())
                    #expect(try await target.idempotencyRecord(key: "key-2") == sqlite.idempotencyRecord(key: "key-2"))

                    // New rows get ids past every copied one (and past SQLite's remembered deliveries id).
                    let maxSeq = try await PostgresStoreTests.count(target, "SELECT max(seq) FROM order_events")
                    let new = NewOrder.sample(quantity: 1, unitMinor: 100, method: .cashOnDelivery)
                    _ = try await target.createOrder(new, idempotency: nil)
                    #expect(try await PostgresStoreTests.count(target, "SELECT min(seq) FROM order_events WHERE order_id = \(new.id)") == maxSeq + 1)
                    let deliveriesFloor = try await DatabaseQueue(path: path).read { db in
                        try Int.fetchOne(db, sql: "SELECT seq FROM sqlite_sequence WHERE name = 'deliveries'")
                    }
                    let nextDelivery = try await PostgresStoreTests.count(target, "SELECT nextval(pg_get_serial_sequence('deliveries', 'id'))")
                    #expect(nextDelivery == (deliveriesFloor ?? 0) + 1)
                    try await target.close()
                } catch {
                    try? await target.close()
                    throw error
                }
            }
        }
    }

    @Test("a target holding any row is refused and left as it was")
    func refusesANonEmptyTarget() async throws {
        try await Self.withShop { path, _ in
            try await PostgresTestCluster.with { cluster in
                let target = try await cluster.store()
                try await target.seedStock(["OTHER": 3])
                let failure = await #expect(throws: StoreMigration.Failure.self) {
                    try await StoreMigration.migrate(sqlite: path, to: try Self.settings(cluster), logger: Self.logger)
                }
                #expect(failure?.description.contains("is not empty: stock (1 rows)") == true)
                var expected = Dictionary(uniqueKeysWithValues: StoreMigration.tables.map { ($0, 0) })
                expected["stock"] = 1
                #expect(try await Self.counts(target) == expected)
                #expect(try await target.stockLevels() == ["OTHER": StockLevel(sku: "OTHER", available: 3, reserved: 0, sold: 0, received: 3)])
                try await target.close()
            }
        }
    }

    @Test("a failure half-way (a row PostgreSQL refuses) keeps nothing, and a rerun after the fix copies everything")
    func failureKeepsNothing() async throws {
        try await Self.withShop { path, _ in
            var configuration = Configuration()
            configuration.foreignKeysEnabled = false
            let raw = try DatabaseQueue(path: path, configuration: configuration)
            try await raw.write { db in
                try db.execute(
                    sql:
                        "INSERT INTO payment_attempts (reference, order_id, gateway, amount_minor, created_at) VALUES ('orphan', 'no-such-order', 'ecpay', 1, 1)"
                )
            }
            try await PostgresTestCluster.with { cluster in
                let failure = await #expect(throws: StoreMigration.Failure.self) {
                    try await StoreMigration.migrate(sqlite: path, to: try Self.settings(cluster), logger: Self.logger)
                }
                #expect(failure?.description.contains("payment_attempts") == true)
                #expect(failure?.description.contains("storefront:storefront") == false, "a message never holds the password")
                let target = try await cluster.store()
                #expect(try await Self.counts(target).values.allSatisfy { $0 == 0 })

                try await raw.write { db in try db.execute(sql: "DELETE FROM payment_attempts WHERE reference = 'orphan'") }
                try raw.close()
                let report = try await StoreMigration.migrate(sqlite: path, to: try Self.settings(cluster), logger: Self.logger)
                #expect(report.total > 0)
                try await Self.expectSameRows(path, target)
                try await target.close()
            }
        }
    }

    @Test("a SQLite table the copier does not know stops the copy before anything is written")
    func unknownTableStops() async throws {
        try await Self.withShop { path, _ in
            let raw = try DatabaseQueue(path: path)
            try await raw.write { db in try db.execute(sql: "CREATE TABLE gift_cards (code TEXT PRIMARY KEY) STRICT") }
            try raw.close()
            try await PostgresTestCluster.with { cluster in
                let failure = await #expect(throws: StoreMigration.Failure.self) {
                    try await StoreMigration.migrate(sqlite: path, to: try Self.settings(cluster), logger: Self.logger)
                }
                #expect(failure?.description.contains("tables the copier does not know: gift_cards") == true)
                let target = try await cluster.store()
                #expect(try await Self.counts(target).values.allSatisfy { $0 == 0 })
                try await target.close()
            }
        }
    }
}
