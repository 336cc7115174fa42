import Foundation
import Logging
import StoreModel

/// The flags an `order-api` subcommand was given; `nil` (or `false`) means not given.
public struct OrderAPIFlags: Sendable {
    /// `--host`.
    public var host: String?
    /// `--port`.
    public var port: Int?
    /// `--content`.
    public var content: String?
    /// `--site-status`.
    public var siteStatus: String?
    /// `--db`.
    public var db: String?
    /// `--db-pool`.
    public var dbPool: Int?
    /// `--allowed-origins`, comma-separated.
    public var allowedOrigins: String?
    /// `--storefront-url`.
    public var storefrontURL: String?
    /// `--public-url`.
    public var publicURL: String?
    /// `--rate-limit`.
    public var rateLimit: Int?
    /// `--order-lookup-limit`.
    public var orderLookupLimit: Int?
    /// `--admin-failure-limit`.
    public var adminFailureLimit: Int?
    /// `--trust-proxy`.
    public var trustProxy = false
    /// `--header-timeout`, seconds.
    public var headerTimeout: Int?
    /// `--body-timeout`, seconds.
    public var bodyTimeout: Int?
    /// `--idle-timeout`, seconds.
    public var idleTimeout: Int?
    /// `--write-timeout`, seconds.
    public var writeTimeout: Int?
    /// `--max-connections`.
    public var maxConnections: Int?
    /// `--max-connections-per-address`.
    public var maxConnectionsPerAddress: Int?
    /// `--expiry-sweep-interval`, seconds.
    public var expirySweepInterval: Int?
    /// `--on-content-change`.
    public var onContentChange: String?
    /// `--theme`.
    public var theme: String?
    /// `--log-level`.
    public var logLevel: String?
    /// `--log-format`.
    public var logFormat: String?

    /// No flags.
    public init() {}
}

/// A setting `order-api` cannot use; the message names the flag or variable.
public struct OrderAPISettingsError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong.
    public var description: String

    init(_ description: String) { self.description = description }
}

/// The one reader of `order-api`'s settings, for every subcommand: a flag wins, then its
/// environment variable when it is set and not empty, then the default of `OrderAPIConfiguration`.
public struct OrderAPISettings: Sendable {
    /// The flags given.
    public var flags: OrderAPIFlags
    /// The process environment.
    public var environment: [String: String]

    /// A reader of `flags` and `environment`.
    public init(flags: OrderAPIFlags, environment: [String: String]) {
        self.flags = flags
        self.environment = environment
    }

    /// Everything `order-api serve` uses.
    public func configuration() throws(OrderAPISettingsError) -> OrderAPIConfiguration {
        var config = OrderAPIConfiguration()
        if let value = setting(flags.host, "ORDER_API_HOST") { config.host = value }
        if let value = try integer(flags.port, "ORDER_API_PORT") { config.port = value }
        if let value = setting(flags.content, "ORDER_API_CONTENT") { config.contentDirectory = value }
        if let value = setting(flags.siteStatus, "ORDER_API_SITE_STATUS") { config.siteStatusPath = value }
        config.database = try databaseLocation()
        if let value = try integer(flags.dbPool, "ORDER_API_DB_POOL") {
            guard (1...500).contains(value) else { throw OrderAPISettingsError("the database pool size must be 1 to 500 connections") }
            config.databasePoolSize = value
        }
        config.adminTokens = list(environment["ADMIN_TOKEN"] ?? "")
        if let value = setting(flags.allowedOrigins, "ALLOWED_ORIGINS") { config.allowedOrigins = list(value) }
        config.storefrontURL = setting(flags.storefrontURL, "STOREFRONT_URL")
        config.publicURL = setting(flags.publicURL, "ORDER_API_PUBLIC_URL")
        config.contentChangeCommand = setting(flags.onContentChange, "ORDER_API_ON_CONTENT_CHANGE")
        if let value = try integer(flags.rateLimit, "ORDER_API_RATE_LIMIT") {
            guard value >= 0 else { throw OrderAPISettingsError("the rate limit must be 0 or more") }
            config.rateLimitPerMinute = value
        }
        if let value = try integer(flags.orderLookupLimit, "ORDER_API_ORDER_LOOKUP_LIMIT") {
            guard value >= 0 else { throw OrderAPISettingsError("the order lookup limit must be 0 or more") }
            config.orderLookupLimitPerMinute = value
        }
        if let value = try integer(flags.adminFailureLimit, "ORDER_API_ADMIN_FAILURE_LIMIT") { config.adminFailureLimit = max(0, value) }
        config.trustProxy = flags.trustProxy || ["1", "true", "yes"].contains((environment["ORDER_API_TRUST_PROXY"] ?? "").lowercased())
        config.connections = try connectionLimits()
        if let value = try integer(flags.expirySweepInterval, "ORDER_API_EXPIRY_SWEEP_INTERVAL") {
            guard value > 0 else { throw OrderAPISettingsError("the expiry sweep interval must be positive") }
            config.expirySweepInterval = .seconds(value)
        }
        for (method, name) in [(PaymentMethod.creditCard, "ORDER_EXPIRY_CREDIT_CARD"), (.atm, "ORDER_EXPIRY_ATM"), (.stripe, "ORDER_EXPIRY_STRIPE")] {
            if let seconds = try integer(nil, name) {
                guard seconds > 0 else { throw OrderAPISettingsError("\(name) must be a positive number of seconds") }
                config.orderExpiry[method] = .seconds(seconds)
            }
        }
        config.payments = try payments()
        config.notifications = try NotificationConfiguration.fromEnvironment(environment, theme: setting(flags.theme, "ORDER_API_THEME"))
        return config
    }

