import Foundation

/// One ECPay trade the sandbox took a checkout form for.
struct SandboxTrade: Sendable {
    enum Kind: String, Sendable { case credit = "Credit", atm = "ATM" }
    enum State: String, Sendable { case pending, declined, paid }

    /// The checkout form as received (MAC verified).
    var form: [String: String]
    var kind: Kind
    var state: State = .pending
    /// ECPay's own trade number.
    var tradeNo: String
    var tradeDate: Date
    var paymentDate: Date?
    var bankCode: String?
    var vAccount: String?
    var expireDate: String?

    var merchantTradeNo: String { form["MerchantTradeNo"] ?? "" }
    var amount: String { form["TotalAmount"] ?? "" }
}

/// One Stripe Checkout Session the sandbox created.
struct SandboxSession: Sendable {
    enum State: String, Sendable { case open, complete, expired }

    var id: String
    var parameters: [String: String]
    var amountTotal: Int64
    var currency: String
    var state: State = .open
    var createdAt: Date
}

/// The sandbox's memory: trades, sessions and idempotency keys (nothing survives a restart, as
/// nothing needs to).
actor SandboxLedger {
    private var trades: [String: SandboxTrade] = [:]
    private var sessions: [String: SandboxSession] = [:]
    private var idempotency: [String: (requestHash: String, response: String)] = [:]

    /// Adds a trade; `false` when its `MerchantTradeNo` was used before (ECPay never reuses one).
    func addTrade(_ trade: SandboxTrade) -> Bool {
        guard trades[trade.merchantTradeNo] == nil else { return false }
        trades[trade.merchantTradeNo] = trade
        return true
    }

    func trade(_ merchantTradeNo: String) -> SandboxTrade? { trades[merchantTradeNo] }

    /// Applies `change` to a trade and returns the result.
    func updateTrade(_ merchantTradeNo: String, _ change: @Sendable (inout SandboxTrade) -> Void) -> SandboxTrade? {
        guard var trade = trades[merchantTradeNo] else { return nil }
        change(&trade)
        trades[merchantTradeNo] = trade
        return trade
    }

    func addSession(_ session: SandboxSession) { sessions[session.id] = session }

    func session(_ id: String) -> SandboxSession? { sessions[id] }

    func updateSession(_ id: String, _ change: @Sendable (inout SandboxSession) -> Void) -> SandboxSession? {
        guard var session = sessions[id] else { return nil }
        change(&session)
        sessions[id] = session
        return session
    }

    /// The stored answer of an idempotency key, or `nil` when the key is new.
    func idempotentResponse(key: String) -> (requestHash: String, response: String)? { idempotency[key] }

    func storeIdempotentResponse(key: String, requestHash: String, response: String) {
        idempotency[key] = (requestHash, response)
    }
}

/// Random identifiers in the gateways' shapes.
enum SandboxIDs {
    static func digits(_ count: Int) -> String {
        String((0..<count).map { _ in Character(String(Int.random(in: 0...9))) })
    }

    static func alphanumeric(_ count: Int) -> String {
        let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
        return String((0..<count).map { _ in alphabet.randomElement()! })
    }
}
