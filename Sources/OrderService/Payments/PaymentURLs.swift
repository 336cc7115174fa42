import Foundation

/// The callback URLs the gateways are given (under the API's public URL) and the storefront's
/// order page the shopper returns to.
public struct PaymentURLs: Sendable, Hashable {
    /// The API's public URL without a trailing slash (`ORDER_API_PUBLIC_URL`).
    public var api: String
    /// The storefront's public URL without a trailing slash.
    public var storefront: String

    /// Creates the URL set.
    public init(api: String, storefront: String) {
        self.api = PaymentConfiguration.trimmed(api)
        self.storefront = PaymentConfiguration.trimmed(storefront)
    }

    /// ECPay `ReturnURL`: the server notification of a payment.
    public var ecpayNotify: String { api + "/payment/ecpay/notify" }
    /// ECPay `PaymentInfoURL`: the server notification of an issued ATM account.
    public var ecpayPaymentInfo: String { api + "/payment/ecpay/payment-info" }
    /// ECPay `OrderResultURL` / `ClientRedirectURL`: the shopper's browser coming back.
    public var ecpayResult: String { api + "/payment/ecpay/result" }
    /// The Stripe webhook endpoint.
    public var stripeWebhook: String { api + "/payment/stripe/webhook" }

    /// The storefront's order page for an order. The page takes the e-mail or phone it needs from
    /// what checkout left in the tab's sessionStorage, or asks for it.
    public func orderPage(_ orderID: String) -> String {
        storefront + "/order/?id=" + orderID
    }
}
