import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

/// A local stand-in for ECPay and Stripe that speaks both protocols on loopback, so the whole
/// payment flow runs offline. Mount it in any Hummingbird router:
///
/// ```swift
/// let sandbox = PaymentSandbox(configuration: .init(publicBaseURL: "http://127.0.0.1:8080/sandbox"), logger: logger)
/// sandbox.addRoutes(to: router.group("sandbox"))
/// ```
///
/// Paths under the mount point mirror the gateways' (`ecpay/Cashier/AioCheckOut/V5`,
/// `ecpay/Cashier/QueryTradeInfo/V5`, `stripe/v1/checkout/sessions`) beside its hosted pages
/// (`ecpay/credit/<MerchantTradeNo>`, `ecpay/atm/<MerchantTradeNo>`, `stripe/pay/<session>`).
public struct PaymentSandbox: Sendable {
    /// What the sandbox accepts and where it notifies.
    public let configuration: SandboxConfiguration
    let ledger = SandboxLedger()
    let resends = ResendService()
    let logger: Logger
    /// The SMTP server whose mail the `mail/` pages show; `nil` when `configuration.mailPort` is `nil`.
    public let mailServer: SandboxMailServer?

    /// Creates a sandbox with empty state.
    public init(configuration: SandboxConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        self.mailServer = configuration.mailPort.map { SandboxMailServer(host: configuration.mailHost, port: $0, logger: logger) }
    }

    /// Adds every sandbox route to `group` (for example `router.group("sandbox")`).
    public func addRoutes<Context: RequestContext>(to group: RouterGroup<Context>) {
        let notifier = Notifier(
            attempts: configuration.resendAttempts, interval: configuration.resendInterval, resends: resends, logger: logger)
        ECPaySandboxController<Context>(configuration: configuration, ledger: ledger, notifier: notifier, logger: logger).addRoutes(to: group)
        StripeSandboxController<Context>(configuration: configuration, ledger: ledger, notifier: notifier, logger: logger).addRoutes(to: group)
        group.get("assets/autosubmit.js") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/javascript; charset=utf-8", .cacheControl: "no-cache"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: HTML.autoSubmitScript)))
        }
        if let mailServer {
            MailViewerController<Context>(mailbox: mailServer.mailbox, base: configuration.mailViewerURL).addRoutes(to: group)
        }
        group.get { _, _ in
            HTML.response(HTML.page(title: "Payment sandbox", body: "<h1>Payment sandbox</h1><p>ECPay AioCheckOut/V5 and Stripe Checkout stand-ins.</p>"))
        }
    }

    /// Background work the sandbox needs running beside its routes: the notification resends and
    /// the mail server, if any. Run them in the same service group as the server; they stop when it stops.
    public var services: [any Service] { [resends] + (mailServer.map { [$0] } ?? []) }
}
