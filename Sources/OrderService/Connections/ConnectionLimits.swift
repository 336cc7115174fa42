/// How long each phase of an HTTP exchange may take, and how many connections may be open: the
/// API's own defence against slow clients and connection floods, with or without a proxy in front.
public struct ConnectionLimits: Sendable, Hashable {
    /// From a new connection, or from the first byte of a later request, until its whole request
    /// head has arrived (`--header-timeout`, `ORDER_API_HEADER_TIMEOUT`).
    public var headerTimeout: Duration = .seconds(10)
    /// From the request head until the end of its body (`--body-timeout`, `ORDER_API_BODY_TIMEOUT`).
    public var bodyTimeout: Duration = .seconds(30)
    /// The slowest a body may arrive, in bytes per second, measured over each `rateWindow`.
    public var minimumBodyRate = 512
    /// The period over which `minimumBodyRate` is checked.
    public var rateWindow: Duration = .seconds(5)
    /// How long a kept-alive connection may wait for its next request (`--idle-timeout`, `ORDER_API_IDLE_TIMEOUT`).
    public var idleTimeout: Duration = .seconds(60)
    /// From the start of an answer until the client has taken all of it (`--write-timeout`, `ORDER_API_WRITE_TIMEOUT`).
    public var writeTimeout: Duration = .seconds(30)
    /// Most connections open at once (`--max-connections`, `ORDER_API_MAX_CONNECTIONS`); a new
    /// one beyond it is closed at once.
    public var maxConnections = 4096
    /// Most connections open at once from one address (`--max-connections-per-address`,
    /// `ORDER_API_MAX_CONNECTIONS_PER_ADDRESS`); 0 is no limit. Behind a proxy (`--trust-proxy`)
    /// every connection comes from the proxy, so this limit is not applied there.
    public var maxConnectionsPerAddress = 256

    /// The defaults above.
    public init() {}
}
