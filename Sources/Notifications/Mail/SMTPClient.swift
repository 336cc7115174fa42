import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL

/// Sends mail over SMTP, one connection per message: connect, greeting, EHLO, STARTTLS (or TLS
/// from the start), AUTH, MAIL FROM, RCPT TO, DATA, QUIT.
///
/// Every wait has a time-out; the connection is closed on every path. Failures are `SMTPError`s
/// that say whether a retry can help.
public struct SMTPClient: Sendable {
    /// How long each step may take.
    public struct Timeouts: Sendable, Hashable {
        /// Establishing the TCP connection.
        public var connect: Duration
        /// The server's 220 greeting (and the TLS handshake of `smtps`).
        public var greeting: Duration
        /// The reply to each command.
        public var command: Duration
        /// The reply after the message's final `.`.
        public var dataEnd: Duration

        /// Creates time-outs; the defaults are RFC 5321's spirit, shortened.
        public init(connect: Duration = .seconds(10), greeting: Duration = .seconds(30), command: Duration = .seconds(30), dataEnd: Duration = .seconds(120)) {
            self.connect = connect
            self.greeting = greeting
            self.command = command
            self.dataEnd = dataEnd
        }
    }

    /// Where to send and how.
    public let settings: SMTPSettings
    /// The name this client gives in EHLO (only letters, digits and `.-[]:` are kept).
    public let heloName: String
    /// How long each step may take.
    public let timeouts: Timeouts
    let tlsConfiguration: TLSConfiguration
    let eventLoopGroup: any EventLoopGroup
    let logger: Logger
    /// The AUTH mechanisms this client uses, in order of preference.
    var authMechanisms = ["PLAIN", "LOGIN"]

    /// Creates a client. `tlsConfiguration` defaults to the system's trust roots with full
    /// certificate and host name verification.
    public init(
        settings: SMTPSettings, heloName: String = "localhost", timeouts: Timeouts = .init(), tlsConfiguration: TLSConfiguration? = nil,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, logger: Logger
    ) {
        self.settings = settings
        let name = String(
            String.UnicodeScalarView(
                heloName.unicodeScalars.filter {
                    $0.properties.isASCIIHexDigit || ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ".-[]:".unicodeScalars.contains($0)
                }))
        self.heloName = name.isEmpty ? "localhost" : name
        self.timeouts = timeouts
        self.tlsConfiguration = tlsConfiguration ?? .makeClientConfiguration()
        self.eventLoopGroup = eventLoopGroup
        self.logger = logger
    }

    /// Sends `message` to `message.to` from `message.from.address`. Cancelling the task closes the
    /// connection and throws a temporary error.
    public func send(_ message: MailMessage) async throws(SMTPError) {
        try await send(envelopeFrom: message.from.address, recipients: message.to.map(\.address), data: message.rendered())
        logger.info("mail sent", metadata: ["messageID": "\(message.messageID)", "recipients": "\(message.to.count)", "server": "\(settings.redacted)"])
    }

    /// Sends `data` (a whole message with CRLF line endings) in one SMTP transaction.
    func send(envelopeFrom: String, recipients: [String], data: [UInt8]) async throws(SMTPError) {
        guard !recipients.isEmpty else { throw .permanent("the message has no recipients") }
        do {
            try await transaction(envelopeFrom: envelopeFrom, recipients: recipients, data: data)
        } catch let error as SMTPError {
            logger.warning("mail not sent", metadata: ["error": "\(error)", "permanent": "\(error.isPermanent)", "server": "\(settings.redacted)"])
            throw error
        } catch {
            let wrapped = SMTPError.temporary("\(error)")
            logger.warning("mail not sent", metadata: ["error": "\(wrapped)", "server": "\(settings.redacted)"])
            throw wrapped
        }
    }

    private var serverHostname: String? {
        // SNI and host name checks take names, not addresses.
        let host = settings.host
        let isAddress = host.contains(":") || host.split(separator: ".").allSatisfy { UInt8($0) != nil }
        return isAddress ? nil : host
    }

    private func transaction(envelopeFrom: String, recipients: [String], data: [UInt8]) async throws {
        let sslContext: NIOSSLContext?
        do {
            sslContext = settings.security == .none ? nil : try NIOSSLContext(configuration: tlsConfiguration)
        } catch {
            throw SMTPError.permanent("the TLS configuration is unusable: \(error)")
        }
        let channel = try await connect(sslContext: settings.security == .implicitTLS ? sslContext : nil)
        let connection: SMTPConnection
        do {
            connection = try await SMTPConnection(channel: channel)
        } catch {
            try? await channel.close()
            throw SMTPError.temporary("the connection closed at once", command: "connect")
        }
        do {
            // Cancelling the sending task closes the connection, which ends the wait at once.
            try await withTaskCancellationHandler {
                try await converse(connection, sslContext: sslContext, envelopeFrom: envelopeFrom, recipients: recipients, data: data)
            } onCancel: {
                channel.close(promise: nil)
            }
        } catch {
            try? await channel.close()
            if Task.isCancelled { throw SMTPError.temporary("cancelled") }
            throw error
        }
        // QUIT problems do not undo a delivered message.
        _ = try? await connection.command("QUIT", step: .quit, timeout: .seconds(5), check: false)
        try? await channel.close()
    }

