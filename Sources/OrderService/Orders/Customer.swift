import Foundation
import StoreModel

/// The shopper's contact details.
public struct Customer: Sendable, Hashable {
    /// Full name.
    public var name: String
    /// E-mail address.
    public var email: String
    /// Telephone number as entered.
    public var phone: String

    /// Creates contact details.
    public init(name: String, email: String, phone: String) {
        self.name = name
        self.email = email
        self.phone = phone
    }
}

/// Customers appear in answers as `{"name", "email", "phone"}` (masked in shopper answers).
extension Customer: Encodable {}
