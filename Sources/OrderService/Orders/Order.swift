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

/// How to pay an order offline, as reported by the gateway (ATM virtual account).
public struct PaymentInstructions: Sendable, Hashable, Codable {
    /// ATM transfer details.
    public var atm: ATMInstructions?

    /// Creates instructions.
    public init(atm: ATMInstructions? = nil) {
        self.atm = atm
    }
}

/// A virtual bank account to transfer to.
public struct ATMInstructions: Sendable, Hashable, Codable {
    /// The bank code.
    public var bankCode: String
    /// The virtual account number.
    public var vAccount: String
    /// The deadline as the gateway gave it.
    public var expireDate: String

    /// Creates ATM details.
    public init(bankCode: String, vAccount: String, expireDate: String) {
        self.bankCode = bankCode
        self.vAccount = vAccount
        self.expireDate = expireDate
    }
}

/// One entry of an order's append-only event log.
public struct OrderEvent: Sendable, Hashable {
    /// When it happened.
    public var at: Date
    /// Who did it: `shopper`, `system`, `gateway` or `admin:<token fingerprint>`.
    public var actor: String
    /// The state before, `nil` for the creation event.
    public var from: OrderStatus?
    /// The state after.
    public var to: OrderStatus
    /// A free-text note.
    public var note: String
}

/// Customers appear in answers as `{"name", "email", "phone"}` (masked in shopper answers).
extension Customer: Encodable {}
