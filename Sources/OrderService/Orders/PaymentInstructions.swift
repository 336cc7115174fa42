import Foundation
import StoreModel

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

extension PaymentInstructions {
    /// The JSON text stored in `orders.payment_info`.
    func storedJSON() throws -> String {
        String(decoding: try JSONEncoder().encode(self), as: UTF8.self)
    }

    /// The instructions stored as `text` in `orders.payment_info`; `nil` when none or unreadable.
    static func stored(_ text: String?) -> PaymentInstructions? {
        text.flatMap { try? JSONDecoder().decode(PaymentInstructions.self, from: Data($0.utf8)) }
    }
}
