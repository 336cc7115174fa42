import Foundation

/// A flat shipping fee, waived from a subtotal threshold.
public struct ShippingRule: Sendable, Hashable {
    /// The fee for every order below the threshold.
    public var flatFee: Money
    /// Orders whose subtotal reaches this ship free; `nil` means never.
    public var freeShippingThreshold: Money?

    /// The carrier's tracking page with `{number}` where the tracking number goes
    /// (`https://carrier.example/track?no={number}`); `nil` when the shop gives none.
    public var trackingURL: String?

    /// Creates a rule.
    public init(flatFee: Money, freeShippingThreshold: Money?, trackingURL: String? = nil) {
        self.flatFee = flatFee
        self.freeShippingThreshold = freeShippingThreshold
        self.trackingURL = trackingURL
    }

    /// Why `template` cannot be a tracking URL, or `nil` when it can.
    public static func trackingURLProblem(_ template: String) -> String? {
        guard template.hasPrefix("https://") || template.hasPrefix("http://") else { return "must be an http:// or https:// URL" }
        guard template.contains("{number}") else { return "must contain {number} where the tracking number goes" }
        return nil
    }

    /// The tracking link for `number`, percent-encoded into the template; `nil` without a template.
    public func trackingLink(for number: String) -> String? {
        guard let trackingURL, !number.isEmpty else { return nil }
        let encoded = number.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? number
        return trackingURL.replacingOccurrences(of: "{number}", with: encoded)
    }

    /// The fee for an order with this subtotal.
    public func fee(forSubtotal subtotal: Money) -> Money {
        if let threshold = freeShippingThreshold, subtotal >= threshold { return .zero(subtotal.currency) }
        return flatFee
    }
}
