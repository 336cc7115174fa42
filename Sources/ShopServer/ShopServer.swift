import Foundation
import Hummingbird
import Logging
import Notifications
import OrderService
import PaymentSandbox
import ServiceLifecycle

/// The whole shop in one process for local use: the built site, the order API under `/api` on the
/// same origin, and a rebuild with live reload whenever the sources change.
public struct ShopServer: Sendable {
    /// Where the shop can be reached once it runs.
    public struct Addresses: Sendable {
        /// The shop's home page.
        public var shop: String
        /// The owner's admin page.
        public var admin: String
        /// The order API's root.
        public var api: String
        /// The sandbox's mailbox: every e-mail the shop sent, as the recipient would see it.
        public var mail: String
    }

    /// Errors that stop the server before it serves anything.
    public enum StartError: Error, CustomStringConvertible {
        /// The first build failed and no earlier build exists to serve.
        case firstBuildFailed

        /// A readable explanation.
        public var description: String {
            "the shop could not be built (see the errors above), and there is no earlier build to serve"
        }
    }

    let configuration: ShopServerConfiguration
    let logger: Logger

    /// Creates a server; nothing happens until `run`.
    public init(configuration: ShopServerConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    /// The addresses this configuration serves at.
    public var addresses: Addresses {
        let shop = configuration.shopURL
        return Addresses(
            shop: shop + "/", admin: shop + "/admin/", api: shop + ShopServerConfiguration.apiPrefix + "/",
            mail: shop + ShopServerConfiguration.sandboxPrefix + "/mail/")
    }

    /// Builds the shop, starts serving, calls `onReady` once the port is open, and runs until
    /// SIGINT or SIGTERM.
    public func run(onReady: @escaping @Sendable (Addresses) async -> Void = { _ in }) async throws {
        try FileManager.default.createDirectory(atPath: configuration.dataDirectory, withIntermediateDirectories: true)
        let hub = LiveReloadHub()
        let rebuilder = SiteRebuilder(configuration: configuration, hub: hub, logger: logger)
        if await rebuilder.build(reason: "start") == nil {
            guard rebuilder.hasSite else { throw StartError.firstBuildFailed }
            await rebuilder.loadExistingHeaders()
        }
        // The sandbox's SMTP server starts first, on a port it picks itself, so the API's real SMTP
        // client can be pointed at it; it runs beside the app and stops after it.
        let sandbox = PaymentSandbox(configuration: sandboxConfiguration, logger: logger)
        guard let mailServer = sandbox.mailServer else { preconditionFailure("the local shop always has a mail server") }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await mailServer.run() }
            let mailPort = try await mailServer.listeningPort()
            try await serve(sandbox: sandbox, mailPort: mailPort, rebuilder: rebuilder, hub: hub, onReady: onReady)
            group.cancelAll()
        }
    }

    private func serve(
        sandbox: PaymentSandbox, mailPort: Int, rebuilder: SiteRebuilder, hub: LiveReloadHub, onReady: @escaping @Sendable (Addresses) async -> Void
    ) async throws {
        let api = try await OrderAPI(configuration: try apiConfiguration(mailPort: mailPort), logger: logger)
        await rebuilder.attach(api)

        let router = Router(context: AppRequestContext.self)
        router.add(
            middleware: StaticSiteMiddleware(
                root: configuration.outputDirectory,
                passThroughPrefixes: [ShopServerConfiguration.apiPrefix, ShopServerConfiguration.sandboxPrefix, ShopServerConfiguration.internalPrefix],
                rebuilder: rebuilder))
        api.addRoutes(to: router.group(RouterPath(ShopServerConfiguration.apiPrefix)))
        sandbox.addRoutes(to: router.group(RouterPath(ShopServerConfiguration.sandboxPrefix)))
        LiveReloadController(hub: hub).addRoutes(to: router.group(RouterPath(ShopServerConfiguration.internalPrefix)))

        let watcher = SourceWatcher(
            paths: [configuration.contentDirectory, configuration.themeDirectory, configuration.defaultThemeDirectory, configuration.siteStatusPath],
            interval: configuration.pollInterval, rebuilder: rebuilder, hub: hub, logger: logger)
        let addresses = self.addresses
        DescriptorLimit.raise(for: configuration.connections.maxConnections, logger: logger)
        let app = Application(
            router: router,
            server: .guarded(configuration.connections, counter: api.connectionCounter, logger: logger),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "storefront"),
            services: api.services + sandbox.services.filter { $0 as? SandboxMailServer !== sandbox.mailServer } + [watcher],
            onServerRunning: { _ in await onReady(addresses) },
            logger: logger)
        try await app.runService()
    }

    /// The order API's settings under `serve`: the same origin, the local database, the admin token,
    /// e-mail through the sandbox's SMTP server on `mailPort`, and webhooks allowed to loopback.
    func apiConfiguration(mailPort: Int) throws -> OrderAPIConfiguration {
        var api = OrderAPIConfiguration()
        api.contentDirectory = configuration.contentDirectory
        api.siteStatusPath = configuration.siteStatusPath
        api.database = configuration.effectiveDatabase
        api.contentCacheFile = configuration.dataDirectory + "/orders.sqlite.content-cache"
        api.adminTokens = [configuration.adminToken]
        api.storefrontURL = configuration.shopURL
        api.publicURL = configuration.shopURL + ShopServerConfiguration.apiPrefix
        api.allowedOrigins = [configuration.shopURL]
        api.rateLimitPerMinute = configuration.orderRateLimitPerMinute
        api.connections = configuration.connections
        api.payments = PaymentConfiguration(
            ecpay: ECPayConfiguration(environment: .sandbox(baseURL: sandboxURL)),
            stripe: StripeConfiguration(secretKey: Self.sandboxStripeKey, webhookSecret: Self.sandboxWebhookSecret, apiBase: sandboxURL + "/stripe"))
        api.notifications.smtp = try SMTPSettings(url: "smtp://127.0.0.1:\(mailPort)?tls=none")
        api.notifications.mailFrom = try MailAddress(name: "Storefront (local)", address: "shop@localhost")
        api.notifications.ownerEmails = [try MailAddress(name: "Owner", address: "owner@localhost")]
        api.notifications.allowPrivateWebhooks = true
        api.notifications.themeDirectories = [configuration.defaultThemeDirectory, configuration.themeDirectory]
        return api
    }

    /// The payment sandbox's settings: the public ECPay stage merchant, and Stripe keys that only
    /// the sandbox knows, with its webhooks sent to the API on the same origin.
    var sandboxConfiguration: SandboxConfiguration {
        SandboxConfiguration(
            publicBaseURL: sandboxURL, stripeSecretKey: Self.sandboxStripeKey,
            stripeWebhookURL: configuration.shopURL + ShopServerConfiguration.apiPrefix + "/payment/stripe/webhook",
            stripeWebhookSecret: Self.sandboxWebhookSecret, mailPort: 0)
    }

    private var sandboxURL: String { configuration.shopURL + ShopServerConfiguration.sandboxPrefix }
    static let sandboxStripeKey = "sk_test_storefront_sandbox"
    static let sandboxWebhookSecret = "whsec_storefront_sandbox"
}
