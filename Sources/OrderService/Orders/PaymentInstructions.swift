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
