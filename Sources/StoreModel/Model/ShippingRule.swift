/// A flat shipping fee, waived from a subtotal threshold.
public struct ShippingRule: Sendable, Hashable {
    /// The fee for every order below the threshold.
    public var flatFee: Money
    /// Orders whose subtotal reaches this ship free; `nil` means never.
    public var freeShippingThreshold: Money?

    /// Creates a rule.
    public init(flatFee: Money, freeShippingThreshold: Money?) {
        self.flatFee = flatFee
        self.freeShippingThreshold = freeShippingThreshold
    }

    /// The fee for an order with this subtotal.
    public func fee(forSubtotal subtotal: Money) -> Money {
        if let threshold = freeShippingThreshold, subtotal >= threshold { return .zero(subtotal.currency) }
        return flatFee
    }
}
