import AsyncHTTPClient
import Foundation
import NIOCore
import PaymentProtocols
import StoreModel

/// Creates a Stripe Checkout Session for a `stripe` order: form-encoded, amounts in Stripe's minor
/// units, `client_reference_id` and `metadata[order_id]`, and an `Idempotency-Key` derived from the
/// order and attempt. The session id is recorded as the attempt's reference.
struct StripeCheckout: Sendable {
    let configuration: StripeConfiguration
    let store: any OrderStore
    let urls: @Sendable () -> PaymentURLs
    let clock: @Sendable () -> Date

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    func paymentStep(for order: Order, catalog: Catalog) async throws -> PaymentStep? {
        guard order.paymentMethod == .stripe else { return nil }
        let code = order.currency.code
        func amount(_ money: Money) throws -> String {
            guard let value = StripeCurrency.amount(money.minorUnits, shopExponent: order.currency.exponent, code: code) else {
                throw Failure(description: "\(money) cannot be expressed in Stripe's \(code) units")
            }
            return String(value)
        }
        let urls = urls()
        var pairs: [(String, String)] = [("mode", "payment")]
        var lines = order.lines.map { ($0.title, $0.unitPrice, $0.quantity) }
        if order.shipping.minorUnits > 0 { lines.append(("Shipping", order.shipping, 1)) }
        for (index, line) in lines.enumerated() {
            let prefix = "line_items[\(index)]"
            let unitAmount = try amount(line.1)
            pairs += [
                ("\(prefix)[price_data][currency]", code.lowercased()),
                ("\(prefix)[price_data][product_data][name]", line.0),
                ("\(prefix)[price_data][unit_amount]", unitAmount),
                ("\(prefix)[quantity]", String(line.2)),
            ]
        }
        pairs += [
            ("success_url", urls.orderPage(order.id)), ("cancel_url", urls.orderPage(order.id)),
            ("client_reference_id", order.id), ("metadata[order_id]", order.id),
        ]
        if !order.customer.email.isEmpty { pairs.append(("customer_email", order.customer.email)) }
        let now = clock()
        if let expires = order.expiresAt, expires.timeIntervalSince(now) >= 1800, expires.timeIntervalSince(now) <= 86400 {
            pairs.append(("expires_at", String(Int(expires.timeIntervalSince1970))))
        }
        let attemptNumber = try await store.paymentAttemptCount(orderID: order.id) + 1
        var request = HTTPClientRequest(url: configuration.apiBase + "/v1/checkout/sessions")
        request.method = .POST
        let credentials = Data((configuration.secretKey + ":").utf8).base64EncodedString()
        request.headers.add(name: "Authorization", value: "Basic \(credentials)")
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.headers.add(name: "Idempotency-Key", value: "storefront-\(order.id)-\(attemptNumber)")
        request.body = .bytes(ByteBuffer(string: FormEncoding.encode(pairs)))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(20))
        let body = try await response.body.collect(upTo: 1 << 20)
        let object = try? JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any]
        guard response.status == .ok, let id = object?["id"] as? String, let url = object?["url"] as? String else {
            let message = ((object?["error"] as? [String: Any])?["message"] as? String) ?? "HTTP \(response.status.code)"
            throw Failure(description: "Stripe refused the checkout session: \(message)")
        }
        try await store.recordPaymentAttempt(
            PaymentAttempt(reference: id, orderID: order.id, gateway: .stripe, amountMinor: order.total.minorUnits, createdAt: now))
        return PaymentStep(method: "GET", url: url)
    }
}
