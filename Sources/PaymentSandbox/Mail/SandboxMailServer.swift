import Logging
import NIOCore
import NIOPosix
import NIOSSL
import ServiceLifecycle
import Synchronization

/// A small SMTP server on loopback that keeps what it receives in `mailbox`, so mail can be tested
/// and looked at without sending any.
///
/// It speaks EHLO/HELO, AUTH PLAIN and LOGIN (any credentials), MAIL, RCPT, DATA, RSET, NOOP and
/// QUIT, and STARTTLS when given a TLS context. Run it as a service: it serves until graceful shutdown or
/// cancellation, then closes its listener and every connection.
public final class SandboxMailServer: Service, Sendable {
    /// The address it binds.
    public let host: String
    /// The port asked for; 0 binds any free port (see `listeningPort()`).
    public let port: Int
    /// What it received.
    public let mailbox = SandboxMailbox()
    let logger: Logger
    private let eventLoopGroup: any EventLoopGroup
    private let tlsContext: NIOSSLContext?
    private let implicitTLS: Bool

    private struct State {
        var port: Result<Int, any Error>?
        var waiters: [CheckedContinuation<Int, any Error>] = []
        var failures: (count: Int, code: Int) = (0, 0)
    }
    private let state = Mutex(State())

    /// Creates a server; nothing is bound until `run()`. With `tlsContext` (a server context with a
    /// certificate) it offers STARTTLS, or, with `implicitTLS`, speaks TLS from the first byte (`smtps`).
    public init(host: String = "127.0.0.1", port: Int, tlsContext: NIOSSLContext? = nil, implicitTLS: Bool = false, logger: Logger) {
        self.host = host
        self.port = port
        self.tlsContext = tlsContext
        self.implicitTLS = implicitTLS && tlsContext != nil
        self.logger = logger
        self.eventLoopGroup = MultiThreadedEventLoopGroup.singleton
    }

    /// Makes the next `count` transactions fail with `code` (for example 451 or 550) at the end of DATA.
    public func failNext(_ count: Int, code: Int) {
        state.withLock { $0.failures = (max(0, count), code) }
    }

    /// Waits until the server is bound and returns its port; throws if binding failed or the
    /// server stopped first.
    public func listeningPort() async throws -> Int {
        try await withCheckedThrowingContinuation { continuation in
            let known: Result<Int, any Error>? = state.withLock { state in
                if let port = state.port { return port }
                state.waiters.append(continuation)
                return nil
            }
            if let known { continuation.resume(with: known) }
        }
    }

    private func settle(_ result: Result<Int, any Error>) {
        let waiters = state.withLock { state in
            if state.port == nil { state.port = result }
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume(with: result) }
    }

    /// Binds and serves until graceful shutdown or cancellation.
    public func run() async throws {
        let server: NIOAsyncChannel<NIOAsyncChannel<SMTPLine, ByteBuffer>, Never>
        let implicitTLSContext = implicitTLS ? tlsContext : nil
        do {
            server = try await ServerBootstrap(group: eventLoopGroup)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .bind(host: host, port: port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        if let tlsContext = implicitTLSContext { try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tlsContext)) }
                        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(SMTPLineDecoder()))
                        return try NIOAsyncChannel<SMTPLine, ByteBuffer>(wrappingChannelSynchronously: channel)
                    }
                }
        } catch {
            settle(.failure(error))
            throw error
        }
        let boundPort = server.channel.localAddress?.port ?? port
        settle(.success(boundPort))
        logger.info("sandbox mail server", metadata: ["address": "\(host):\(boundPort)"])
        do {
            try await cancelWhenGracefulShutdown {
                try await server.executeThenClose { connections in
                    try await withThrowingDiscardingTaskGroup { group in
                        for try await connection in connections {
                            group.addTask { await self.serve(connection) }
                        }
                    }
                }
            }
        } catch is CancellationError {
            // Shutdown: the listener and every connection are closed.
        }
        settle(.failure(CancellationError()))
        logger.info("sandbox mail server stopped", metadata: ["address": "\(host):\(boundPort)"])
    }

    private func serve(_ connection: NIOAsyncChannel<SMTPLine, ByteBuffer>) async {
        do {
            try await connection.executeThenClose { inbound, outbound in
                var session = SandboxSMTPSession(offersTLS: tlsContext != nil && !implicitTLS)
                try await outbound.write(ByteBuffer(string: SandboxSMTPSession.greeting))
                for try await line in inbound {
                    switch session.receive(line) {
                    case .reply(let text):
                        if !text.isEmpty { try await outbound.write(ByteBuffer(string: text)) }
                    case .startTLS(let text):
                        try await startTLS(on: connection.channel, reply: text)
                    case .close(let text):
                        try await outbound.write(ByteBuffer(string: text))
                        return
                    case .message:
                        let reply = accept(session.envelope)
                        session.resetTransaction()
                        try await outbound.write(ByteBuffer(string: reply))
                    }
                }
            }
        } catch {
            logger.debug("sandbox mail connection ended", metadata: ["error": "\(error)"])
        }
    }

    /// Sends `reply` in clear, then puts TLS in front of everything, in one event-loop turn so
    /// that no byte of the client's handshake can arrive in between.
    private func startTLS(on channel: any Channel, reply: String) async throws {
        guard let tlsContext else { return }
        try await channel.eventLoop.flatSubmit { () -> EventLoopFuture<Void> in
            let written = channel.writeAndFlush(ByteBuffer(string: reply))
            do {
                try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tlsContext), position: .first)
            } catch {
                return channel.eventLoop.makeFailedFuture(error)
            }
            return written
        }.get()
    }

    /// Stores `envelope` unless a failure was asked for; the reply to the end of DATA.
    private func accept(_ envelope: SandboxEnvelope) -> String {
        let failure: Int? = state.withLock { state in
            guard state.failures.count > 0 else { return nil }
            state.failures.count -= 1
            return state.failures.code
        }
        if let failure {
            logger.info("sandbox mail refused on request", metadata: ["code": "\(failure)"])
            let detail = failure >= 500 ? "5.0.0 refused by the sandbox (failNext)" : "4.0.0 try again later (failNext)"
            return "\(failure) \(detail)\r\n"
        }
        let mail = mailbox.store(envelope)
        logger.info("sandbox mail received", metadata: ["id": "\(mail.id)", "to": "\(mail.envelopeTo.joined(separator: ","))", "subject": "\(mail.subject)"])
        return "250 2.0.0 OK queued as \(mail.id)\r\n"
    }
}
