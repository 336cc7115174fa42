import Foundation
import StoreModel

/// A validated, priced order that is ready to be stored.
public struct NewOrder: Sendable, Hashable {
    /// The fresh order id.
    public var id: String
    /// How the shopper pays.
    public var paymentMethod: PaymentMethod
    /// The priced lines.
    public var lines: [OrderLine]
    /// The sum of the lines.
    public var subtotal: Money
    /// The shipping fee.
    public var shipping: Money
    /// `subtotal + shipping`.
    public var total: Money
    /// The catalog version of the prices.
    public var catalogVersion: String
    /// The shopper.
    public var customer: Customer
    /// Where to ship.
    public var shippingAddress: ShippingAddress
    /// The shopper's note.
    public var note: String
    /// The placement time.
    public var createdAt: Date
    /// When it expires unpaid, if ever.
    public var expiresAt: Date?

    /// The quantity per SKU (lines with the same SKU are added up), for stock reservation.
    public var quantitiesBySKU: [String: Int] {
        lines.reduce(into: [:]) { $0[$1.sku, default: 0] += $1.quantity }
    }

    /// The order as it is once stored.
    public var asCreatedOrder: Order {
        Order(
            id: id, status: .created, paymentMethod: paymentMethod, lines: lines, subtotal: subtotal, shipping: shipping,
            total: total, catalogVersion: catalogVersion, customer: customer, shippingAddress: shippingAddress, note: note,
            createdAt: createdAt, updatedAt: createdAt, expiresAt: expiresAt, trackingNumber: nil, needsReview: false,
            paymentInstructions: nil, paymentState: .initial(for: paymentMethod))
    }
}

/// The idempotency record to store with a new order.
public struct IdempotencyDraft: Sendable, Hashable {
    /// The client's `Idempotency-Key`.
    public var key: String
    /// SHA-256 of the request body, hex.
    public var requestHash: String
    /// The response status to replay.
    public var responseStatus: Int
    /// The response body to replay.
    public var responseBody: Data
}

/// A stored idempotency record.
public struct IdempotencyRecord: Sendable, Hashable {
    /// The client's key.
    public var key: String
    /// SHA-256 of the first request body, hex.
    public var requestHash: String
    /// The first response's status.
    public var responseStatus: Int
    /// The first response's body.
    public var responseBody: Data
    /// The order the key created.
    public var orderID: String?
}

/// The result of trying to store a new order.
public enum CreateOrderOutcome: Sendable {
    /// The order was stored and its stock reserved.
    case created(Order)
    /// The idempotency key was already used; here is its record (checked inside the transaction).
    case replay(IdempotencyRecord)
}
