import Foundation
import Logging
import PaymentProtocols
import StoreModel

/// Verifies and applies what ECPay sends: the ReturnURL notification, the PaymentInfoURL
/// notification, the shopper's browser result, and QueryTradeInfo answers (reconciliation).
///
/// Checks, in order: the MAC over every received field (constant time), our `MerchantID`, a known
/// `MerchantTradeNo`, `TradeAmt` equal to the order total, and the channel's success code. A refusal
/// changes nothing, is logged and is stored for audit; an accepted message is applied and stored
/// in one transaction.
struct ECPayCallbacks: Sendable {
    let configuration: ECPayConfiguration?
    let store: any OrderStore
    let clock: @Sendable () -> Date

    /// The channel a message came through.
    enum Channel: String, Sendable {
        case notify
        case paymentInfo = "payment-info"
        case result
        case query
    }

    /// A refusal with the reason the gateway is told.
    struct Rejection: Error, Sendable {
        var reason: String
        var attempt: PaymentAttempt?
    }

    /// `1|OK` when the ReturnURL notification was accepted (applied or a repeat), else `0|<reason>`.
    func notify(raw: String, logger: Logger) async throws -> String {
        try await reply(raw: raw, channel: .notify, logger: logger)
    }

    /// `1|OK` when the PaymentInfoURL notification was accepted, else `0|<reason>`.
    func paymentInfo(raw: String, logger: Logger) async throws -> String {
        try await reply(raw: raw, channel: .paymentInfo, logger: logger)
    }

    /// The order a verified browser result is about; changes nothing.
    func browserResult(raw: String, logger: Logger) async throws -> Result<String, Rejection> {
        switch try await verify(raw: raw, channel: .result) {
        case .success(let (attempt, fields)):
            logger.info(
                "ecpay browser result", metadata: ["order": "\(attempt.orderID)", "trade": "\(attempt.reference)", "rtn_code": "\(fields["RtnCode"] ?? "")"])
            return .success(attempt.orderID)
        case .failure(let rejection):
            try await reject(rejection, raw: raw, channel: .result, logger: logger)
            return .failure(rejection)
        }
    }

    /// Applies a QueryTradeInfo answer: `nil` when the trade is not paid yet, else the outcome.
    func applyQueryAnswer(raw: String, logger: Logger) async throws -> Result<PaymentOutcome?, Rejection> {
        switch try await verify(raw: raw, channel: .query) {
        case .success(let (attempt, fields)):
            guard fields["TradeStatus"] == "1" else { return .success(nil) }
            return .success(try await apply(attempt: attempt, fields: fields, channel: .query, raw: raw, logger: logger))
        case .failure(let rejection):
            try await reject(rejection, raw: raw, channel: .query, logger: logger)
            return .failure(rejection)
        }
    }

    private func reply(raw: String, channel: Channel, logger: Logger) async throws -> String {
        switch try await verify(raw: raw, channel: channel) {
        case .success(let (attempt, fields)):
            _ = try await apply(attempt: attempt, fields: fields, channel: channel, raw: raw, logger: logger)
            return ECPayProtocol.acceptedReply
        case .failure(let rejection):
            try await reject(rejection, raw: raw, channel: channel, logger: logger)
            return "0|" + rejection.reason
        }
    }

    private func apply(attempt: PaymentAttempt, fields: [String: String], channel: Channel, raw: String, logger: Logger) async throws -> PaymentOutcome {
        let kind: PaymentReport.Kind
        if channel == .paymentInfo {
            kind = .paymentInfo(ATMInstructions(bankCode: fields["BankCode"] ?? "", vAccount: fields["vAccount"] ?? "", expireDate: fields["ExpireDate"] ?? ""))
        } else {
            kind = .paid
        }
        let report = PaymentReport(
            gateway: .ecpay, source: channel.rawValue, attempt: attempt, kind: kind, gatewayTradeNo: fields["TradeNo"], eventID: nil,
            simulated: fields["SimulatePaid"] == "1", raw: raw, receivedAt: clock())
        let outcome = try await store.applyPaymentReport(report, acceptSimulated: configuration?.allowSimulatePaid ?? false)
        let level: Logger.Level = outcome == .flagged ? .warning : .info
        logger.log(
            level: level, "ecpay \(channel.rawValue) accepted",
            metadata: ["order": "\(attempt.orderID)", "trade": "\(attempt.reference)", "outcome": "\(outcome.rawValue)", "simulated": "\(report.simulated)"])
        return outcome
    }

    private func reject(_ rejection: Rejection, raw: String, channel: Channel, logger: Logger) async throws {
        logger.warning(
            "ecpay \(channel.rawValue) rejected",
            metadata: ["reason": "\(rejection.reason)", "order": "\(rejection.attempt?.orderID ?? "-")", "trade": "\(rejection.attempt?.reference ?? "-")"])
        try await store.recordPaymentRejection(
            PaymentRejection(
                gateway: .ecpay, source: channel.rawValue, orderID: rejection.attempt?.orderID, reference: rejection.attempt?.reference,
                reason: rejection.reason, raw: raw, receivedAt: clock()))
    }

    /// The checks every ECPay message goes through, in the documented order.
    private func verify(raw: String, channel: Channel) async throws -> Result<(PaymentAttempt, [String: String]), Rejection> {
        guard let configuration else { return .failure(Rejection(reason: "ECPay is not configured")) }
        guard let fields = FormEncoding.decode(raw), !fields.isEmpty else { return .failure(Rejection(reason: "malformed form body")) }
        guard ECPayCheckMac.verify(fields, hashKey: configuration.hashKey, hashIV: configuration.hashIV) else {
            return .failure(Rejection(reason: "CheckMacValue verify fail"))
        }
        guard fields["MerchantID"] == configuration.merchantID else { return .failure(Rejection(reason: "MerchantID mismatch")) }
        let number = fields["MerchantTradeNo"] ?? ""
        guard ECPayProtocol.isValidTradeNumber(number), let attempt = try await store.paymentAttempt(reference: number), attempt.gateway == .ecpay else {
            return .failure(Rejection(reason: "unknown MerchantTradeNo"))
        }
        if channel == .result { return .success((attempt, fields)) }
        if channel == .query && fields["TradeStatus"] != "1" { return .success((attempt, fields)) }
        let order = try await store.order(id: attempt.orderID)
        guard let amount = fields["TradeAmt"].flatMap(Int64.init), amount == order.total.minorUnits, amount == attempt.amountMinor else {
            return .failure(
                Rejection(reason: "TradeAmt \(fields["TradeAmt"] ?? "missing") does not match the order total \(order.total.minorUnits)", attempt: attempt))
        }
        switch channel {
        case .notify:
            guard fields["RtnCode"] == "1" else {
                return .failure(Rejection(reason: "RtnCode \(fields["RtnCode"] ?? "missing") is not a payment", attempt: attempt))
            }
        case .paymentInfo:
            guard fields["RtnCode"] == "2" else {
                return .failure(Rejection(reason: "RtnCode \(fields["RtnCode"] ?? "missing") is not an issued ATM account", attempt: attempt))
            }
            guard !(fields["BankCode"] ?? "").isEmpty, !(fields["vAccount"] ?? "").isEmpty else {
                return .failure(Rejection(reason: "BankCode or vAccount missing", attempt: attempt))
            }
        case .query, .result:
            break
        }
        return .success((attempt, fields))
    }
}
