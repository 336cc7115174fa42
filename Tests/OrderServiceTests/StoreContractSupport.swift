import Foundation
import GRDB
import PostgresNIO
import StoreModel
import Testing

@testable import OrderService

/// Orders, reports and raw reads for the store contract tests, the same for every `StoreKind`.
enum Contract {
    /// The shop's currency.
    static let twd = Currency(code: "TWD")!
    /// E-mail on, so every event the stores record lands in the outbox.
    static let routing = NotificationRouting(emailEnabled: true, ownerEmails: ["owner@example.com"])

    /// A new order: `lines` of (SKU, quantity) at `unitMinor` each.
    static func order(
        _ lines: [(String, Int)] = [("X", 2)], id: String = OrderID.make(), unitMinor: Int64 = 100, method: PaymentMethod = .creditCard,
        email: String = "e@example.com",
        phone: String = "0912345678", createdAt: Date = Date(millis: 1_000), expiresAt: Date? = nil, currency: Currency = Contract.twd
    ) -> NewOrder {
        let price = Money(minorUnits: unitMinor, currency: currency)
        let priced = lines.map { PricedLine(sku: $0.0, title: $0.0, quantity: $0.1, unitPrice: price, lineTotal: price * $0.1) }
        let total = price * lines.reduce(0) { $0 + $1.1 }
        let cart = PricedCart(lines: priced, subtotal: total, shipping: .zero(currency), total: total, catalogVersion: "v")
        return NewOrder(
            id: id, paymentMethod: method, cart: cart, customer: Customer(name: "n", email: email, phone: phone),
            shippingAddress: ShippingAddress(postalCode: "", city: "c", address: "a"), note: "", createdAt: createdAt, expiresAt: expiresAt)
    }

    /// Stores `new` and returns it, failing the test when it was not created.
    @discardableResult
    static func place(_ new: NewOrder, in store: any OrderStore, sourceLocation: SourceLocation = #_sourceLocation) async throws -> Order {
        guard case .created(let order) = try await store.createOrder(new, idempotency: nil) else {
            Issue.record("not created", sourceLocation: sourceLocation)
            return new.order
        }
        return order
    }

    /// An admin change of `id` to `status` at second `second`.
    static func admin(
        _ id: String, to status: OrderStatus, at second: Double = 2, tracking: String? = nil, expectedFrom: OrderStatus? = nil
    )
        -> StatusChange
    {
        StatusChange(
            orderID: id, to: status, role: .admin, actor: "admin:1", note: "by hand", trackingNumber: tracking, at: Date(timeIntervalSince1970: second),
            expectedFrom: expectedFrom)
    }

    /// A payment attempt `reference` for `order`, made at second `second`.
    static func attempt(_ reference: String, order: String, gateway: PaymentGateway = .ecpay, at second: Double = 1) -> PaymentAttempt {
        PaymentAttempt(reference: reference, orderID: order, gateway: gateway, amountMinor: 200, createdAt: Date(timeIntervalSince1970: second))
    }

    /// A report of `kind` about attempt `reference` of `order`, received at second `second`.
    static func report(
        _ kind: PaymentReport.Kind, reference: String, order: String, eventID: String? = nil, simulated: Bool = false, at second: Double = 3,
        gateway: PaymentGateway = .ecpay
    ) -> PaymentReport {
        PaymentReport(
            gateway: gateway, source: "notify", attempt: attempt(reference, order: order, gateway: gateway), kind: kind, gatewayTradeNo: "T1",
            eventID: eventID, simulated: simulated, raw: "raw \(reference)", receivedAt: Date(timeIntervalSince1970: second))
    }

    /// One recorded outbox event.
    struct OutboxEvent: Sendable, Hashable {
        var type: String
        var orderID: String?
        var payload: Data

        var stock: StockData? { (try? EventPayload.decode(payload))?.data.stock }
        var reviewReason: String? { (try? EventPayload.decode(payload))?.data.reviewReason }
    }

    /// The outbox events, oldest first, read straight from the database.
    static func outbox(_ store: any OrderStore) async throws -> [OutboxEvent] {
        if let sqlite = store as? SQLiteOrderStore {
            return try await sqlite.pool.read { db in
                try Row.fetchAll(db, sql: "SELECT type, order_id, payload FROM outbox_events ORDER BY seq").map {
                    OutboxEvent(type: $0["type"], orderID: $0["order_id"], payload: $0["payload"])
                }
            }
        }
        let postgres = try #require(store as? PostgresOrderStore)
        var events: [OutboxEvent] = []
        let rows = try await postgres.client.query("SELECT type, order_id, payload FROM outbox_events ORDER BY seq")
        for try await (type, orderID, payload) in rows.decode((String, String?, Data).self) {
            events.append(OutboxEvent(type: type, orderID: orderID, payload: payload))
        }
        return events
    }

    /// The outbox event types of one order, oldest first.
    static func outboxTypes(_ store: any OrderStore, order: String) async throws -> [String] {
        try await outbox(store).filter { $0.orderID == order }.map(\.type)
    }
}
