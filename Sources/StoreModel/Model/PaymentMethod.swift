/// How a shopper pays.
public enum PaymentMethod: String, Sendable, Hashable, Codable, CaseIterable {
    /// Credit card through ECPay's hosted page.
    case creditCard = "credit_card"
    /// ATM transfer to an ECPay virtual account.
    case atm
    /// Pay the courier on arrival.
    case cashOnDelivery = "cash_on_delivery"
    /// International cards through Stripe Checkout.
    case stripe

    /// Whether the order waits for a gateway to confirm the payment.
    public var isOnline: Bool { self != .cashOnDelivery }
}
