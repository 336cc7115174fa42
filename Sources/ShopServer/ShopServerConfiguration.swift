import Foundation
import OrderService
import StoreModel

/// Everything `storefront serve` can be told: where the shop's sources are, where it keeps its
/// local data, and where it listens.
public struct ShopServerConfiguration: Sendable {
    /// Listen address.
    public var host = "127.0.0.1"
    /// Listen port; the pages are built with this port in their URLs.
    public var port = 8080
    /// The content directory.
    public var contentDirectory = "content"
    /// The shop's theme; its files override the default theme's.
    public var themeDirectory = "themes/default"
    /// The default theme every theme falls back to.
    public var defaultThemeDirectory = "themes/default"
    /// The site-status file the admin page edits and the pages read.
    public var siteStatusPath = "site-status.json"
    /// Local state: the built site (`site/`) and the orders database (`orders.sqlite`).
    public var dataDirectory = ".data"
    /// The admin token the admin page signs in with.
    public var adminToken: String
    /// Requests per minute per address on `/order` (higher than production's default, for trying things out).
    /// HTTP time-outs and connection limits, as the order API's (`ConnectionLimits` defaults).
    public var connections = ConnectionLimits()
    public var orderRateLimitPerMinute = 600
    /// How often the sources are checked for changes.
    public var pollInterval: Duration = .milliseconds(300)

    /// The path prefix of the order API on the shop's origin.
    public static let apiPrefix = "/api"
    /// The path prefix of the payment sandbox.
    public static let sandboxPrefix = "/sandbox"
    /// The path prefix of the server's own routes (live reload).
    public static let internalPrefix = "/__storefront"

    /// Creates a configuration with the given admin token and the usual defaults.
    public init(adminToken: String) {
        self.adminToken = adminToken
    }

    /// `http://127.0.0.1:8080`
    public var shopURL: String {
        let shownHost = host == "0.0.0.0" || host == "::" ? "127.0.0.1" : host
        return "http://\(shownHost.contains(":") ? "[\(shownHost)]" : shownHost):\(port)"
    }

    /// Where the built site is written and served from.
    public var outputDirectory: String { dataDirectory + "/site" }
    /// The orders database.
    public var databasePath: String { dataDirectory + "/orders.sqlite" }
    /// Where orders live: the SQLite file in the data directory unless `--db` names another
    /// (a file, or a PostgreSQL URL).
    public var database: DatabaseLocation?
    /// The database in effect.
    public var effectiveDatabase: DatabaseLocation { database ?? .sqlite(path: databasePath) }
}

/// A fresh admin token: 24 random bytes as 48 hex digits.
public func generateAdminToken() -> String {
    var generator = SystemRandomNumberGenerator()
    return Hex.lowercase((0..<24).map { _ in UInt8.random(in: 0...255, using: &generator) })
}
