import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Ends one HTTP/1 connection without breaking a request when the server stops (a restart, a
/// deploy). On `ChannelShouldQuiesceEvent`:
/// - a request under way is answered, with `Connection: close`, and the connection then closed;
/// - an idle connection stays open for `grace`: a request that was already on its way is answered
///   the same way, and the connection is closed when `grace` ends with none.
///
/// Closing an idle kept-alive connection at once would race a client's next request: the client
/// sees a reset and a failed request. A client told `Connection: close` reconnects, and its next
/// connection waits in the listening socket's queue for the server that takes over.
final class ConnectionDrain: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    /// How long an idle connection stays open once the server stops, for a request already sent.
    static let defaultGrace: Duration = .seconds(1)

    private let grace: Duration
    private var draining = false
    /// Requests whose head arrived and whose answer has not ended.
    private var requestsUnderWay = 0
    private var graceTimer: Scheduled<Void>?

    init(grace: Duration = ConnectionDrain.defaultGrace) {
        self.grace = grace
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        graceTimer?.cancel()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard event is ChannelShouldQuiesceEvent else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        // Not passed on: Hummingbird's own handling closes an idle connection at once.
        guard !draining else { return }
        draining = true
        if requestsUnderWay == 0 { startGrace(context) }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .head(var head) = unwrapInboundIn(data) else {
            context.fireChannelRead(data)
            return
        }
        requestsUnderWay += 1
        guard draining else {
            context.fireChannelRead(data)
            return
        }
        graceTimer?.cancel()
        graceTimer = nil
        // The application ends the connection after answering a request that asks it to.
        head.headerFields[.connection] = "close"
        context.fireChannelRead(wrapInboundOut(.head(head)))
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(var head) where draining:
            head.headerFields[.connection] = "close"
            context.write(wrapOutboundOut(.head(head)), promise: promise)
        case .end:
            requestsUnderWay -= 1
            guard draining, requestsUnderWay == 0 else {
                context.write(data, promise: promise)
                return
            }
            let written = promise ?? context.eventLoop.makePromise()
            written.futureResult.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
            context.write(data, promise: written)
        default:
            context.write(data, promise: promise)
        }
    }

    private func startGrace(_ context: ChannelHandlerContext) {
        graceTimer = context.eventLoop.assumeIsolatedUnsafeUnchecked().scheduleTask(in: TimeAmount(grace)) { [self] in
            self.graceTimer = nil
            if self.requestsUnderWay == 0 { context.close(promise: nil) }
        }
    }
}
