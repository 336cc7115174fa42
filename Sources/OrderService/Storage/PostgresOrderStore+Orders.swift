import Foundation
import Logging
import PostgresNIO
import StoreModel

// Order changes. Every change that decides from the order's state locks its row first
// (`lockOrder`), so two instances never decide from the same old state.

extension PostgresOrderStore {
    public func updateIdempotencyResponse(key: String, body: Data) async throws {
        try await changing([]) {
            try await transaction { [self] connection in
                try await connection.query("UPDATE idempotency_keys SET response_body = \(body) WHERE key = \(key)", logger: logger)
            }
        }
    }

    public func transition(_ change: StatusChange) async throws -> Order {
        let outbox = outboxContext
        return try await changing([change.orderID]) {
            try await transaction { [self] connection in
                let order = try await Self.lockOrder(connection, id: change.orderID, logger)
                return try await Self.apply(change, to: order, outbox, connection, logger)
            }
        }
    }

    /// Expires the due orders one transaction each, as `SQLiteOrderStore` does. Every instance runs
    /// the sweep: a due order another instance holds locked (expiring or changing it) is skipped,
    /// and one no longer `created` is left alone, so each order expires, and gives its stock back, once.
    public func expireDueOrders(now: Date) async throws -> [String] {
        let rows = try await client.query(
            """
            SELECT id FROM orders WHERE status = 'created' AND expires_at IS NOT NULL AND expires_at <= \(now.millis)
            ORDER BY expires_at LIMIT \(StatusRules.expiryBatch)
            """, logger: logger)
        var due: [String] = []
        for try await id in rows.decode(String.self) { due.append(id) }
        let outbox = outboxContext
        var expired: [String] = []
        for id in due {
            let change = StatusRules.expiry(orderID: id, at: now)
            let done = try await changing([id]) {
                try await transaction { [self] connection in
                    let locked = try await connection.query(
                        """
                        SELECT id FROM orders WHERE id = \(id) AND status = 'created' AND expires_at IS NOT NULL AND expires_at <= \(now.millis)
                        FOR UPDATE SKIP LOCKED
                        """, logger: logger)
                    var found = false
                    for try await _ in locked { found = true }
                    guard found else { return false }
                    do {
                        _ = try await Self.apply(change, to: try await Self.order(connection, id: id, logger), outbox, connection, logger)
                        return true
                    } catch StoreError.illegalTransition {
                        return false  // paid or cancelled meanwhile
                    }
                }
            }
            if done { expired.append(id) }
        }
        return expired
    }

    public func recordPaymentInstructions(orderID: String, instructions: PaymentInstructions, at: Date) async throws {
        let json = try instructions.storedJSON()
        let outbox = outboxContext
        try await changing([orderID]) {
            try await transaction { [self] connection in
                let before = try await Self.lockOrder(connection, id: orderID, logger)
                try await connection.query("UPDATE orders SET payment_info = \(json), updated_at = \(at.millis) WHERE id = \(orderID)", logger: logger)
                let after = try await Self.order(connection, id: orderID, logger)
                try await Self.recordOrderEvents(before: before, after: after, at: at, outbox, connection, logger)
            }
        }
    }

    public func flagForReview(orderID: String, actor: String, note: String, at: Date) async throws {
        let outbox = outboxContext
        try await changing([orderID]) {
            try await transaction { [self] connection in
                let order = try await Self.lockOrder(connection, id: orderID, logger)
                try await connection.query("UPDATE orders SET needs_review = TRUE, updated_at = \(at.millis) WHERE id = \(orderID)", logger: logger)
                try await Self.appendEvent(connection, orderID: orderID, at: at, actor: actor, from: order.status, to: order.status, note: note, logger)
                let after = try await Self.order(connection, id: orderID, logger)
                try await Self.recordOrderEvents(before: order, after: after, at: at, outbox, connection, logger, reviewReason: note)
            }
        }
    }
}

// MARK: - Inside a transaction

extension PostgresOrderStore {
    /// Locks the order's row until the transaction ends (waiting for another transaction holding
    /// it), then reads the order as committed; throws `StoreError.orderNotFound`.
    static func lockOrder(_ connection: PostgresConnection, id: String, _ logger: Logger) async throws -> Order {
        var found = false
        for try await _ in try await connection.query("SELECT id FROM orders WHERE id = \(id) FOR UPDATE", logger: logger) { found = true }
        guard found else { throw StoreError.orderNotFound }
        return try await order(connection, id: id, logger)
    }

    /// Lets `StatusRules` decide `change` for `order` (read under its row lock) and stores the
    /// decision: the stock moves, the order's new state, its event and outbox events, the low-stock checks.
    static func apply(
        _ change: StatusChange, to order: Order, _ outbox: OutboxContext, _ connection: PostgresConnection, _ logger: Logger
    )
        async throws -> Order
    {
        let decision = try StatusRules.decide(order: order, change: change)
        try await move(decision.stockMoves, connection, logger)
        let after = decision.order
        try await connection.query(
            """
            UPDATE orders SET status = \(after.status.rawValue), updated_at = \(after.updatedAt.millis), tracking_number = \(after.trackingNumber),
                payment_state = \(after.paymentState.rawValue)
            WHERE id = \(order.id)
            """, logger: logger)
        try await appendEvent(
            connection, orderID: order.id, at: change.at, actor: change.actor, from: order.status, to: after.status, note: change.note, logger)
        try await recordOrderEvents(before: order, after: after, at: change.at, outbox, connection, logger)
        if !decision.stockMoves.isEmpty { try await checkLowStock(decision.stockMoves.map(\.sku), at: change.at, outbox, connection, logger) }
        return after
    }

    /// Appends one entry to the order's event log.
    static func appendEvent(
        _ connection: PostgresConnection, orderID: String, at: Date, actor: String, from: OrderStatus?, to: OrderStatus, note: String, _ logger: Logger
    ) async throws {
        try await connection.query(
            """
            INSERT INTO order_events (order_id, at, actor, from_status, to_status, note)
            VALUES (\(orderID), \(at.millis), \(actor), \(from?.rawValue), \(to.rawValue), \(note))
            """, logger: logger)
    }
}
