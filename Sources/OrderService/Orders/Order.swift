import Foundation
import StoreModel

/// A placed order as stored: priced lines, totals, the shopper's details and its state.
public struct Order: Sendable, Hashable {
    /// The unguessable order id (also the gateway trade number).
    public var id: String
    /// The current state.
    public var status: OrderStatus
    /// How the shopper pays.
    public var paymentMethod: PaymentMethod
    /// The priced lines, in the cart's order.
    public var lines: [PricedLine]
    /// The sum of the line totals.
    public var subtotal: Money
    /// The shipping fee.
    public var shipping: Money
    /// `subtotal + shipping`.
    public var total: Money
    /// The catalog version the order was priced from.
    public var catalogVersion: String
    /// Who ordered.
    public var customer: Customer
    /// Where to ship.
    public var shippingAddress: ShippingAddress
    /// The shopper's note.
    public var note: String
    /// When the order was placed.
    public var createdAt: Date
    /// When the order last changed.
    public var updatedAt: Date
    /// When an unpaid order expires; `nil` when it never does (cash on delivery).
    public var expiresAt: Date?
    /// The courier's tracking number, once shipped.
    public var trackingNumber: String?
    /// Set when something needs the owner's attention (for example a payment after expiry).
    public var needsReview: Bool
    /// Payment instructions from the gateway (ATM account), when there are any.
    public var paymentInstructions: PaymentInstructions?
    /// Where the payment stands (beside the status: ATM account issued, paid late, …).
    public var paymentState: PaymentState = .pending
    /// The payment attempt (gateway reference) whose payment the order records.
    public var paymentReference: String?
    /// Why the order needs review, when it does.
    public var reviewReason: String?

    /// The currency of every amount of the order.
    public var currency: Currency { total.currency }
}
