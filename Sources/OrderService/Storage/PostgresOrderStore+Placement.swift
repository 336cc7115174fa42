import Foundation
import Logging
import NIOCore
import PostgresNIO
import StoreModel

/// A new order in one statement: `storefront_place_order` (migration v6) takes the idempotency
/// key, reserves the stock (in SKU order, each a conditional `UPDATE`), and writes the order, its
/// lines, its first event and its outbox events, all in the statement's own transaction: one
/// round trip, no `BEGIN`/`COMMIT`. The decisions are still Swift's: the stock moves come from
/// `StatusRules.reservation`, the events and their payloads from `NotificationRules` and
/// `EventPayload`. When a low-stock alert or re-arm is due, the function changes nothing, and the
/// store runs it again in a transaction without that pre-check, followed by `checkLowStock`,
/// where `NotificationRules.stockAlert` decides.
extension PostgresOrderStore {
    /// What the one statement did.
    enum OneStatementPlacement: Sendable {
        case created
        /// The idempotency key was taken by a transaction that committed meanwhile.
        case keyTaken
        /// A low-stock alert or re-arm is due: nothing was written.
        case needsTransaction
    }

    /// Places `new` with one call of `storefront_place_order`; throws `insufficientStock` (nothing
    /// written) when a tracked SKU lacks units. Without `checkingLowStock` it never answers
    /// `needsTransaction` (the caller checks the stock alerts itself).
    static func placeInOneStatement(
        _ new: NewOrder, idempotency: IdempotencyDraft?, outbox: OutboxContext, encoded: [NotificationEventType: SQLiteOrderStore.PreparedEvent],
        checkingLowStock: Bool = true, _ connection: PostgresConnection, _ logger: Logger
    ) async throws -> OneStatementPlacement {
        let order = new.order
        let moves = StatusRules.reservation(of: order)
        let events = NotificationRules.orderEvents(before: nil, after: order).compactMap { type in encoded[type].map { (type, $0) } }
        let rules = checkingLowStock ? moves.compactMap { move in outbox.lowStock[move.sku].map { (move.sku, $0.threshold) } } : []
        let text: [String] = [
            order.id, order.status.rawValue, order.paymentMethod.rawValue, order.total.currency.code, order.catalogVersion, order.customer.name,
            order.customer.email, order.customer.email.lowercased(), order.customer.phone, order.customer.phone.filter(\.isASCIIDigit),
            order.shippingAddress.postalCode, order.shippingAddress.city, order.shippingAddress.address, order.note, order.paymentState.rawValue,
        ]
        let amounts: [Int64] = [order.subtotal.minorUnits, order.shipping.minorUnits, order.total.minorUnits, order.createdAt.millis, order.updatedAt.millis]
        let lines = order.lines
        var bindings = PostgresBindings(capacity: 21)
        try bindings.append(text)
        try bindings.append(amounts)
        try bindings.append(order.expiresAt?.millis)
        try bindings.append(lines.map(\.sku))
        try bindings.append(lines.map(\.title))
        try bindings.append(lines.map { Int64($0.quantity) })
        try bindings.append(lines.map(\.unitPrice.minorUnits))
        try bindings.append(lines.map(\.lineTotal.minorUnits))
        try bindings.append(lines.map { OrderLineOptions.column($0.options) })
        try bindings.append(moves.map(\.sku))
        try bindings.append(moves.map { Int64($0.quantity) })
        try bindings.append(idempotency?.key)
        try bindings.append(idempotency?.requestHash)
        try bindings.append(idempotency.map { Int64($0.responseStatus) })
        try bindings.append(idempotency?.responseBody)
        try bindings.append(events.map(\.1.id))
        try bindings.append(events.map(\.0.rawValue))
        try bindings.append(events.map { ByteBuffer(bytes: $0.1.payload) })
        try bindings.append(!outbox.mayNotify)
        try bindings.append(rules.map(\.0))
        try bindings.append(rules.map { Int64($0.1) })
        do {
            for try await outcome in try await connection.execute(PlaceOrderStatement(bindings: bindings), logger: logger) {
                return outcome == "key_taken" ? .keyTaken : .created
            }
            throw StoreError.corruptRow("storefront_place_order returned no row")
        } catch let error as PSQLError where PostgresTransaction.sqlState(error) == "SF001" {
            return .needsTransaction
        } catch let error as PSQLError where PostgresTransaction.sqlState(error) == "SF002" {
            let detail = Data((error.serverInfo?[.detail] ?? "{}").utf8)
            throw StoreError.insufficientStock((try? JSONDecoder().decode([String: Int].self, from: detail)) ?? [:])
        }
    }
}

/// The call of `storefront_place_order`, prepared once per connection: each order then sends only
/// its values, and PostgreSQL neither parses nor plans the call again.
struct PlaceOrderStatement: PostgresPreparedStatement {
    static let name = "storefront_place_order_v6"
    static let sql = "SELECT storefront_place_order(" + (1...21).map { "$\($0)" }.joined(separator: ", ") + ")"
    /// The function's parameters (migration v6), so a first call with NULLs prepares the same statement.
    static let bindingDataTypes: [PostgresDataType] = [
        .textArray, .int8Array, .int8, .textArray, .textArray, .int8Array, .int8Array, .int8Array, .textArray, .textArray, .int8Array,
        .text, .text, .int8, .bytea, .textArray, .textArray, .byteaArray, .bool, .textArray, .int8Array,
    ]
    typealias Row = String

    /// The values, in the order of `bindingDataTypes`.
    let bindings: PostgresBindings

    func makeBindings() throws -> PostgresBindings { bindings }
    func decodeRow(_ row: PostgresRow) throws -> String { try row.decode(String.self) }
}
