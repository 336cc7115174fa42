import ArgumentParser
import Foundation
import Logging
import OrderService

/// `order-api serve`: every flag falls back to its environment variable, then to the default
/// (`OrderAPISettings` reads them).
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the API server (the default command).")

    @Option(help: "Listen address (ORDER_API_HOST, default 127.0.0.1).") var host: String?
    @Option(help: "Listen port (ORDER_API_PORT, default 8081).") var port: Int?
    @Option(help: "Content directory (ORDER_API_CONTENT, default content).") var content: String?
    @Option(name: .customLong("site-status"), help: "Path of site-status.json (ORDER_API_SITE_STATUS, default site-status.json).") var siteStatus: String?
    @OptionGroup var database: DatabaseOption
    @Option(name: .customLong("db-pool"), help: "Most PostgreSQL connections of this instance (ORDER_API_DB_POOL, default 10).") var dbPool: Int?
    @Option(name: .customLong("allowed-origins"), help: "CORS origins, comma-separated, matched exactly (ALLOWED_ORIGINS, default the storefront URL).")
    var allowedOrigins: String?
    @Option(name: .customLong("storefront-url"), help: "The storefront's public URL (STOREFRONT_URL, default the shop's baseURL).") var storefrontURL: String?
    @Option(name: .customLong("public-url"), help: "The API's own public URL, for gateway callbacks (ORDER_API_PUBLIC_URL).") var publicURL: String?
    @Option(name: .customLong("rate-limit"), help: "Requests per minute per address on /order; 0 turns it off (ORDER_API_RATE_LIMIT, default 60).")
    var rateLimit: Int?
    @Option(
        name: .customLong("admin-failure-limit"),
        help: "Failed admin logins per address per 15 minutes before a lock-out; 0 is off (ORDER_API_ADMIN_FAILURE_LIMIT, default 10).") var adminFailureLimit:
        Int?
    @Option(
        name: .customLong("order-lookup-limit"),
        help:
            "GET /order lookups per minute per order id, instead of per address; for shoppers sharing one address (ORDER_API_ORDER_LOOKUP_LIMIT, default 0: off)."
    )
    var orderLookupLimit: Int?
    @Flag(name: .customLong("trust-proxy"), help: "Use the last X-Forwarded-For hop as the client address (ORDER_API_TRUST_PROXY=1).") var trustProxy = false
    @Option(name: .customLong("header-timeout"), help: "Seconds for a request head to arrive whole (ORDER_API_HEADER_TIMEOUT, default 10).")
    var headerTimeout: Int?
    @Option(name: .customLong("body-timeout"), help: "Seconds for a request body, at 512 bytes/s or more (ORDER_API_BODY_TIMEOUT, default 30).")
    var bodyTimeout: Int?
    @Option(name: .customLong("idle-timeout"), help: "Seconds a kept-alive connection may wait between requests (ORDER_API_IDLE_TIMEOUT, default 60).")
    var idleTimeout: Int?
    @Option(name: .customLong("write-timeout"), help: "Seconds for a client to take a whole answer (ORDER_API_WRITE_TIMEOUT, default 30).")
    var writeTimeout: Int?
    @Option(name: .customLong("max-connections"), help: "Most connections open at once; more are closed at once (ORDER_API_MAX_CONNECTIONS, default 4096).")
    var maxConnections: Int?
    @Option(
        name: .customLong("max-connections-per-address"),
        help: "Most connections from one address; 0 is none, and none applies with --trust-proxy (ORDER_API_MAX_CONNECTIONS_PER_ADDRESS, default 256).")
    var maxConnectionsPerAddress: Int?
    @Option(name: .customLong("expiry-sweep-interval"), help: "Seconds between unpaid-order expiry sweeps (ORDER_API_EXPIRY_SWEEP_INTERVAL, default 60).")
    var expirySweepInterval: Int?
    @Option(
        name: .customLong("on-content-change"),
        help: "Shell command run after an admin edit changed a content file, e.g. a build-and-upload script (ORDER_API_ON_CONTENT_CHANGE).")
    var onContentChange: String?
    @Option(help: "A theme folder whose emails/ and locales/ override the default theme's (ORDER_API_THEME, default themes/default beside the content folder).")
    var theme: String?
    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical (LOG_LEVEL, default info).") var logLevel: String?
    @Option(name: .customLong("log-format"), help: "text or json (LOG_FORMAT, default text).") var logFormat: String?

    var settings: OrderAPISettings {
        var flags = OrderAPIFlags()
        flags.host = host
        flags.port = port
        flags.content = content
        flags.theme = theme
        flags.siteStatus = siteStatus
        flags.db = database.db
        flags.dbPool = dbPool
        flags.allowedOrigins = allowedOrigins
        flags.storefrontURL = storefrontURL
        flags.publicURL = publicURL
        flags.rateLimit = rateLimit
        flags.adminFailureLimit = adminFailureLimit
        flags.trustProxy = trustProxy
        flags.orderLookupLimit = orderLookupLimit
        flags.headerTimeout = headerTimeout
        flags.bodyTimeout = bodyTimeout
        flags.idleTimeout = idleTimeout
        flags.writeTimeout = writeTimeout
        flags.maxConnections = maxConnections
        flags.maxConnectionsPerAddress = maxConnectionsPerAddress
        flags.expirySweepInterval = expirySweepInterval
        flags.onContentChange = onContentChange
        flags.logLevel = logLevel
        flags.logFormat = logFormat
        return .current(flags)
    }

    func validate() throws {
        let settings = self.settings
        _ = try validated { try settings.logLevel(default: .info) }
        _ = try validated(settings.logsJSON)
        _ = try validated(settings.configuration)
    }

    func run() async throws {
        let settings = self.settings
        let level = try validated { try settings.logLevel(default: .info) }
        let json = try validated(settings.logsJSON)
        let config = try validated(settings.configuration)
        LoggingSystem.bootstrap { label in
            var handler: any LogHandler = json ? JSONLogHandler(label: label) : StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        var logger = Logger(label: "order-api")
        logger.logLevel = level
        do {
            let socket = try InheritedSocket.take()
            DescriptorLimit.raise(for: config.connections.maxConnections, logger: logger)
            try await runOrderAPI(configuration: config, logger: logger, socket: socket)
        } catch let error as PaymentConfigurationError {
            throw ValidationError(error.description)
        } catch let error as InheritedSocket.Unusable {
            throw ValidationError(error.description)
        }
    }
}
