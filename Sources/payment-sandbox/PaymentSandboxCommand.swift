import ArgumentParser
import Hummingbird
import Logging
import PaymentSandbox

/// `payment-sandbox`: the local ECPay and Stripe stand-in as a server of its own.
@main
struct PaymentSandboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "payment-sandbox",
        abstract: "Runs a local stand-in for ECPay (AioCheckOut/V5) and Stripe Checkout. No money moves.")

    @Option(help: "Listen address.") var host = "127.0.0.1"
    @Option(help: "Listen port.") var port = 8090
    @Option(name: .customLong("public-url"), help: "The sandbox's public URL (default http://<host>:<port>).") var publicURL: String?
    @Option(name: .customLong("merchant-id"), help: "ECPay merchant id accepted.") var merchantID = "3002607"
    @Option(name: .customLong("hash-key"), help: "ECPay HashKey accepted.") var hashKey = "pwFHCqoQZGmho4w6"
    @Option(name: .customLong("hash-iv"), help: "ECPay HashIV accepted.") var hashIV = "EkRm7iFT261dpevs"
    @Option(name: .customLong("stripe-secret-key"), help: "Stripe secret key accepted.") var stripeSecretKey = "sk_test_sandbox"
    @Option(name: .customLong("webhook-url"), help: "Where Stripe events go (the order API's /payment/stripe/webhook).") var webhookURL: String?
    @Option(name: .customLong("webhook-secret"), help: "The whsec_ secret Stripe events are signed with.") var webhookSecret = "whsec_sandbox"
    @Option(name: .customLong("resend-attempts"), help: "Sends of an unacknowledged notification, the first included.") var resendAttempts = 5
    @Option(name: .customLong("resend-interval"), help: "Seconds between resends.") var resendInterval = 2.0
    @Option(name: .customLong("mail-port"), help: "Run an SMTP server on this loopback port (0: any free port); mail shows under /mail.") var mailPort: Int?
    @Option(name: .customLong("log-level"), help: "trace … critical.") var logLevel = "info"

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0 to 65535") }
        if let mailPort, !(0...65535).contains(mailPort) { throw ValidationError("--mail-port must be 0 to 65535") }
        guard resendAttempts >= 1 else { throw ValidationError("--resend-attempts must be at least 1") }
        guard resendInterval >= 0 else { throw ValidationError("--resend-interval must not be negative") }
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("--log-level \(logLevel) is not a log level") }
        guard webhookSecret.hasPrefix("whsec_") else { throw ValidationError("--webhook-secret must start with whsec_") }
    }

    func run() async throws {
        var logger = Logger(label: "payment-sandbox")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
        let base = publicURL ?? "http://\(host):\(port)"
        let sandbox = PaymentSandbox(
            configuration: SandboxConfiguration(
                publicBaseURL: base, ecpayMerchantID: merchantID, ecpayHashKey: hashKey, ecpayHashIV: hashIV,
                stripeSecretKey: stripeSecretKey, stripeWebhookURL: webhookURL, stripeWebhookSecret: webhookSecret,
                resendAttempts: resendAttempts, resendInterval: .milliseconds(Int(resendInterval * 1000)), mailPort: mailPort),
            logger: logger)
        let router = Router()
        sandbox.addRoutes(to: router.group())
        let app = Application(
            router: router, configuration: .init(address: .hostname(host, port: port), serverName: "payment-sandbox"),
            services: sandbox.services, logger: logger)
        logger.info("payment sandbox", metadata: ["checkout": "\(sandbox.configuration.ecpayCheckoutURL)", "stripe": "\(sandbox.configuration.stripeAPIBase)"])
        if sandbox.mailServer != nil { logger.info("sandbox mail viewer", metadata: ["url": "\(sandbox.configuration.mailViewerURL)"]) }
        try await app.runService()
    }
}
