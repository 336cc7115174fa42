import Foundation
import Logging
import PostgresNIO
import StoreModel

// The admin's views: the order list, stock changes, the statistics for metrics.

extension PostgresOrderStore {
    /// The page, read in one snapshot. Ids compare byte by byte (`COLLATE "C"`), as in SQLite, so
    /// the order and the cursor do not depend on the database's collation.
    public func listOrders(_ query: OrderQuery) async throws -> OrderPage {
        var bindings = PostgresBindings()
        func bind(_ value: some PostgresDynamicTypeEncodable) -> String {
            bindings.append(value)
            return "$\(bindings.count)"
        }
        var clauses: [String] = []
        if let status = query.status { clauses.append("status = \(bind(status.rawValue))") }
        if let from = query.from { clauses.append("created_at >= \(bind(from.millis))") }
        if let to = query.to { clauses.append("created_at < \(bind(to.millis))") }
        if let search = OrderSearch(query.search) {
            var alternatives = ["id = \(bind(search.id))", "customer_email_lower LIKE \(bind(search.emailPattern)) ESCAPE '\\'"]
            if let phone = search.phonePattern { alternatives.append("customer_phone_digits LIKE \(bind(phone))") }
            clauses.append("(" + alternatives.joined(separator: " OR ") + ")")
        }
        if let cursor = query.cursor {
            let at = bind(cursor.createdAtMillis)
            clauses.append("(created_at < \(at) OR (created_at = \(at) AND id COLLATE \"C\" < \(bind(cursor.id))))")
        }
        let whereSQL = clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ")
        let limit = query.pageSize
        let select = PostgresQuery(
            unsafeSQL: "SELECT id FROM orders \(whereSQL) ORDER BY created_at DESC, id COLLATE \"C\" DESC LIMIT \(limit + 1)", binds: bindings)
        return try await client.withConnection { [self] connection in
            try await PostgresTransaction.snapshot(on: connection, logger: logger) { connection in
                var ids: [String] = []
                for try await id in try await connection.query(select, logger: logger).decode(String.self) {
                    ids.append(id)
                }
                var orders: [Order] = []
                for id in ids.prefix(limit) { orders.append(try await Self.order(connection, id: id, logger)) }
                return OrderPage(orders: orders, more: ids.count > limit)
            }
        }
    }

    public func setAvailableStock(sku: String, available: Int) async throws -> StockLevel {
        guard ProductRules.isValidStock(available) else { throw StoreError.invalidStock }
        let outbox = outboxContext
        return try await changing([]) {
            try await transaction { [self] connection in
                let rows = try await connection.query(
                    """
                    INSERT INTO stock (sku, available, reserved, sold, received) VALUES (\(sku), \(available), 0, 0, \(available))
                    ON CONFLICT (sku) DO UPDATE SET received = stock.received + (EXCLUDED.available - stock.available), available = EXCLUDED.available
                    RETURNING sku, available, reserved, sold, received
                    """, logger: logger)
                var level: StockLevel?
                for try await (sku, available, reserved, sold, received) in rows.decode((String, Int, Int, Int, Int).self) {
                    level = StockLevel(sku: sku, available: available, reserved: reserved, sold: sold, received: received)
                }
                guard let level else { throw StoreError.invalidStock }
                try await Self.checkLowStock([sku], at: Date(), outbox, connection, logger)
                return level
            }
        }
    }

    public func statistics() async throws -> OrderStatistics {
        try await client.withConnection { [self] connection in
            try await PostgresTransaction.snapshot(on: connection, logger: logger) { connection in
                var counts: [OrderStatus: Int] = [:]
                for try await (status, count) in try await connection.query(
                    "SELECT status, count(*) FROM orders GROUP BY status", logger: logger
                ).decode((String, Int).self) {
                    if let status = OrderStatus(rawValue: status) { counts[status] = count }
                }
                var revenue: [String: Int64] = [:]
                for try await (currency, sum) in try await connection.query(
                    "SELECT currency, sum(total_minor)::bigint FROM orders WHERE status IN ('paid', 'shipped', 'delivered') GROUP BY currency",
                    logger: logger
                ).decode((String, Int64).self) {
                    revenue[currency] = sum
                }
                return OrderStatistics(countsByStatus: counts, revenueMinorByCurrency: revenue)
            }
        }
    }
}
