import Foundation
import PaymentProtocols

/// What the payment sandbox accepts and where it sends notifications.
public struct SandboxConfiguration: Sendable {
    /// The public URL of the sandbox's mount point, without a trailing slash (for example
    /// `http://127.0.0.1:8080/sandbox`); its hosted pages link to paths under it.
    public var publicBaseURL: String
    /// The ECPay merchant id the sandbox accepts.
    public var ecpayMerchantID: String
    /// The ECPay HashKey checkout forms must be signed with.
    public var ecpayHashKey: String
    /// The ECPay HashIV checkout forms must be signed with.
    public var ecpayHashIV: String
    /// The Stripe secret key `POST /v1/checkout/sessions` must authenticate with.
    public var stripeSecretKey: String
    /// Where Stripe events are posted (the order API's `/payment/stripe/webhook`); `nil` sends none.
    public var stripeWebhookURL: String?
    /// The `whsec_…` secret Stripe events are signed with.
    public var stripeWebhookSecret: String
    /// How many times a notification is sent before giving up (the first send included).
    public var resendAttempts: Int
    /// The pause between two sends of an unacknowledged notification.
    public var resendInterval: Duration
    /// The loopback port of the sandbox's SMTP server (`SandboxMailServer`), 0 for any free port;
    /// `nil` runs no mail server.
    public var mailPort: Int?
    /// The address the SMTP server binds.
    public var mailHost: String

    /// Creates a configuration; ECPay defaults to the public stage credentials.
    public init(
        publicBaseURL: String,
        ecpayMerchantID: String = ECPayProtocol.stageMerchantID,
        ecpayHashKey: String = ECPayProtocol.stageHashKey,
        ecpayHashIV: String = ECPayProtocol.stageHashIV,
        stripeSecretKey: String = "sk_test_sandbox",
        stripeWebhookURL: String? = nil,
        stripeWebhookSecret: String = "whsec_sandbox",
        resendAttempts: Int = 5,
        resendInterval: Duration = .seconds(2),
        mailPort: Int? = nil,
        mailHost: String = "127.0.0.1"
    ) {
        var base = publicBaseURL
        while base.hasSuffix("/") { base.removeLast() }
        self.publicBaseURL = base
        self.ecpayMerchantID = ecpayMerchantID
        self.ecpayHashKey = ecpayHashKey
        self.ecpayHashIV = ecpayHashIV
        self.stripeSecretKey = stripeSecretKey
        self.stripeWebhookURL = stripeWebhookURL
        self.stripeWebhookSecret = stripeWebhookSecret
        self.resendAttempts = max(1, resendAttempts)
        self.resendInterval = resendInterval
        self.mailPort = mailPort
        self.mailHost = mailHost
    }

    /// The checkout URL a shop posts its form to.
    public var ecpayCheckoutURL: String { publicBaseURL + "/ecpay" + ECPayProtocol.checkoutPath }
    /// The order query URL.
    public var ecpayQueryURL: String { publicBaseURL + "/ecpay" + ECPayProtocol.queryPath }
    /// The Stripe API base URL (what `STRIPE_API_BASE` points at).
    public var stripeAPIBase: String { publicBaseURL + "/stripe" }
    /// The mail viewer's URL (when a mail server runs).
    public var mailViewerURL: String { publicBaseURL + "/mail" }
}
