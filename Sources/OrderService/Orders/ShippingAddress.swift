import Foundation
import StoreModel

/// A shipping address.
public struct ShippingAddress: Sendable, Hashable {
    /// Postal code; may be empty.
    public var postalCode: String
    /// City or district.
    public var city: String
    /// Street address.
    public var address: String

    /// Creates an address.
    public init(postalCode: String, city: String, address: String) {
        self.postalCode = postalCode
        self.city = city
        self.address = address
    }
}
