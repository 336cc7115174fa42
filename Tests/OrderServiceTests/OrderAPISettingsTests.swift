import Foundation
import Testing

@testable import OrderService

/// The one reader of `order-api`'s flags and environment.
@Suite("order-api settings", .timeLimit(.minutes(2)))
struct OrderAPISettingsTests {
    @Test("a flag wins over its variable, a variable over the default, and empty variables count as unset")
    func precedence() throws {
        var flags = OrderAPIFlags()
        flags.port = 9000
        let settings = OrderAPISettings(
            flags: flags,
            environment: ["ORDER_API_PORT": "9100", "ORDER_API_HOST": "0.0.0.0", "ORDER_API_DB": "", "ADMIN_TOKEN": " a, ,b ", "ORDER_EXPIRY_ATM": "60"])
        let config = try settings.configuration()
        #expect(config.port == 9000)
        #expect(config.host == "0.0.0.0")
        #expect(config.databasePath == "data/orders.sqlite")
        #expect(config.adminTokens == ["a", "b"])
        #expect(config.orderExpiry[.atm] == .seconds(60))
        flags.db = "x.sqlite"
        #expect(try OrderAPISettings(flags: flags, environment: ["ORDER_API_DB": "y.sqlite"]).databasePath() == "x.sqlite")
        #expect(try OrderAPISettings(flags: OrderAPIFlags(), environment: ["ORDER_API_DB": "y.sqlite"]).databasePath() == "y.sqlite")
        // A URL is never taken for a file path: understood (PostgreSQL) or refused.
        for url in ["postgresql://db/shop", "mysql://db/shop"] {
            #expect(throws: OrderAPISettingsError.self) { try OrderAPISettings(flags: OrderAPIFlags(), environment: ["ORDER_API_DB": url]).configuration() }
        }
        let postgres = try OrderAPISettings(flags: OrderAPIFlags(), environment: ["ORDER_API_DB": "postgres://u:p@db:5432/shop", "ORDER_API_DB_POOL": "3"])
            .configuration()
        #expect(postgres.databasePath == nil && postgres.databasePoolSize == 3)
        #expect(postgres.effectiveContentCacheFile == "data/content.cache")
        #expect(throws: OrderAPISettingsError("the database pool size must be 1 to 500 connections")) {
            try OrderAPISettings(flags: OrderAPIFlags(), environment: ["ORDER_API_DB_POOL": "0"]).configuration()
        }
        // The SQLite-only commands (backup, restore) say so.
        #expect(
            throws: OrderAPISettingsError(
                "ORDER_API_DB: this command works on a SQLite file; back up PostgreSQL with pg_dump or pg_basebackup (README: Running several instances)")
        ) { try OrderAPISettings(flags: OrderAPIFlags(), environment: ["ORDER_API_DB": "postgres://u@db/shop"]).databasePath() }
        #expect(
            try OrderAPISettings(flags: OrderAPIFlags(), environment: ["ORDER_API_DB": "/srv/shop/a://b.sqlite"]).databasePath() == "/srv/shop/a://b.sqlite")
    }

    @Test("time-outs and connection limits: flags over variables over defaults, out-of-range values refused by name")
    func connectionLimits() throws {
        #expect(try OrderAPISettings(flags: OrderAPIFlags(), environment: [:]).configuration().connections == ConnectionLimits())
        var flags = OrderAPIFlags()
        flags.headerTimeout = 5
        flags.maxConnections = 900
        let limits = try OrderAPISettings(
            flags: flags,
            environment: [
                "ORDER_API_HEADER_TIMEOUT": "7", "ORDER_API_BODY_TIMEOUT": "20", "ORDER_API_IDLE_TIMEOUT": "45", "ORDER_API_WRITE_TIMEOUT": "12",
                "ORDER_API_MAX_CONNECTIONS": "100", "ORDER_API_MAX_CONNECTIONS_PER_ADDRESS": "0",
            ]
        ).configuration().connections
        #expect(limits.headerTimeout == .seconds(5) && limits.bodyTimeout == .seconds(20) && limits.idleTimeout == .seconds(45))
        #expect(limits.writeTimeout == .seconds(12) && limits.maxConnections == 900 && limits.maxConnectionsPerAddress == 0)
        #expect(throws: OrderAPISettingsError("ORDER_API_IDLE_TIMEOUT must be 1 to 3600 seconds")) {
            try OrderAPISettings(flags: OrderAPIFlags(), environment: ["ORDER_API_IDLE_TIMEOUT": "0"]).configuration()
        }
        var tooLong = OrderAPIFlags()
        tooLong.headerTimeout = 3601
        #expect(throws: OrderAPISettingsError("--header-timeout must be 1 to 3600 seconds")) {
            try OrderAPISettings(flags: tooLong, environment: [:]).configuration()
        }
        #expect(throws: OrderAPISettingsError.self) {
            try OrderAPISettings(flags: OrderAPIFlags(), environment: ["ORDER_API_MAX_CONNECTIONS": "0"]).configuration()
        }
        #expect(throws: OrderAPISettingsError.self) {
            try OrderAPISettings(flags: OrderAPIFlags(), environment: ["ORDER_API_MAX_CONNECTIONS_PER_ADDRESS": "-1"]).configuration()
        }
    }

    @Test("bad values are refused with the variable's name")
    func refusals() {
        #expect(throws: OrderAPISettingsError("ORDER_API_PORT=eighty is not a whole number")) {
            try OrderAPISettings(flags: OrderAPIFlags(), environment: ["ORDER_API_PORT": "eighty"]).configuration()
        }
        #expect(throws: OrderAPISettingsError("ORDER_EXPIRY_STRIPE must be a positive number of seconds")) {
            try OrderAPISettings(flags: OrderAPIFlags(), environment: ["ORDER_EXPIRY_STRIPE": "0"]).configuration()
        }
        #expect(throws: OrderAPISettingsError.self) {
            try OrderAPISettings(flags: OrderAPIFlags(), environment: ["LOG_FORMAT": "xml"]).logsJSON()
        }
    }

    @Test("e-mail settings: SMTP_URL with MAIL_FROM turns e-mail on; a bad value stops start-up naming its variable")
    func notificationSettings() throws {
        func configuration(_ environment: [String: String]) throws(OrderAPISettingsError) -> OrderAPIConfiguration {
            try OrderAPISettings(flags: OrderAPIFlags(), environment: environment).configuration()
        }
        let off = try configuration([:])
        #expect(off.notifications.smtp == nil && !off.notifications.routing.emailEnabled && !off.notifications.allowPrivateWebhooks)
        let on = try configuration([
            "SMTP_URL": "smtps://shop%40example.tw:p%40ss@smtp.example.tw", "MAIL_FROM": "台南山丘酪梨園 <shop@example.tw>",
            "OWNER_EMAIL": "a@example.tw, Bo <b@example.tw>", "WEBHOOK_ALLOW_PRIVATE": "1",
        ])
        #expect(on.notifications.smtp?.security == .implicitTLS && on.notifications.smtp?.port == 465 && on.notifications.smtp?.password == "p@ss")
        #expect(on.notifications.mailFrom?.name == "台南山丘酪梨園")
        #expect(on.notifications.routing == NotificationRouting(emailEnabled: true, ownerEmails: ["a@example.tw", "b@example.tw"]))
        #expect(on.notifications.allowPrivateWebhooks)
        for (environment, variable) in [
            (["SMTP_URL": "ftp://mail.example.tw"], "SMTP_URL"),
            (["SMTP_URL": "smtp://mail.example.tw:587?tls=none", "MAIL_FROM": "a@b.tw"], "SMTP_URL"),
            (["SMTP_URL": "smtp://mail.example.tw"], "MAIL_FROM"),
            (["SMTP_URL": "smtp://mail.example.tw", "MAIL_FROM": "not an address"], "MAIL_FROM"),
            (["OWNER_EMAIL": "a@example.tw, nope"], "OWNER_EMAIL"),
            (["WEBHOOK_ALLOW_PRIVATE": "maybe"], "WEBHOOK_ALLOW_PRIVATE"),
            (["SMTP_CA_FILE": "/nonexistent/ca.pem"], "SMTP_CA_FILE"),
        ] {
            do {
                _ = try configuration(environment)
                Issue.record("\(environment) was accepted")
            } catch {
                #expect(error.description.hasPrefix(variable), "\(error.description)")
                #expect(!error.description.contains("p@ss"))
            }
        }
    }

    @Test("log levels in any case, else the subcommand's default")
    func logLevels() throws {
        #expect(try OrderAPISettings(flags: OrderAPIFlags(), environment: [:]).logLevel(default: .warning) == .warning)
        #expect(try OrderAPISettings(flags: OrderAPIFlags(), environment: ["LOG_LEVEL": "DEBUG"]).logLevel(default: .info) == .debug)
        #expect(throws: OrderAPISettingsError.self) {
            try OrderAPISettings(flags: OrderAPIFlags(), environment: ["LOG_LEVEL": "loud"]).logLevel(default: .info)
        }
    }
}
