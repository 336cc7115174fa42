import Foundation
import PaymentProtocols

/// Where ECPay requests go.
public enum ECPayEnvironment: Sendable, Hashable {
    /// `payment-stage.ecpay.com.tw`, for testing with a stage merchant.
    case stage
    /// `payment.ecpay.com.tw`: real money.
    case production
    /// The local payment sandbox mounted at this base URL (its `ecpay/…` paths).
    case sandbox(baseURL: String)

    /// The checkout form's target.
    public var checkoutURL: String { gatewayBase + ECPayProtocol.checkoutPath }
    /// The QueryTradeInfo/V5 URL.
    public var queryURL: String { gatewayBase + ECPayProtocol.queryPath }

    var gatewayBase: String {
        switch self {
        case .stage: ECPayProtocol.stageOrigin
        case .production: ECPayProtocol.productionOrigin
        case .sandbox(let base): PaymentConfiguration.trimmed(base) + "/ecpay"
        }
    }

    /// `stage`, `production` or `sandbox`.
    public var name: String {
        switch self {
        case .stage: "stage"
        case .production: "production"
        case .sandbox: "sandbox"
        }
    }
}

/// ECPay credentials and environment (`ECPAY_*`).
public struct ECPayConfiguration: Sendable, Hashable {
    /// `ECPAY_MERCHANT_ID`.
    public var merchantID: String
    /// `ECPAY_HASH_KEY`.
    public var hashKey: String
    /// `ECPAY_HASH_IV`.
    public var hashIV: String
    /// `ECPAY_ENV` (and `ECPAY_SANDBOX_URL` for the sandbox).
    public var environment: ECPayEnvironment
    /// `ECPAY_ALLOW_SIMULATE_PAID=1`: let `SimulatePaid=1` notifications mark orders paid (stage
    /// or sandbox testing only; refused in production).
    public var allowSimulatePaid: Bool

    /// Creates ECPay settings; stage and sandbox default to the public stage credentials.
    public init(
        merchantID: String = ECPayProtocol.stageMerchantID, hashKey: String = ECPayProtocol.stageHashKey,
        hashIV: String = ECPayProtocol.stageHashIV, environment: ECPayEnvironment, allowSimulatePaid: Bool = false
    ) {
        self.merchantID = merchantID
        self.hashKey = hashKey
        self.hashIV = hashIV
        self.environment = environment
        self.allowSimulatePaid = allowSimulatePaid
    }
}

/// Stripe keys and API base (`STRIPE_*`).
public struct StripeConfiguration: Sendable, Hashable {
    /// `STRIPE_SECRET_KEY` (`sk_…` or a restricted `rk_…`).
    public var secretKey: String
    /// `STRIPE_WEBHOOK_SECRET` (`whsec_…`).
    public var webhookSecret: String
    /// `STRIPE_API_BASE`: `https://api.stripe.com`, or the sandbox's `…/stripe`.
    public var apiBase: String

    /// Creates Stripe settings.
    public init(secretKey: String, webhookSecret: String, apiBase: String = "https://api.stripe.com") {
        self.secretKey = secretKey
        self.webhookSecret = webhookSecret
        self.apiBase = PaymentConfiguration.trimmed(apiBase)
    }
}

/// A configuration problem found at start-up, with the setting to fix.
public struct PaymentConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong and which variable to set.
    public var description: String

    init(_ description: String) { self.description = description }
}

/// The payment gateways the order API talks to. `nil` gateways are off: orders for their methods
/// are taken without a payment step, and their callbacks answer errors.
public struct PaymentConfiguration: Sendable, Hashable {
    /// ECPay (credit card and ATM), or `nil`.
    public var ecpay: ECPayConfiguration?
    /// Stripe Checkout, or `nil`.
    public var stripe: StripeConfiguration?

    /// Creates a configuration.
    public init(ecpay: ECPayConfiguration? = nil, stripe: StripeConfiguration? = nil) {
        self.ecpay = ecpay
        self.stripe = stripe
    }

    /// Whether any gateway is on.
    public var isEmpty: Bool { ecpay == nil && stripe == nil }