    private func connect(sslContext: NIOSSLContext?) async throws -> any Channel {
        let hostname = serverHostname
        let bootstrap = ClientBootstrap(group: eventLoopGroup)
            .connectTimeout(TimeAmount(timeouts.connect))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let sslContext {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: sslContext, serverHostname: hostname))
                    }
                    try channel.pipeline.syncOperations.addHandler(SMTPReplyHandler())
                }
            }
        do {
            return try await bootstrap.connect(host: settings.host, port: settings.port).get()
        } catch {
            throw SMTPError.temporary("cannot connect to \(settings.host):\(settings.port): \(error)", command: "connect")
        }
    }

    private func converse(_ connection: SMTPConnection, sslContext: NIOSSLContext?, envelopeFrom: String, recipients: [String], data: [UInt8]) async throws {
        let command = TimeAmount(timeouts.command)
        try await connection.command(nil, step: .greeting, timeout: TimeAmount(timeouts.greeting))
        var capabilities = try await hello(connection)
        if settings.security == .startTLS {
            guard let sslContext, capabilities != nil, capabilities?["STARTTLS"] != nil else {
                throw SMTPError.permanent("the server does not offer STARTTLS, which smtp:// requires", command: "EHLO")
            }
            try await connection.command("STARTTLS", step: .startTLS, timeout: command)
            try await connection.startTLS(context: sslContext, serverHostname: serverHostname)
            capabilities = try await hello(connection)
        }
        if let username = settings.username {
            try await authenticate(connection, username: username, password: settings.password ?? "", capabilities: capabilities ?? [:])
        }
        let needsUTF8 = !envelopeFrom.allSatisfy(\.isASCII) || recipients.contains { !$0.allSatisfy(\.isASCII) }
        var mailFrom = "MAIL FROM:<\(envelopeFrom)>"
        if needsUTF8 {
            guard capabilities?["SMTPUTF8"] != nil else {
                throw SMTPError.permanent("an address is not ASCII and the server does not offer SMTPUTF8", command: "MAIL FROM")
            }
            mailFrom += " SMTPUTF8"
        }
        try await connection.command(mailFrom, step: .mailFrom, timeout: command)
        for recipient in recipients {
            try await connection.command("RCPT TO:<\(recipient)>", step: .rcptTo, timeout: command)
        }
        try await connection.command("DATA", step: .data, timeout: command)
        try await connection.raw(Self.dotStuffed(data), step: .dataEnd, timeout: TimeAmount(timeouts.dataEnd))
    }

    /// EHLO, or HELO when EHLO gets a 5xx; the EHLO capabilities, `nil` after HELO.
    private func hello(_ connection: SMTPConnection) async throws -> [String: [String]]? {
        let timeout = TimeAmount(timeouts.command)
        let reply = try await connection.command("EHLO \(heloName)", step: .ehlo, timeout: timeout, check: false)
        if reply.code == 250 { return reply.capabilities }
        guard reply.isPermanentFailure else { try SMTPStep.ehlo.check(reply); return nil }
        try await connection.command("HELO \(heloName)", step: .helo, timeout: timeout)
        return nil
    }

    private func authenticate(_ connection: SMTPConnection, username: String, password: String, capabilities: [String: [String]]) async throws {
        let timeout = TimeAmount(timeouts.command)
        let offered = capabilities["AUTH"] ?? []
        func base64(_ text: String) -> String { Data(text.utf8).base64EncodedString() }
        switch authMechanisms.first(where: offered.contains) {
        case "PLAIN":
            logger.debug("smtp auth", metadata: ["mechanism": "PLAIN"])
            try await connection.command("AUTH PLAIN " + base64("\0\(username)\0\(password)"), step: .auth, timeout: timeout)
        case "LOGIN":
            logger.debug("smtp auth", metadata: ["mechanism": "LOGIN"])
            try await connection.command("AUTH LOGIN", step: .authChallenge, timeout: timeout)
            try await connection.command(base64(username), step: .authChallenge, timeout: timeout)
            try await connection.command(base64(password), step: .auth, timeout: timeout)
        default:
            throw SMTPError.permanent("credentials are set but the server offers neither AUTH PLAIN nor AUTH LOGIN", command: "AUTH")
        }
    }

    /// `data` made safe for DATA: every line starting with `.` gets another `.`, the message ends
    /// with CRLF, then the terminating `.` CRLF.
    static func dotStuffed(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(data.count + data.count / 50 + 5)
        var atLineStart = true
        for byte in data {
            if atLineStart && byte == UInt8(ascii: ".") { out.append(byte) }
            out.append(byte)
            atLineStart = byte == UInt8(ascii: "\n")
        }
        if !out.isEmpty && !(out.count >= 2 && out[out.count - 2] == UInt8(ascii: "\r") && out[out.count - 1] == UInt8(ascii: "\n")) {
            out += Array("\r\n".utf8)
        }
        out += Array(".\r\n".utf8)
        return out
    }
}
