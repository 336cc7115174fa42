import Logging
import NIOCore
import NIOHTTPTypes

/// Guards one HTTP/1 connection. It admits the connection against the `ConnectionCounter` or closes
/// it at once. It then closes it when a phase of an exchange takes longer than `ConnectionLimits`
/// allows:
/// - the request head: `headerTimeout` from the connection's start, or from the first byte of a later request;
/// - the body: `bodyTimeout` in all, and at least `minimumBodyRate` over each `rateWindow`;
/// - between requests: `idleTimeout`;
/// - the answer: `writeTimeout` until the client has taken it all (a reader of 1 byte a second).
/// The application's own work on a request has no limit here.
///
/// It sits after Hummingbird's HTTP decoder (`HTTP1Channel`'s additional handlers), and puts a
/// `ByteActivity` before the decoder, to see the bytes of a head that has not arrived whole.
final class ExchangeGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private enum Phase {
        /// Waiting for a request head; `sawBytes` once some of it arrived (on a kept-alive connection).
        case awaitingHead(sawBytes: Bool)
        case readingBody
        case handling
        case writing
    }

    private let limits: ConnectionLimits
    private let counter: ConnectionCounter
    private let logger: Logger
    private var phase = Phase.awaitingHead(sawBytes: true)
    private var address: String?
    private var started = false
    /// When the current phase runs out, and its name; `nil` while the application works on a request.
    private var deadline: NIODeadline?
    private var deadlinePhase = ""
    private var sweeper: DeadlineSweeper?
    private var bodyStarted = ContinuousClock.now
    private var bodyBytesInWindow = 0
    /// Requests whose head arrived while an earlier answer was under way (HTTP/1 pipelining).
    private var waitingRequests = 0
    /// This handler's context, for what `ByteActivity` reports.
    private var context: ChannelHandlerContext?

    init(limits: ConnectionLimits, counter: ConnectionCounter, logger: Logger) {
        self.limits = limits
        self.counter = counter
        self.logger = logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        let activity = ByteActivity(guard: self)
        try? context.pipeline.syncOperations.addHandler(activity, position: .first)
        if context.channel.isActive { start(context) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        clearDeadline()
        sweeper?.remove(self)
        sweeper = nil
        self.context = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        start(context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        clearDeadline()
        sweeper?.remove(self)
        sweeper = nil
        if let address {
            counter.release(address)
            self.address = nil
        }
        context.fireChannelInactive()
    }

    private func start(_ context: ChannelHandlerContext) {
        guard !started else { return }
        started = true
        let peer = context.channel.remoteAddress?.ipAddress ?? "unknown"
        guard counter.admit(peer) else {
            context.close(promise: nil)
            return
        }
        address = peer
        let sweeper = DeadlineSweeper.of(context.eventLoop)
        sweeper.add(self)
        self.sweeper = sweeper
        // A new connection gets `headerTimeout` for its first head, bytes or not.
        arm(context, after: limits.headerTimeout, phase: "header")
    }

    /// Bytes arrived from the client (before decoding).
    fileprivate func bytesArrived(_ count: Int) {
        guard let context else { return }
        switch phase {
        case .awaitingHead(sawBytes: false):
            phase = .awaitingHead(sawBytes: true)
            arm(context, after: limits.headerTimeout, phase: "header")
        case .readingBody:
            bodyBytesInWindow += count
        default:
            break
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            if case .awaitingHead = phase {
                phase = .readingBody
                bodyStarted = .now
                bodyBytesInWindow = 0
                arm(context, after: min(limits.rateWindow, limits.bodyTimeout), phase: "body")
            } else {
                waitingRequests += 1
            }
        case .body:
            break
        case .end:
            if case .readingBody = phase {
                phase = .handling
                clearDeadline()
            }
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head:
            if case .writing = phase {
            } else {
                phase = .writing
                arm(context, after: limits.writeTimeout, phase: "write")
            }
            context.write(data, promise: promise)
        case .body:
            context.write(data, promise: promise)
        case .end:
            let written = promise ?? context.eventLoop.makePromise()
            written.futureResult.assumeIsolated().whenSuccess { [self] in self.answered(context) }
            context.write(data, promise: written)
        }
    }

    /// The whole answer reached the socket: wait for the next request.
    private func answered(_ context: ChannelHandlerContext) {
        guard case .writing = phase, context.channel.isActive else { return }
        if waitingRequests > 0 {
            waitingRequests -= 1
            phase = .handling
            clearDeadline()
        } else {
            phase = .awaitingHead(sawBytes: false)
            arm(context, after: limits.idleTimeout, phase: "idle")
        }
    }

    private func arm(_ context: ChannelHandlerContext, after duration: Duration, phase name: String) {
        deadline = .now() + TimeAmount(duration)
        deadlinePhase = name
    }

    /// Called by the `DeadlineSweeper` of the connection's event loop.
    func check(_ now: NIODeadline) {
        guard let deadline, deadline <= now, let context else { return }
        self.deadline = nil
        fired(context, phase: deadlinePhase)
    }

    private func fired(_ context: ChannelHandlerContext, phase name: String) {
        if name == "body", case .readingBody = phase {
            let elapsed = ContinuousClock.now - bodyStarted
            if elapsed < limits.bodyTimeout, Double(bodyBytesInWindow) >= Double(limits.minimumBodyRate) * limits.rateWindow.seconds {
                bodyBytesInWindow = 0
                arm(context, after: min(limits.rateWindow, limits.bodyTimeout - elapsed), phase: "body")
                return
            }
        }
        counter.timedOut(name)
        logger.debug("connection closed: too slow", metadata: ["phase": "\(name)", "peer": "\(address ?? "-")"])
        context.close(promise: nil)
    }

    private func clearDeadline() {
        deadline = nil
    }
}

/// Tells the `ExchangeGuard` of its connection when bytes arrive, before the HTTP decoder.
final class ByteActivity: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let exchangeGuard: ExchangeGuard

    init(guard exchangeGuard: ExchangeGuard) {
        self.exchangeGuard = exchangeGuard
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        exchangeGuard.bytesArrived(unwrapInboundIn(data).readableBytes)
        context.fireChannelRead(data)
    }
}
