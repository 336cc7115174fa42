import Hummingbird
import HummingbirdCore
import Logging

extension HTTP1Channel.Configuration {
    /// HTTP/1 with an `ExchangeGuard` on every connection (the time-outs and connection limits of
    /// `limits`, counted in `counter`) and a `ConnectionDrain` (no request broken when the server
    /// stops). Hummingbird's own idle time-out is left off.
    public static func guarded(_ limits: ConnectionLimits, counter: ConnectionCounter, logger: Logger) -> HTTP1Channel.Configuration {
        .init(additionalChannelHandlers: [ExchangeGuard(limits: limits, counter: counter, logger: logger), ConnectionDrain()])
    }
}

extension HTTPServerBuilder {
    /// HTTP/1 as `HTTP1Channel.Configuration.guarded` configures it.
    public static func guarded(_ limits: ConnectionLimits, counter: ConnectionCounter, logger: Logger) -> HTTPServerBuilder {
        .http1(configuration: .guarded(limits, counter: counter, logger: logger))
    }
}
