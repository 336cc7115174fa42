import Foundation
import StoreModel

/// Where an order's payment stands, beside its status (shown on the order page).
public enum PaymentState: String, Sendable, Hashable, Codable {
    /// Cash on delivery: paid to the courier.
    case onDelivery = "on_delivery"
    /// Waiting for the shopper to pay at the gateway.
    case pending
    /// ATM: the virtual account is issued, waiting for the transfer.
    case awaitingTransfer = "awaiting_transfer"
    /// Stripe: the shopper finished checkout with a delayed payment method.
    case processing
    /// Paid.
    case paid
    /// The payment failed.
    case failed
    /// Paid after the order had expired or was cancelled: the owner must review it.
    case late

    /// The state of a new order paid by `method`.
    public static func initial(for method: PaymentMethod) -> PaymentState {
        method.isOnline ? .pending : .onDelivery
    }
}

/// The gateways.
public enum PaymentGateway: String, Sendable, Hashable {
    /// ECPay (credit card, ATM).
    case ecpay
    /// Stripe Checkout.
    case stripe
}

/// One payment attempt: a gateway reference (ECPay `MerchantTradeNo`, Stripe session id) mapped to an order.
public struct PaymentAttempt: Sendable, Hashable {
    /// The gateway's reference for this attempt.
    public var reference: String
    /// The order it pays.
    public var orderID: String
    /// The gateway.
    public var gateway: PaymentGateway
    /// The amount asked, in the order's minor units.
    public var amountMinor: Int64
    /// When the attempt was made.
    public var createdAt: Date
}

/// A verified gateway report about one attempt, applied in one transaction with its audit record.
public struct PaymentReport: Sendable, Hashable {
    /// What the gateway says.
    public enum Kind: Sendable, Hashable {
        /// The money arrived.
        case paid
        /// The ATM virtual account was issued.
        case paymentInfo(ATMInstructions)
        /// Checkout finished; the payment is still on its way.
        case processing
        /// The payment failed (the order expires and its stock goes back).
        case failed
        /// The checkout session expired unpaid (the order expires and its stock goes back).
        case expired
    }

    /// The gateway.
    public var gateway: PaymentGateway
    /// Which channel it came through: `notify`, `payment-info`, `query`, `webhook`.
    public var source: String
    /// The attempt it is about.
    public var attempt: PaymentAttempt
    /// What happened.
    public var kind: Kind
    /// The gateway's own transaction number, when it gives one.
    public var gatewayTradeNo: String?
    /// The event id to deduplicate on (Stripe), if any.
    public var eventID: String?
    /// A test notification that moved no money (ECPay `SimulatePaid=1`).
    public var simulated: Bool
    /// The raw message, kept for audit.
    public var raw: String
    /// When it was received.
    public var receivedAt: Date
}

/// What applying a report did.
public enum PaymentOutcome: String, Sendable, Hashable {
    /// The order changed (paid, ATM details stored, expired, …).
    case applied
    /// Already applied before (a repeat): nothing changed.
    case duplicate
    /// Recorded for audit only (a simulated payment), nothing changed.
    case recorded
    /// The payment came for an order that can no longer take it: recorded and flagged for review.
    case flagged
    /// The report does not apply to the order's state (for example a failure after payment): nothing changed.
    case ignored
}

/// A gateway message refused before it could be applied (bad MAC, unknown trade, wrong amount, …).
public struct PaymentRejection: Sendable, Hashable {
    /// The gateway.
    public var gateway: PaymentGateway
    /// The channel.
    public var source: String
    /// The order, when the message named a known attempt.
    public var orderID: String?
    /// The attempt reference it named, if any.
    public var reference: String?
    /// Why it was refused.
    public var reason: String
    /// The raw message.
    public var raw: String
    /// When it was received.
    public var receivedAt: Date
}
