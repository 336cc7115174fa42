import Foundation
import Logging
import PostgresNIO
import StoreModel

// MARK: - Stock moves

extension PostgresOrderStore {
    /// Makes the stock moves, each a conditional `UPDATE`; throws `insufficientStock` (with the
    /// units available) for the SKUs whose move needed more available units than there are.
    static func move(_ moves: [StatusRules.StockMove], _ connection: PostgresConnection, _ logger: Logger) async throws {
        var short: [String: Int] = [:]
        for move in moves {
            let from = SQLiteOrderStore.column(move.from)
            let to = SQLiteOrderStore.column(move.to)
            let query: PostgresQuery =
                move.needsAvailableStock
                ? """
                UPDATE stock SET \(unescaped: from) = \(unescaped: from) - \(move.quantity), \(unescaped: to) = \(unescaped: to) + \(move.quantity)
                WHERE sku = \(move.sku) AND available >= \(move.quantity) RETURNING sku
                """
                : """
                UPDATE stock SET \(unescaped: from) = \(unescaped: from) - \(move.quantity), \(unescaped: to) = \(unescaped: to) + \(move.quantity)
                WHERE sku = \(move.sku) RETURNING sku
                """
            var moved = false
            for try await _ in try await connection.query(query, logger: logger) { moved = true }
            guard !moved, move.needsAvailableStock else { continue }
            // No row moved: an untracked SKU (no row, unlimited) or too few units.
            for try await available in try await connection.query("SELECT available FROM stock WHERE sku = \(move.sku)", logger: logger).decode(Int.self) {
                short[move.sku] = available
            }
        }
        if !short.isEmpty { throw StoreError.insufficientStock(short) }
    }
}

// MARK: - Outbox events inside a transaction

extension PostgresOrderStore {
    /// Records the events of `before` becoming `after`, as `SQLiteOrderStore.recordOrderEvents` does.
    static func recordOrderEvents(
        before: Order?, after: Order, at: Date, _ outbox: OutboxContext, _ connection: PostgresConnection, _ logger: Logger,
        reviewReason: String? = nil
    ) async throws {
        for type in NotificationRules.orderEvents(before: before, after: after) {
            try await recordEvent(
                type, data: SQLiteOrderStore.orderData(type, after, reviewReason: reviewReason), orderID: after.id, shopper: after, at: at, outbox,
                connection, logger)
        }
    }

    /// Records one event, as `SQLiteOrderStore.recordEvent` does: its deliveries are made by
    /// `fanOutEvents`, or at once (returning their ids) with `onlyEndpoint` (the admin's test
    /// message) or `fanOutNow` (an owner alert). Nothing when nobody could hear of it (e-mail off and no endpoint).
    @discardableResult
    static func recordEvent(
        _ type: NotificationEventType, data: @autoclosure () -> EventData, orderID: String?, shopper: Order?, at: Date, _ outbox: OutboxContext,
        _ connection: PostgresConnection, _ logger: Logger, onlyEndpoint: WebhookEndpoint? = nil, fanOutNow: Bool = false
    ) async throws -> [Int64] {
        let immediate = onlyEndpoint != nil || fanOutNow
        // Without e-mail and without an endpoint this instance knows of, the event is kept only
        // when another instance added an endpoint: checked in the same statement.
        let onlyWithEndpoints = !immediate && !outbox.mayNotify
        let payload = try EventPayload(type: type.rawValue, timestamp: EventPayload.timestamp(at), data: data()).encoded()
        let eventID = SQLiteOrderStore.PreparedEvent.newID()
        let inserted = try await connection.query(
            """
            INSERT INTO outbox_events (id, type, order_id, created_at, payload, shopper_email, payment_method, fanned_out)
            SELECT \(eventID), \(type.rawValue), \(orderID), \(at.millis), \(payload), \(shopper?.customer.email), \(shopper?.paymentMethod.rawValue),
                \(immediate)
            WHERE NOT \(onlyWithEndpoints) OR EXISTS (SELECT 1 FROM webhook_endpoints WHERE enabled AND deleted_at IS NULL)
            RETURNING seq
            """, logger: logger)
        var seq: Int64?
        for try await value in inserted.decode(Int64.self) { seq = value }
        guard let seq else { return [] }
        guard immediate else { return [] }
        let destinations = NotificationRules.immediateDestinations(
            of: type, onlyEndpoint: onlyEndpoint, shopper: shopper, routing: outbox.routing, endpoints: try await activeEndpoints(connection, logger))
        return try await insertDeliveries(destinations, eventSeq: seq, createdAt: at, due: at, connection, logger)
    }

    static func hasActiveEndpoints(_ connection: PostgresConnection, _ logger: Logger) async throws -> Bool {
        let rows = try await connection.query(
            "SELECT EXISTS (SELECT 1 FROM webhook_endpoints WHERE enabled AND deleted_at IS NULL)", logger: logger)
        for try await exists in rows.decode(Bool.self) { return exists }
        return false
    }

