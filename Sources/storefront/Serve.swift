import ArgumentParser
import Foundation
import Logging
import OrderService
import ShopServer

/// `storefront serve`: the whole shop locally, rebuilt and reloaded as the sources change.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Build and serve the shop with its order API and payment sandbox on one origin, rebuilding on change.")

    @Option(help: "The content directory.") var content = "content"
    @Option(help: "Your theme directory; its files override the default theme's.") var theme: String?
    @Option(help: "A default theme folder; where it exists, its files override the default theme built into storefront.") var defaultTheme = "themes/default"
    @Option(help: "The site-status.json the admin page edits.") var siteStatus = "site-status.json"
    @Option(help: "Where the built site and the orders database live.") var data = ".data"
    @Option(help: "The orders database: a SQLite file (default: orders.sqlite in --data) or a postgres:// URL (ORDER_API_DB).") var db: String?
    @Option(help: "Listen address.") var host = "127.0.0.1"
    @Option(help: "Listen port.") var port = 8080
    @Option(name: .customLong("admin-token"), help: "The admin token (default: ADMIN_TOKEN, else a fresh one is printed).") var adminToken: String?
    @Flag(help: "Log every request and build step.") var verbose = false

    func validate() throws {
        try validateFolders(content: content, theme: theme)
        guard FileManager.default.fileExists(atPath: siteStatus) else {
            throw ValidationError("site status file '\(siteStatus)' does not exist")
        }
        guard (1...65535).contains(port) else { throw ValidationError("the port must be between 1 and 65535") }
        if let adminToken, adminToken.count < 16 { throw ValidationError("the admin token must be at least 16 characters") }
        _ = try database()
    }

    /// `--db`, else `ORDER_API_DB`, parsed; `nil` keeps the SQLite file in `--data`.
    func database() throws -> DatabaseLocation? {
        let environment = ProcessInfo.processInfo.environment["ORDER_API_DB"].flatMap { $0.isEmpty ? nil : $0 }
        guard let value = db ?? environment else { return nil }
        do {
            return try DatabaseLocation.parse(value, setting: db != nil ? "--db" : "ORDER_API_DB")
        } catch {
            throw ValidationError("\(error)")
        }
    }

    func run() async throws {
        let level: Logger.Level = verbose ? .debug : .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let environmentToken = ProcessInfo.processInfo.environment["ADMIN_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
        let token = adminToken ?? environmentToken ?? generateAdminToken()
        var settings = ShopServerConfiguration(adminToken: token)
        settings.host = host
        settings.port = port
        settings.contentDirectory = content
        settings.themeDirectory = theme ?? defaultTheme
        settings.defaultThemeDirectory = defaultTheme
        settings.siteStatusPath = siteStatus
        settings.dataDirectory = data
        settings.database = try database()
        let shownToken = adminToken == nil && environmentToken == nil ? token : "(the one you configured)"
        let themeFolders = Set([theme, defaultTheme].compactMap { $0 }).sorted().filter { FileManager.default.fileExists(atPath: $0) }
        let watched = ([content] + themeFolders).map { $0 + "/" }.joined(separator: ", ") + " and " + siteStatus
        let server = ShopServer(configuration: settings, logger: Logger(label: "storefront"))
        do {
            try await server.run { addresses in
                FileHandle.standardOutput.write(
                    Data(
                        """

                        Shop:         \(addresses.shop)
                        Admin:        \(addresses.admin)
                        Admin token:  \(shownToken)
                        Order API:    \(addresses.api)
                        Sent e-mail:  \(addresses.mail)
                        Watching \(watched); press Ctrl-C to stop.

                        """.utf8))
            }
        } catch {
            throw reportFailure(error)
        }
    }
}
