import Foundation
import StoreModel

/// A validated, priced order that is ready to be stored: the order as it is once stored, in state
/// `created`, with its stock still to reserve.
public struct NewOrder: Sendable, Hashable {
    /// The order as it is once stored.
    public private(set) var order: Order

    /// A new order of a priced cart, placed at `createdAt`, expiring unpaid at `expiresAt` (if ever).
    public init(
        id: String, paymentMethod: PaymentMethod, cart: PricedCart, customer: Customer, shippingAddress: ShippingAddress, note: String,
        createdAt: Date, expiresAt: Date?
    ) {
        order = Order(
            id: id, status: .created, paymentMethod: paymentMethod, lines: cart.lines, subtotal: cart.subtotal, shipping: cart.shipping,
            total: cart.total, catalogVersion: cart.catalogVersion, customer: customer, shippingAddress: shippingAddress, note: note,
            createdAt: createdAt, updatedAt: createdAt, expiresAt: expiresAt, trackingNumber: nil, needsReview: false,
            paymentInstructions: nil, paymentState: .initial(for: paymentMethod))
    }

    /// The fresh order id.
    public var id: String { order.id }
}

/// The result of trying to store a new order.
public enum CreateOrderOutcome: Sendable {
    /// The order was stored and its stock reserved.
    case created(Order)
    /// The idempotency key was already used; here is its record (checked inside the transaction).
    case replay(IdempotencyRecord)
}