    /// The HTTP time-outs (seconds, 1 to 3,600) and connection limits.
    func connectionLimits() throws(OrderAPISettingsError) -> ConnectionLimits {
        var limits = ConnectionLimits()
        let timeouts: [(Int?, String, WritableKeyPath<ConnectionLimits, Duration>)] = [
            (flags.headerTimeout, "ORDER_API_HEADER_TIMEOUT", \.headerTimeout), (flags.bodyTimeout, "ORDER_API_BODY_TIMEOUT", \.bodyTimeout),
            (flags.idleTimeout, "ORDER_API_IDLE_TIMEOUT", \.idleTimeout), (flags.writeTimeout, "ORDER_API_WRITE_TIMEOUT", \.writeTimeout),
        ]
        for (flag, name, key) in timeouts {
            guard let seconds = try integer(flag, name) else { continue }
            guard (1...3600).contains(seconds) else { throw OrderAPISettingsError("\(flag != nil ? Self.flagName(name) : name) must be 1 to 3600 seconds") }
            limits[keyPath: key] = .seconds(seconds)
        }
        if let value = try integer(flags.maxConnections, "ORDER_API_MAX_CONNECTIONS") {
            guard (1...1_000_000).contains(value) else { throw OrderAPISettingsError("the connection limit must be 1 to 1000000") }
            limits.maxConnections = value
        }
        if let value = try integer(flags.maxConnectionsPerAddress, "ORDER_API_MAX_CONNECTIONS_PER_ADDRESS") {
            guard value >= 0 else { throw OrderAPISettingsError("the per-address connection limit must be 0 (none) or more") }
            limits.maxConnectionsPerAddress = value
        }
        return limits
    }

    /// `ORDER_API_HEADER_TIMEOUT` → `--header-timeout`.
    private static func flagName(_ variable: String) -> String {
        "--" + variable.dropFirst("ORDER_API_".count).lowercased().replacingOccurrences(of: "_", with: "-")
    }

    /// The SQLite database path (`--db`, `ORDER_API_DB`, default `data/orders.sqlite`), for the
    /// commands that work on a SQLite file only (backup, restore); a PostgreSQL URL is refused
    /// with a message saying so. A URL is never taken for a file path.
    public func databasePath() throws(OrderAPISettingsError) -> String {
        switch try databaseLocation() {
        case .sqlite(let path):
            return path
        case .postgres:
            throw OrderAPISettingsError(
                "\(databaseSettingName): this command works on a SQLite file; back up PostgreSQL with pg_dump or pg_basebackup (README: Running several instances)"
            )
        }
    }

    /// The database (`--db`, `ORDER_API_DB`, default the SQLite file `data/orders.sqlite`): a SQLite
    /// path or a parsed `postgres://` URL. Anything else written as `scheme://` is refused.
    public func databaseLocation() throws(OrderAPISettingsError) -> DatabaseLocation {
        let value = setting(flags.db, "ORDER_API_DB") ?? OrderAPIConfiguration().databasePath ?? ""
        return try DatabaseLocation.parse(value, setting: databaseSettingName)
    }

    /// The name of the database setting in effect, for messages.
    private var databaseSettingName: String { flags.db != nil ? "--db" : "ORDER_API_DB" }

    /// The payment gateways (`ECPAY_*`, `STRIPE_*`).
    public func payments() throws(OrderAPISettingsError) -> PaymentConfiguration {
        do {
            return try PaymentConfiguration.fromEnvironment(environment)
        } catch {
            throw OrderAPISettingsError(error.description)
        }
    }

    /// The log level (`--log-level`, `LOG_LEVEL`, in any case), else `fallback`.
    public func logLevel(default fallback: Logger.Level) throws(OrderAPISettingsError) -> Logger.Level {
        guard let text = setting(flags.logLevel, "LOG_LEVEL") else { return fallback }
        guard let level = Logger.Level(rawValue: text.lowercased()) else {
            throw OrderAPISettingsError("log level \(text) is not one of trace, debug, info, notice, warning, error, critical")
        }
        return level
    }

    /// Whether logs are JSON lines (`--log-format`, `LOG_FORMAT`: `text`, the default, or `json`).
    public func logsJSON() throws(OrderAPISettingsError) -> Bool {
        let format = setting(flags.logFormat, "LOG_FORMAT") ?? "text"
        guard format == "text" || format == "json" else { throw OrderAPISettingsError("log format \(format) is not text or json") }
        return format == "json"
    }

    private func setting(_ flag: String?, _ name: String) -> String? {
        if let flag { return flag }
        if let value = environment[name], !value.isEmpty { return value }
        return nil
    }

    private func integer(_ flag: Int?, _ name: String) throws(OrderAPISettingsError) -> Int? {
        if let flag { return flag }
        guard let text = environment[name], !text.isEmpty else { return nil }
        guard let value = Int(text) else { throw OrderAPISettingsError("\(name)=\(text) is not a whole number") }
        return value
    }

    private func list(_ text: String) -> [String] {
        text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}