    /// Fires or re-arms `stock.low` for `skus` after their available stock changed, as `NotificationRules.stockAlert` says.
    static func checkLowStock(
        _ skus: some Sequence<String>, at: Date, _ outbox: OutboxContext, _ connection: PostgresConnection, _ logger: Logger
    ) async throws {
        for sku in Set(skus).sorted() {
            guard let rule = outbox.lowStock[sku] else { continue }
            var current: (available: Int, alerted: Bool)?
            for try await row in try await connection.query("SELECT available, low_alerted FROM stock WHERE sku = \(sku)", logger: logger).decode(
                (Int, Bool).self)
            {
                current = row
            }
            guard let current else { continue }
            switch NotificationRules.stockAlert(available: current.available, threshold: rule.threshold, alerted: current.alerted) {
            case .none:
                continue
            case .rearm:
                try await connection.query("UPDATE stock SET low_alerted = FALSE WHERE sku = \(sku)", logger: logger)
            case .alert:
                try await connection.query("UPDATE stock SET low_alerted = TRUE WHERE sku = \(sku)", logger: logger)
                let data = EventData(stock: StockData(sku: sku, title: rule.title, available: current.available, threshold: rule.threshold))
                try await recordEvent(.stockLow, data: data, orderID: nil, shopper: nil, at: at, outbox, connection, logger)
            }
        }
    }
}

// MARK: - Reading

extension PostgresOrderStore {
    static func order(_ connection: PostgresConnection, id: String, _ logger: Logger) async throws -> Order {
        var found: PostgresRandomAccessRow?
        for try await row in try await connection.query("SELECT * FROM orders WHERE id = \(id)", logger: logger) { found = row.makeRandomAccess() }
        guard let row = found else { throw StoreError.orderNotFound }
        guard let status = OrderStatus(rawValue: try row["status"].decode(String.self)),
            let method = PaymentMethod(rawValue: try row["payment_method"].decode(String.self)),
            let currency = Currency(code: try row["currency"].decode(String.self))
        else { throw StoreError.corruptRow("orders \(id)") }
        var lines: [PricedLine] = []
        let lineRows = try await connection.query(
            "SELECT sku, title, quantity, unit_price_minor, line_total_minor, options FROM order_lines WHERE order_id = \(id) ORDER BY position",
            logger: logger)
        for try await (sku, title, quantity, unitPrice, lineTotal, options) in lineRows.decode((String, String, Int, Int64, Int64, String).self) {
            lines.append(
                PricedLine(
                    sku: sku, title: title, quantity: quantity, unitPrice: Money(minorUnits: unitPrice, currency: currency),
                    lineTotal: Money(minorUnits: lineTotal, currency: currency), options: try OrderLineOptions.parse(options, row: "order_lines \(id)")))
        }
        func money(_ column: String) throws -> Money { Money(minorUnits: try row[column].decode(Int64.self), currency: currency) }
        func text(_ column: String) throws -> String { try row[column].decode(String.self) }
        return Order(
            id: id, status: status, paymentMethod: method, lines: lines, subtotal: try money("subtotal_minor"), shipping: try money("shipping_minor"),
            total: try money("total_minor"), catalogVersion: try text("catalog_version"),
            customer: Customer(name: try text("customer_name"), email: try text("customer_email"), phone: try text("customer_phone")),
            shippingAddress: ShippingAddress(postalCode: try text("postal_code"), city: try text("city"), address: try text("address")),
            note: try text("note"), createdAt: Date(millis: try row["created_at"].decode(Int64.self)),
            updatedAt: Date(millis: try row["updated_at"].decode(Int64.self)), expiresAt: try row["expires_at"].decode(Int64?.self).map(Date.init(millis:)),
            trackingNumber: try row["tracking_number"].decode(String?.self), needsReview: try row["needs_review"].decode(Bool.self),
            paymentInstructions: PaymentInstructions.stored(try row["payment_info"].decode(String?.self)),
            paymentState: PaymentState(rawValue: try text("payment_state")) ?? .pending,
            paymentReference: try row["payment_reference"].decode(String?.self), reviewReason: try row["review_reason"].decode(String?.self))
    }

    static func events(_ connection: PostgresConnection, orderID: String, _ logger: Logger) async throws -> [OrderEvent] {
        let rows = try await connection.query(
            "SELECT at, actor, from_status, to_status, note FROM order_events WHERE order_id = \(orderID) ORDER BY seq", logger: logger)
        var events: [OrderEvent] = []
        for try await (at, actor, from, to, note) in rows.decode((Int64, String, String?, String, String).self) {
            guard let toStatus = OrderStatus(rawValue: to) else { throw StoreError.corruptRow("order_events.to_status") }
            events.append(OrderEvent(at: Date(millis: at), actor: actor, from: from.flatMap(OrderStatus.init(rawValue:)), to: toStatus, note: note))
        }
        return events
    }

    static func idempotencyRecord(_ connection: PostgresConnection, key: String, _ logger: Logger) async throws -> IdempotencyRecord? {
        let rows = try await connection.query(
            "SELECT key, request_hash, response_status, response_body, order_id FROM idempotency_keys WHERE key = \(key)", logger: logger)
        for try await (key, hash, status, body, orderID) in rows.decode((String, String, Int, Data, String?).self) {
            return IdempotencyRecord(key: key, requestHash: hash, responseStatus: status, responseBody: body, orderID: orderID)
        }
        return nil
    }
}
