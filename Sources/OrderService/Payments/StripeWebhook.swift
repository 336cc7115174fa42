import Foundation
import Logging
import PaymentProtocols
import StoreModel

/// Verifies and applies Stripe webhook events: the signature over the raw body first (any `v1`,
/// 300 s tolerance), then the session must be one of ours with the order's amount, then the event
/// is applied once per event id.
struct StripeWebhook: Sendable {
    let configuration: StripeConfiguration?
    let store: any OrderStore
    let clock: @Sendable () -> Date

    /// What the endpoint answers.
    enum Answer: Sendable, Equatable {
        case accepted(PaymentOutcome)
        case ignored(String)
        case rejected(String)
    }

    func handle(body: [UInt8], signature: String?, logger: Logger) async throws -> Answer {
        let raw = String(decoding: body, as: UTF8.self)
        guard let configuration else { return try await reject("Stripe is not configured", raw: raw, attempt: nil, logger: logger) }
        do {
            try StripeSignature.verify(header: signature, payload: body, secret: configuration.webhookSecret, now: clock())
        } catch {
            return try await reject("signature: \(error.description)", raw: raw, attempt: nil, logger: logger)
        }
        guard let event = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any], let eventID = event["id"] as? String,
            let type = event["type"] as? String, let session = (event["data"] as? [String: Any])?["object"] as? [String: Any],
            let sessionID = session["id"] as? String
        else { return try await reject("not a Stripe event", raw: raw, attempt: nil, logger: logger) }

        let kinds: [String: PaymentReport.Kind] = [
            "checkout.session.async_payment_succeeded": .paid, "checkout.session.async_payment_failed": .failed, "checkout.session.expired": .expired,
        ]
        var kind = kinds[type]
        if type == "checkout.session.completed" { kind = session["payment_status"] as? String == "paid" ? .paid : .processing }
        guard let kind else {
            logger.info("stripe event ignored", metadata: ["type": "\(type)", "event": "\(eventID)"])
            return .ignored(type)
        }
        guard let attempt = try await store.paymentAttempt(reference: sessionID), attempt.gateway == .stripe else {
            return try await reject("unknown checkout session \(sessionID)", raw: raw, attempt: nil, logger: logger)
        }
        let metadataOrder = (session["metadata"] as? [String: Any])?["order_id"] as? String
        guard metadataOrder == attempt.orderID || session["client_reference_id"] as? String == attempt.orderID else {
            return try await reject("the session's order does not match our record", raw: raw, attempt: attempt, logger: logger)
        }
        if kind == .paid {
            let order = try await store.order(id: attempt.orderID)
            let expected = StripeCurrency.amount(order.total.minorUnits, shopExponent: order.currency.exponent, code: order.currency.code)
            let amount = (session["amount_total"] as? NSNumber)?.int64Value
            guard amount != nil, amount == expected, (session["currency"] as? String)?.uppercased() == order.currency.code else {
                return try await reject(
                    "amount_total \(amount.map(String.init) ?? "missing") \(session["currency"] as? String ?? "") does not match the order total",
                    raw: raw, attempt: attempt, logger: logger)
            }
        }
        let report = PaymentReport(
            gateway: .stripe, source: "webhook:\(type)", attempt: attempt, kind: kind, gatewayTradeNo: session["payment_intent"] as? String,
            eventID: eventID, simulated: false, raw: raw, receivedAt: clock())
        let outcome = try await store.applyPaymentReport(report, acceptSimulated: false)
        logger.log(
            level: outcome == .flagged ? .warning : .info, "stripe event applied",
            metadata: ["type": "\(type)", "event": "\(eventID)", "order": "\(attempt.orderID)", "outcome": "\(outcome.rawValue)"])
        return .accepted(outcome)
    }

    private func reject(_ reason: String, raw: String, attempt: PaymentAttempt?, logger: Logger) async throws -> Answer {
        logger.warning("stripe webhook rejected", metadata: ["reason": "\(reason)", "order": "\(attempt?.orderID ?? "-")"])
        try await store.recordPaymentRejection(
            PaymentRejection(
                gateway: .stripe, source: "webhook", orderID: attempt?.orderID, reference: attempt?.reference, reason: reason,
                raw: String(raw.prefix(64 * 1024)), receivedAt: clock()))
        return .rejected(reason)
    }
}
