import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The gateways' callbacks: `POST /payment/ecpay/notify` (ReturnURL), `/payment/ecpay/payment-info`
/// (PaymentInfoURL), `/payment/ecpay/result` (the shopper's browser, answered with a 303 to the
/// order page) and `/payment/stripe/webhook`. No CSRF or authentication: the MAC or signature is
/// the authentication.
struct PaymentController {
    let payments: PaymentComponents
    let bodyLimit: Int

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post("ecpay/notify", use: ecpayNotify)
        group.post("ecpay/payment-info", use: ecpayPaymentInfo)
        group.post("ecpay/result", use: ecpayResult)
        group.post("stripe/webhook", use: stripeWebhook)
    }

    @Sendable func ecpayNotify(_ request: Request, context: AppRequestContext) async throws -> Response {
        let raw = String(buffer: try await request.collectBody(limit: bodyLimit, context: context))
        return Self.text(try await payments.ecpay.notify(raw: raw, logger: context.logger))
    }

    @Sendable func ecpayPaymentInfo(_ request: Request, context: AppRequestContext) async throws -> Response {
        let raw = String(buffer: try await request.collectBody(limit: bodyLimit, context: context))
        return Self.text(try await payments.ecpay.paymentInfo(raw: raw, logger: context.logger))
    }

    @Sendable func ecpayResult(_ request: Request, context: AppRequestContext) async throws -> Response {
        let raw = String(buffer: try await request.collectBody(limit: bodyLimit, context: context))
        switch try await payments.ecpay.browserResult(raw: raw, logger: context.logger) {
        case .success(let orderID):
            return Response(status: .seeOther, headers: [.location: payments.urls().orderPage(orderID)])
        case .failure(let rejection):
            throw APIError(.badRequest, code: "invalid_payment_result", message: "The payment result could not be verified: \(rejection.reason).")
        }
    }

    @Sendable func stripeWebhook(_ request: Request, context: AppRequestContext) async throws -> Response {
        let body = try await request.collectBody(limit: bodyLimit, context: context)
        let signature = request.headers[HTTPField.Name("Stripe-Signature")!]
        switch try await payments.stripe.handle(body: Array(buffer: body), signature: signature, logger: context.logger) {
        case .accepted(let outcome):
            return try JSONResponse.make(status: .ok, body: ["received": "true", "outcome": outcome.rawValue])
        case .ignored(let type):
            return try JSONResponse.make(status: .ok, body: ["received": "true", "outcome": "ignored", "type": type])
        case .rejected(let reason):
            throw APIError(.badRequest, code: "webhook_rejected", message: "The event was rejected: \(reason).")
        }
    }

    static func text(_ reply: String) -> Response {
        Response(status: .ok, headers: [.contentType: "text/plain; charset=utf-8"], body: ResponseBody(byteBuffer: ByteBuffer(string: reply)))
    }
}
