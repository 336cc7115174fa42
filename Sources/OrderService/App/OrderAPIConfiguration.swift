import StoreModel

/// Everything `order-api serve` can be told. The executable fills it from flags and environment
/// variables; tests build it directly.
public struct OrderAPIConfiguration: Sendable {
    /// Listen address (`--host`, `ORDER_API_HOST`).
    public var host = "127.0.0.1"
    /// Listen port (`--port`, `ORDER_API_PORT`); 0 picks a free port.
    public var port = 8081
    /// Content directory (`--content`, `ORDER_API_CONTENT`).
    public var contentDirectory = "content"
    /// Path of `site-status.json` (`--site-status`, `ORDER_API_SITE_STATUS`).
    public var siteStatusPath = "site-status.json"
    /// Where orders live (`--db`, `ORDER_API_DB`): a SQLite file (the default) or a PostgreSQL database.
    public var database: DatabaseLocation = .sqlite(path: "data/orders.sqlite")
    /// Most PostgreSQL connections this instance keeps (`--db-pool`, `ORDER_API_DB_POOL`).
    public var databasePoolSize = 10
    /// How long one use of PostgreSQL may take before the request answers 503 `database_unavailable`.
    public var databaseDeadline: Duration = .seconds(4)
    /// The parsed-content cache that makes start-ups and reloads parse only changed files; by
    /// default beside the SQLite file, or `data/content.cache` with PostgreSQL.
    public var contentCacheFile: String?
    /// Admin tokens (`ADMIN_TOKEN`, comma-separated); empty turns the admin API off.
    public var adminTokens: [String] = []
    /// CORS origins, exact (`--allowed-origins`, `ALLOWED_ORIGINS`); empty means the storefront URL.
    public var allowedOrigins: [String] = []
    /// The storefront's public URL (`--storefront-url`, `STOREFRONT_URL`); defaults to the shop's `baseURL`.
    public var storefrontURL: String?
    /// The API's own public URL for gateway callbacks (`--public-url`, `ORDER_API_PUBLIC_URL`).
    public var publicURL: String?
    /// Requests per minute per address on `/order` (`--rate-limit`, `ORDER_API_RATE_LIMIT`); 0 is off.
    public var rateLimitPerMinute = 60
    /// `GET /order` lookups per minute per order id (`--order-lookup-limit`, `ORDER_API_ORDER_LOOKUP_LIMIT`).
    /// 0 (the default) counts lookups in the per-address `rateLimitPerMinute` instead; set it when
    /// many shoppers share one address (a carrier-grade NAT), so their polling is not limited together.
    public var orderLookupLimitPerMinute = 0
    /// Failed admin authentications allowed per address per 15 minutes before a lock-out
    /// (`--admin-failure-limit`, `ORDER_API_ADMIN_FAILURE_LIMIT`); 0 is off.
    public var adminFailureLimit = 10
    /// Take the client address from the last `X-Forwarded-For` hop (`--trust-proxy`, `ORDER_API_TRUST_PROXY`).
    public var trustProxy = false
    /// HTTP time-outs and connection limits (`--header-timeout`, `--max-connections`, ...).
    public var connections = ConnectionLimits()
    /// How long an unpaid online order lives, per method (`ORDER_EXPIRY_CREDIT_CARD`, `ORDER_EXPIRY_ATM`, `ORDER_EXPIRY_STRIPE`, seconds).
    public var orderExpiry: [PaymentMethod: Duration] = [.creditCard: .seconds(3600), .stripe: .seconds(3600), .atm: .seconds(4 * 86400)]
    /// How often the expiry sweep runs (`--expiry-sweep-interval`, `ORDER_API_EXPIRY_SWEEP_INTERVAL`, seconds).
    public var expirySweepInterval: Duration = .seconds(60)
    /// A shell command run after the admin API changed a content file, for example a script that
    /// rebuilds the site and uploads it (`--on-content-change`, `ORDER_API_ON_CONTENT_CHANGE`). It
    /// gets the changed paths, one per line, in `STOREFRONT_CHANGED_FILES`.
    public var contentChangeCommand: String?
    /// E-mail and webhooks (`SMTP_URL`, `MAIL_FROM`, `OWNER_EMAIL`, `WEBHOOK_ALLOW_PRIVATE`, `--theme`).
    public var notifications = NotificationConfiguration()
    /// The payment gateways (`ECPAY_*`, `STRIPE_*`); empty turns online payment steps off.
    public var payments = PaymentConfiguration()
    /// Largest gateway callback body in bytes.
    public var paymentBodyLimit = 64 * 1024
    /// Largest `POST /order` body in bytes.
    public var orderBodyLimit = 32 * 1024
    /// Largest admin request body in bytes.
    public var adminBodyLimit = 256 * 1024
    /// How many encoded `GET /order` answers are kept in memory (0 reads every lookup from the database).
    public var orderAnswerCacheEntries = 20_000

    /// The default configuration.
    public init() {}

    /// The SQLite file's path; `nil` on PostgreSQL.
    public var databasePath: String? {
        if case .sqlite(let path) = database { return path }
        return nil
    }

    /// The content cache in effect (`contentCacheFile` or its default).
    public var effectiveContentCacheFile: String {
        contentCacheFile ?? databasePath.map { $0 + ".content-cache" } ?? "data/content.cache"
    }

    /// The CORS origins in force: the configured ones, else the storefront URL's origin, else the shop's.
    public func effectiveOrigins(shopBaseURL: String) -> [String] {
        if !allowedOrigins.isEmpty { return allowedOrigins }
        return [Self.origin(of: storefrontURL ?? shopBaseURL)].compactMap { $0 }
    }

    /// `https://shop.example.tw/path` → `https://shop.example.tw`.
    public static func origin(of url: String) -> String? {
        guard let schemeEnd = url.range(of: "://") else { return nil }
        let rest = url[schemeEnd.upperBound...]
        let host = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        guard !host.isEmpty else { return nil }
        return String(url[..<schemeEnd.upperBound]) + host
    }
}