    /// Reads `ECPAY_MERCHANT_ID`, `ECPAY_HASH_KEY`, `ECPAY_HASH_IV`, `ECPAY_ENV`, `ECPAY_SANDBOX_URL`,
    /// `ECPAY_ALLOW_SIMULATE_PAID`, `STRIPE_SECRET_KEY`, `STRIPE_WEBHOOK_SECRET` and `STRIPE_API_BASE`,
    /// and validates them.
    public static func fromEnvironment(_ environment: [String: String]) throws(PaymentConfigurationError) -> PaymentConfiguration {
        func value(_ name: String) -> String? {
            guard let text = environment[name]?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
            return text
        }
        var configuration = PaymentConfiguration()
        let credentials = ["ECPAY_MERCHANT_ID", "ECPAY_HASH_KEY", "ECPAY_HASH_IV"].map { ($0, value($0)) }
        let given = credentials.filter { $0.1 != nil }
        let envName = value("ECPAY_ENV")
        if envName != nil || !given.isEmpty {
            let environmentValue: ECPayEnvironment
            switch envName?.lowercased() {
            case "stage": environmentValue = .stage
            case "production": environmentValue = .production
            case "sandbox":
                guard let url = value("ECPAY_SANDBOX_URL") else {
                    throw PaymentConfigurationError(
                        "ECPAY_ENV=sandbox needs ECPAY_SANDBOX_URL, the payment sandbox's base URL (for example http://127.0.0.1:8090)")
                }
                environmentValue = .sandbox(baseURL: url)
            case nil: throw PaymentConfigurationError("ECPAY_ENV is required when ECPay credentials are set: stage, production or sandbox")
            case let other?: throw PaymentConfigurationError("ECPAY_ENV=\(other) is not one of stage, production, sandbox")
            }
            var ecpay = ECPayConfiguration(environment: environmentValue)
            if !given.isEmpty || environmentValue == .production {
                let missing = credentials.filter { $0.1 == nil }.map(\.0)
                guard missing.isEmpty else {
                    throw PaymentConfigurationError("ECPay needs all three credentials; missing: \(missing.joined(separator: ", "))")
                }
                ecpay.merchantID = credentials[0].1!
                ecpay.hashKey = credentials[1].1!
                ecpay.hashIV = credentials[2].1!
            }
            ecpay.allowSimulatePaid = ["1", "true", "yes"].contains((value("ECPAY_ALLOW_SIMULATE_PAID") ?? "").lowercased())
            configuration.ecpay = ecpay
        }
        let key = value("STRIPE_SECRET_KEY"), secret = value("STRIPE_WEBHOOK_SECRET")
        if key != nil || secret != nil {
            guard let key else { throw PaymentConfigurationError("STRIPE_WEBHOOK_SECRET is set but STRIPE_SECRET_KEY is not") }
            guard let secret else {
                throw PaymentConfigurationError("STRIPE_SECRET_KEY is set but STRIPE_WEBHOOK_SECRET (whsec_…) is not: webhooks could not be verified")
            }
            configuration.stripe = StripeConfiguration(secretKey: key, webhookSecret: secret, apiBase: value("STRIPE_API_BASE") ?? "https://api.stripe.com")
        }
        try configuration.validate()
        return configuration
    }

    /// Checks every setting; throws the first problem with the variable to fix.
    public func validate() throws(PaymentConfigurationError) {
        if let ecpay {
            guard !ecpay.merchantID.isEmpty, ecpay.merchantID.count <= 10, ecpay.merchantID.allSatisfy(\.isASCIIDigit) else {
                throw PaymentConfigurationError("ECPAY_MERCHANT_ID must be the merchant's number (digits), got \(ecpay.merchantID.debugDescription)")
            }
            for (name, value) in [("ECPAY_HASH_KEY", ecpay.hashKey), ("ECPAY_HASH_IV", ecpay.hashIV)] {
                guard value.count == 16, value.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else {
                    throw PaymentConfigurationError("\(name) must be the 16 letters and digits from ECPay's merchant back office")
                }
            }
            switch ecpay.environment {
            case .production:
                if ecpay.merchantID == ECPayProtocol.stageMerchantID || ecpay.hashKey == ECPayProtocol.stageHashKey {
                    throw PaymentConfigurationError(
                        "ECPAY_ENV=production with the public stage credentials: set your own ECPAY_MERCHANT_ID, ECPAY_HASH_KEY and ECPAY_HASH_IV")
                }
                if ecpay.allowSimulatePaid {
                    throw PaymentConfigurationError("ECPAY_ALLOW_SIMULATE_PAID is for stage or sandbox testing only; unset it in production")
                }
            case .sandbox(let base):
                guard Self.isHTTPURL(base) else { throw PaymentConfigurationError("ECPAY_SANDBOX_URL must be an http(s) URL, got \(base.debugDescription)") }
            case .stage:
                break
            }
        }
        if let stripe {
            guard stripe.secretKey.hasPrefix("sk_") || stripe.secretKey.hasPrefix("rk_") else {
                throw PaymentConfigurationError("STRIPE_SECRET_KEY must be a secret key (sk_… or rk_…), never the publishable pk_ key")
            }
            guard stripe.webhookSecret.hasPrefix("whsec_") else {
                throw PaymentConfigurationError("STRIPE_WEBHOOK_SECRET must be the endpoint's signing secret (whsec_…)")
            }
            guard Self.isHTTPURL(stripe.apiBase) else {
                throw PaymentConfigurationError("STRIPE_API_BASE must be an http(s) URL, got \(stripe.apiBase.debugDescription)")
            }
        }
    }

    static func isHTTPURL(_ text: String) -> Bool {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme), url.host != nil else { return false }
        return true
    }

    static func trimmed(_ url: String) -> String {
        var url = url
        while url.hasSuffix("/") { url.removeLast() }
        return url
    }
}
