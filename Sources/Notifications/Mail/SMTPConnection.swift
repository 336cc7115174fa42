import NIOCore
import NIOSSL

/// Collects the server's replies on the channel's event loop and hands them, one at a time, to
/// whoever waits, failing the wait after its time-out.
final class SMTPReplyHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer

    private var parser = SMTPReplyParser()
    private var replies: [SMTPReply] = []
    private var waiter: (promise: EventLoopPromise<SMTPReply>, timeout: Scheduled<Void>, step: SMTPStep)?
    private var failure: SMTPError?

    /// Whether the server sent bytes nobody asked for yet (not allowed before STARTTLS's TLS).
    var hasUnreadInput: Bool { !replies.isEmpty || parser.hasBufferedInput }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        let bytes = buffer.readBytes(length: buffer.readableBytes) ?? []
        do {
            replies += try parser.feed(bytes)
        } catch {
            fail(.temporary("the server's reply is not SMTP: \(error)"), context: context)
            return
        }
        deliver()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if error is NIOSSLError || error is BoringSSLError {
            fail(.temporary("TLS failed: \(error)"), context: context)
        } else {
            fail(.temporary("connection failed: \(error)"), context: context)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail(.temporary("the server closed the connection"), context: context)
        context.fireChannelInactive()
    }

    /// The next reply, or an error after `timeout`.
    /// Call on `channel`'s event loop; works after the handler left the pipeline too (it then
    /// fails with the reason the connection ended).
    func nextReply(for step: SMTPStep, timeout: TimeAmount, channel: any Channel) -> EventLoopFuture<SMTPReply> {
        let promise = channel.eventLoop.makePromise(of: SMTPReply.self)
        if !replies.isEmpty {
            promise.succeed(replies.removeFirst())
        } else if let failure {
            promise.fail(SMTPError(isPermanent: failure.isPermanent, code: failure.code, message: failure.message, command: step.rawValue))
        } else {
            let bound = NIOLoopBound(self, eventLoop: channel.eventLoop)
            let timeoutTask = channel.eventLoop.scheduleTask(in: timeout) {
                bound.value.failWaiter(.temporary("no reply within \(timeout.nanoseconds / 1_000_000) ms"))
                channel.close(promise: nil)
            }
            waiter = (promise, timeoutTask, step)
        }
        return promise.futureResult
    }

    private func deliver() {
        guard let waiter, !replies.isEmpty else { return }
        self.waiter = nil
        waiter.timeout.cancel()
        waiter.promise.succeed(replies.removeFirst())
    }

    private func fail(_ error: SMTPError, context: ChannelHandlerContext) {
        if failure == nil { failure = error }
        failWaiter(error)
        context.close(promise: nil)
    }

    private func failWaiter(_ error: SMTPError) {
        guard let waiter else { return }
        self.waiter = nil
        waiter.timeout.cancel()
        waiter.promise.fail(SMTPError(isPermanent: error.isPermanent, code: error.code, message: error.message, command: waiter.step.rawValue))
    }
}

/// One connection to an SMTP server: commands out, replies in, a time-out on every wait.
struct SMTPConnection: Sendable {
    let channel: any Channel
    /// The reply handler, kept so that its record of why the connection ended outlives the pipeline.
    let handler: NIOLoopBound<SMTPReplyHandler>

    /// Wraps a connected channel whose pipeline has an `SMTPReplyHandler`.
    init(channel: any Channel) async throws {
        self.channel = channel
        handler = try await channel.eventLoop.submit {
            NIOLoopBound(try channel.pipeline.syncOperations.handler(type: SMTPReplyHandler.self), eventLoop: channel.eventLoop)
        }.get()
    }

    /// Sends `line` (if any) and waits for the reply, checking it against `step`'s expected code.
    @discardableResult
    func command(_ line: String?, step: SMTPStep, timeout: TimeAmount, check: Bool = true) async throws -> SMTPReply {
        try await raw(line.map { Array(($0 + "\r\n").utf8) }, step: step, timeout: timeout, check: check)
    }

    /// Sends `bytes` (if any) and waits for the reply.
    @discardableResult
    func raw(_ bytes: [UInt8]?, step: SMTPStep, timeout: TimeAmount, check: Bool = true) async throws -> SMTPReply {
        let channel = self.channel
        let handler = self.handler
        let future = channel.eventLoop.flatSubmit {
            let reply = handler.value.nextReply(for: step, timeout: timeout, channel: channel)
            if let bytes { channel.writeAndFlush(ByteBuffer(bytes: bytes), promise: nil) }
            return reply
        }
        let reply = try await future.get()
        if check { try step.check(reply) }
        return reply
    }

    /// Starts TLS on the open connection (after `STARTTLS` got 220).
    func startTLS(context sslContext: NIOSSLContext, serverHostname: String?) async throws {
        let channel = self.channel
        let handler = self.handler
        try await channel.eventLoop.flatSubmit { () -> EventLoopFuture<Void> in
            do {
                guard !handler.value.hasUnreadInput else {
                    return channel.eventLoop.makeFailedFuture(SMTPError.permanent("the server sent data before TLS started", command: "STARTTLS"))
                }
                let tls = try NIOSSLClientHandler(context: sslContext, serverHostname: serverHostname)
                try channel.pipeline.syncOperations.addHandler(tls, position: .first)
                return channel.eventLoop.makeSucceededVoidFuture()
            } catch {
                return channel.eventLoop.makeFailedFuture(error)
            }
        }.get()
    }
}
