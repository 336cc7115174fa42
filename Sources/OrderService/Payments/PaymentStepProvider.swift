import Foundation
import StoreModel

/// What the checkout page does next to pay an online order: submit a form or follow a URL.
public struct PaymentStep: Sendable, Hashable, Encodable {
    /// `POST` (a form to submit) or `GET` (a URL to open).
    public var method: String
    /// Where to send the shopper.
    public var url: String
    /// The form fields for `POST`; `nil` for `GET`.
    public var fields: [String: String]?

    /// Creates a step.
    public init(method: String, url: String, fields: [String: String]? = nil) {
        self.method = method
        self.url = url
        self.fields = fields
    }
}

/// Produces the payment step for a new online order (ECPay, Stripe, ...).
///
/// Called after the order is committed, for online methods only (cash on delivery has no step).
/// Implementations must be idempotent per order: the API may ask again for the same order (for
/// example to answer a retried request whose first answer was lost).
public protocol PaymentStepProvider: Sendable {
    /// The step for `order`, or `nil` when there is none.
    func paymentStep(for order: Order, catalog: Catalog) async throws -> PaymentStep?
}

/// The default provider until the gateways are plugged in: no payment step.
public struct NoPaymentStepProvider: PaymentStepProvider {
    /// Creates the provider.
    public init() {}

    /// Always `nil`.
    public func paymentStep(for order: Order, catalog: Catalog) async throws -> PaymentStep? { nil }
}
