import ArgumentParser
import Foundation
import Logging
import OrderService
import StoreModel

/// `order-api serve`: every flag falls back to its environment variable, then to the default.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the API server (the default command).")

    @Option(help: "Listen address (ORDER_API_HOST, default 127.0.0.1).") var host: String?
    @Option(help: "Listen port (ORDER_API_PORT, default 8081).") var port: Int?
    @Option(help: "Content directory (ORDER_API_CONTENT, default content).") var content: String?
    @Option(name: .customLong("site-status"), help: "Path of site-status.json (ORDER_API_SITE_STATUS, default site-status.json).") var siteStatus: String?
    @Option(help: "SQLite database path (ORDER_API_DB, default data/orders.sqlite).") var db: String?
    @Option(name: .customLong("allowed-origins"), help: "CORS origins, comma-separated, matched exactly (ALLOWED_ORIGINS, default the storefront URL).") var allowedOrigins: String?
    @Option(name: .customLong("storefront-url"), help: "The storefront's public URL (STOREFRONT_URL, default the shop's baseURL).") var storefrontURL: String?
    @Option(name: .customLong("public-url"), help: "The API's own public URL, for gateway callbacks (ORDER_API_PUBLIC_URL).") var publicURL: String?
    @Option(name: .customLong("rate-limit"), help: "Requests per minute per address on /order; 0 turns it off (ORDER_API_RATE_LIMIT, default 60).") var rateLimit: Int?
    @Option(name: .customLong("admin-failure-limit"), help: "Failed admin logins per address per 15 minutes before a lock-out; 0 is off (ORDER_API_ADMIN_FAILURE_LIMIT, default 10).") var adminFailureLimit: Int?
    @Flag(name: .customLong("trust-proxy"), help: "Use the last X-Forwarded-For hop as the client address (ORDER_API_TRUST_PROXY=1).") var trustProxy = false
    @Option(name: .customLong("expiry-sweep-interval"), help: "Seconds between unpaid-order expiry sweeps (ORDER_API_EXPIRY_SWEEP_INTERVAL, default 60).") var expirySweepInterval: Int?
    @Option(name: .customLong("on-content-change"), help: "Shell command run after an admin edit changed a content file, e.g. a build-and-upload script (ORDER_API_ON_CONTENT_CHANGE).") var onContentChange: String?
    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical (LOG_LEVEL, default info).") var logLevel: String?
    @Option(name: .customLong("log-format"), help: "text or json (LOG_FORMAT, default text).") var logFormat: String?

    func run() async throws {
        let env = ProcessInfo.processInfo.environment
        func setting(_ flag: String?, _ name: String) -> String? {
            if let flag { return flag }
            if let value = env[name], !value.isEmpty { return value }
            return nil
        }
        func integer(_ flag: Int?, _ name: String) throws -> Int? {
            if let flag { return flag }
            guard let text = env[name], !text.isEmpty else { return nil }
            guard let value = Int(text) else { throw ValidationError("\(name)=\(text) is not a whole number") }
            return value
        }

        let levelText = setting(logLevel, "LOG_LEVEL") ?? "info"
        guard let level = Logger.Level(rawValue: levelText.lowercased()) else { throw ValidationError("log level \(levelText) is not one of trace, debug, info, notice, warning, error, critical") }
        let format = setting(logFormat, "LOG_FORMAT") ?? "text"
        guard format == "text" || format == "json" else { throw ValidationError("log format \(format) is not text or json") }
        LoggingSystem.bootstrap { label in
            var handler: any LogHandler = format == "json" ? JSONLogHandler(label: label) : StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        var logger = Logger(label: "order-api")
        logger.logLevel = level

        var config = OrderAPIConfiguration()
        if let value = setting(host, "ORDER_API_HOST") { config.host = value }
        if let value = try integer(port, "ORDER_API_PORT") { config.port = value }
        if let value = setting(content, "ORDER_API_CONTENT") { config.contentDirectory = value }
        if let value = setting(siteStatus, "ORDER_API_SITE_STATUS") { config.siteStatusPath = value }
        if let value = setting(db, "ORDER_API_DB") { config.databasePath = value }
        config.adminTokens = (env["ADMIN_TOKEN"] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        if let value = setting(allowedOrigins, "ALLOWED_ORIGINS") {
            config.allowedOrigins = value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        config.storefrontURL = setting(storefrontURL, "STOREFRONT_URL")
        config.publicURL = setting(publicURL, "ORDER_API_PUBLIC_URL")
        config.contentChangeCommand = setting(onContentChange, "ORDER_API_ON_CONTENT_CHANGE")
        if let value = try integer(rateLimit, "ORDER_API_RATE_LIMIT") {
            guard value >= 0 else { throw ValidationError("the rate limit must be 0 or more") }
            config.rateLimitPerMinute = value
        }
        if let value = try integer(adminFailureLimit, "ORDER_API_ADMIN_FAILURE_LIMIT") { config.adminFailureLimit = max(0, value) }
        config.trustProxy = trustProxy || ["1", "true", "yes"].contains((env["ORDER_API_TRUST_PROXY"] ?? "").lowercased())
        if let value = try integer(expirySweepInterval, "ORDER_API_EXPIRY_SWEEP_INTERVAL") {
            guard value > 0 else { throw ValidationError("the expiry sweep interval must be positive") }
            config.expirySweepInterval = .seconds(value)
        }
        for (method, name) in [(PaymentMethod.creditCard, "ORDER_EXPIRY_CREDIT_CARD"), (.atm, "ORDER_EXPIRY_ATM"), (.stripe, "ORDER_EXPIRY_STRIPE")] {
            if let seconds = try integer(nil, name) {
                guard seconds > 0 else { throw ValidationError("\(name) must be a positive number of seconds") }
                config.orderExpiry[method] = .seconds(seconds)
            }
        }

        do {
            config.payments = try PaymentConfiguration.fromEnvironment(env)
        } catch {
            throw ValidationError(error.description)
        }

        do {
            let app = try await buildApplication(configuration: config, logger: logger)
            try await app.runService()
        } catch let error as PaymentConfigurationError {
            throw ValidationError(error.description)
        }
    }
}
