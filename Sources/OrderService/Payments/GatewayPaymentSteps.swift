import Foundation
import Logging
import StoreModel

/// The payment step provider built from `PaymentConfiguration`: ECPay for `credit_card` and `atm`,
/// Stripe for `stripe`, nothing for a gateway that is off.
struct GatewayPaymentSteps: PaymentStepProvider {
    let ecpay: ECPayCheckout?
    let stripe: StripeCheckout?

    func paymentStep(for order: Order, catalog: Catalog) async throws -> PaymentStep? {
        switch order.paymentMethod {
        case .creditCard, .atm: try await ecpay?.paymentStep(for: order, catalog: catalog)
        case .stripe: try await stripe?.paymentStep(for: order, catalog: catalog)
        case .cashOnDelivery: nil
        }
    }
}

/// The payment parts of the API, built once from the configuration.
struct PaymentComponents: Sendable {
    let steps: any PaymentStepProvider
    let ecpay: ECPayCallbacks
    let stripe: StripeWebhook
    let urls: @Sendable () -> PaymentURLs

    /// Checks the payment settings before anything is opened: each gateway's own settings, and the
    /// API's public URL that gateway callbacks need.
    static func validate(_ configuration: OrderAPIConfiguration) throws(PaymentConfigurationError) {
        try configuration.payments.validate()
        if !configuration.payments.isEmpty {
            guard let publicURL = configuration.publicURL, PaymentConfiguration.isHTTPURL(publicURL) else {
                throw PaymentConfigurationError(
                    "ORDER_API_PUBLIC_URL (--public-url) must be the API's public http(s) URL when a payment gateway is configured: the gateways call back under it"
                )
            }
        }
    }

    /// Builds the providers and callbacks; an offered method without its gateway is logged.
    static func make(
        configuration: OrderAPIConfiguration, store: any OrderStore, catalog: CatalogProvider, paymentSteps: (any PaymentStepProvider)?,
        logger: Logger, clock: @escaping @Sendable () -> Date
    ) -> PaymentComponents {
        let payments = configuration.payments
        let storefrontOverride = configuration.storefrontURL
        let apiURL = configuration.publicURL ?? ""
        let urls: @Sendable () -> PaymentURLs = { PaymentURLs(api: apiURL, storefront: storefrontOverride ?? catalog.current.store.baseURL) }
        let offered = Set(catalog.current.store.paymentMethods)
        let missing = offered.filter { ($0 == .creditCard || $0 == .atm) ? payments.ecpay == nil : ($0 == .stripe ? payments.stripe == nil : false) }
        if !missing.isEmpty {
            logger.warning(
                "the shop offers payment methods whose gateway is not configured; their orders get no payment step",
                metadata: ["methods": "\(missing.map(\.rawValue).sorted().joined(separator: ","))"])
        }
        let atmDays = max(1, min(60, Int((configuration.orderExpiry[.atm] ?? .seconds(4 * 86400)).seconds / 86400) - 1))
        let steps =
            paymentSteps
            ?? GatewayPaymentSteps(
                ecpay: payments.ecpay.map { ECPayCheckout(configuration: $0, store: store, urls: urls, atmDays: atmDays, clock: clock) },
                stripe: payments.stripe.map { StripeCheckout(configuration: $0, store: store, urls: urls, clock: clock) })
        if let ecpay = payments.ecpay {
            logger.info(
                "ECPay on",
                metadata: ["environment": "\(ecpay.environment.name)", "checkout": "\(ecpay.environment.checkoutURL)", "merchant": "\(ecpay.merchantID)"])
        }
        if let stripe = payments.stripe { logger.info("Stripe on", metadata: ["api": "\(stripe.apiBase)"]) }
        return PaymentComponents(
            steps: steps, ecpay: ECPayCallbacks(configuration: payments.ecpay, store: store, clock: clock),
            stripe: StripeWebhook(configuration: payments.stripe, store: store, clock: clock), urls: urls)
    }
}
