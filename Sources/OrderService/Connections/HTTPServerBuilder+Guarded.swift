import Hummingbird
import HummingbirdCore
import Logging

extension HTTPServerBuilder {
    /// HTTP/1 with an `ExchangeGuard` on every connection: the time-outs and connection limits
    /// of `limits`, counted in `counter`. Hummingbird's own idle time-out is left off.
    public static func guarded(_ limits: ConnectionLimits, counter: ConnectionCounter, logger: Logger) -> HTTPServerBuilder {
        .http1(configuration: .init(additionalChannelHandlers: [ExchangeGuard(limits: limits, counter: counter, logger: logger)]))
    }
}
