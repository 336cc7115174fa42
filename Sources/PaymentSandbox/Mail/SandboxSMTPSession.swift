import Foundation

/// A message the sandbox's SMTP server took in, before it is stored.
struct SandboxEnvelope: Sendable {
    var from: String
    var to: [String]
    var data: [UInt8]
    var user: String?
}

/// The server side of one SMTP conversation as a pure state machine: lines in, replies out.
struct SandboxSMTPSession {
    /// What the connection should do after a line.
    enum Output: Equatable {
        /// Send these reply lines.
        case reply(String)
        /// A message is complete; store it (or refuse it) and answer.
        case message
        /// Send these reply lines, then close.
        case close(String)
        /// Send these reply lines, then start TLS before reading on.
        case startTLS(String)
    }

    private enum State: Equatable {
        case start, ready, mail, rcpt, data
        case authPlain
        case authLoginUser
        case authLoginPassword(String)
    }

    static let hostname = "sandbox.localhost"
    static let maximumSize = 10 * 1024 * 1024
    static let maximumRecipients = 100

    private var state = State.start
    /// Whether `STARTTLS` is offered (the server has a TLS context and TLS is not on yet).
    private(set) var offersTLS: Bool
    private(set) var user: String?
    private(set) var envelope = SandboxEnvelope(from: "", to: [], data: [])
    private var dataProblem: String?

    init(offersTLS: Bool = false) {
        self.offersTLS = offersTLS
    }

    static let greeting = "220 \(hostname) Storefront sandbox ESMTP\r\n"

    mutating func receive(_ input: SMTPLine) -> Output {
        let line: [UInt8]
        switch input {
        case .line(let bytes): line = bytes
        case .tooLong:
            if state == .data {
                dataProblem = "500 5.5.2 line too long\r\n"
                return .reply("")
            }
            return .reply("500 5.5.2 line too long\r\n")
        }
        switch state {
        case .data: return dataLine(line)
        case .authPlain: return authPlain(String(decoding: line, as: UTF8.self))
        case .authLoginUser:
            guard let user = Self.base64(String(decoding: line, as: UTF8.self)) else { return authFailed() }
            state = .authLoginPassword(user)
            return .reply("334 UGFzc3dvcmQ6\r\n")
        case .authLoginPassword(let name):
            guard Self.base64(String(decoding: line, as: UTF8.self)) != nil else { return authFailed() }
            user = name
            state = .ready
            return .reply("235 2.7.0 Authentication successful\r\n")
        default: return command(String(decoding: line, as: UTF8.self))
        }
    }

    private mutating func command(_ line: String) -> Output {
        let verb = line.prefix { $0 != " " }.uppercased()
        let argument = line.dropFirst(verb.count).trimmingCharacters(in: .whitespaces)
        switch verb {
        case "EHLO":
            guard !argument.isEmpty else { return .reply("501 5.5.4 EHLO needs a domain\r\n") }
            resetTransaction()
            state = .ready
            let tls = offersTLS ? "250-STARTTLS\r\n" : ""
            return .reply(
                "250-\(Self.hostname) greets \(argument)\r\n250-8BITMIME\r\n250-AUTH PLAIN LOGIN\r\n250-SIZE \(Self.maximumSize)\r\n\(tls)250 ENHANCEDSTATUSCODES\r\n"
            )
        case "HELO":
            guard !argument.isEmpty else { return .reply("501 5.5.4 HELO needs a domain\r\n") }
            resetTransaction()
            state = .ready
            return .reply("250 \(Self.hostname)\r\n")
        case "AUTH":
            guard state == .ready else { return .reply("503 5.5.1 AUTH needs EHLO and no transaction\r\n") }
            guard user == nil else { return .reply("503 5.5.1 already authenticated\r\n") }
            let words = argument.split(separator: " ").map(String.init)
            switch words.first?.uppercased() {
            case "PLAIN":
                if words.count > 1 { return authPlain(words[1]) }
                state = .authPlain
                return .reply("334 \r\n")
            case "LOGIN":
                if words.count > 1 {
                    guard let name = Self.base64(words[1]) else { return authFailed() }
                    state = .authLoginPassword(name)
                    return .reply("334 UGFzc3dvcmQ6\r\n")
                }
                state = .authLoginUser
                return .reply("334 VXNlcm5hbWU6\r\n")
            default: return .reply("504 5.5.4 unrecognised authentication mechanism\r\n")
            }
        case "MAIL":
            guard state != .start else { return .reply("503 5.5.1 send EHLO first\r\n") }
            guard state == .ready else { return .reply("503 5.5.1 a transaction is already open\r\n") }
            guard let path = Self.path(argument, prefix: "FROM:") else { return .reply("501 5.5.4 syntax: MAIL FROM:<address>\r\n") }
            envelope = SandboxEnvelope(from: path, to: [], data: [], user: user)
            state = .mail
            return .reply("250 2.1.0 OK\r\n")
        case "RCPT":
            guard state == .mail || state == .rcpt else { return .reply("503 5.5.1 send MAIL FROM first\r\n") }
            guard let path = Self.path(argument, prefix: "TO:"), !path.isEmpty else { return .reply("501 5.5.4 syntax: RCPT TO:<address>\r\n") }
            guard envelope.to.count < Self.maximumRecipients else { return .reply("452 4.5.3 too many recipients\r\n") }
            envelope.to.append(path)
            state = .rcpt
            return .reply("250 2.1.5 OK\r\n")
        case "DATA":
            guard state == .rcpt else { return .reply("503 5.5.1 send RCPT TO first\r\n") }
            state = .data
            dataProblem = nil
            return .reply("354 End data with <CR><LF>.<CR><LF>\r\n")
        case "RSET":
            resetTransaction()
            if state != .start { state = .ready }
            return .reply("250 2.0.0 OK\r\n")
        case "NOOP": return .reply("250 2.0.0 OK\r\n")
        case "VRFY": return .reply("252 2.1.5 cannot verify, will try\r\n")
        case "QUIT": return .close("221 2.0.0 bye\r\n")
        case "STARTTLS":
            guard offersTLS else { return .reply("502 5.5.1 STARTTLS is not offered\r\n") }
            guard state == .ready else { return .reply("503 5.5.1 STARTTLS needs EHLO and no transaction\r\n") }
            // RFC 3207: forget everything learnt before TLS; the client starts again with EHLO.
            offersTLS = false
            user = nil
            resetTransaction()
            state = .start
            return .startTLS("220 2.0.0 Ready to start TLS\r\n")
        default: return .reply("500 5.5.2 command not recognised\r\n")
        }
    }

    private mutating func dataLine(_ line: [UInt8]) -> Output {
        if line == [UInt8(ascii: ".")] {
            state = .ready
            if let problem = dataProblem {
                resetTransaction()
                return .reply(problem)
            }
            return .message
        }
        guard dataProblem == nil else { return .reply("") }
        let content = line.first == UInt8(ascii: ".") ? line.dropFirst() : line[...]
        envelope.data += content
        envelope.data += [13, 10]
        if envelope.data.count > Self.maximumSize { dataProblem = "552 5.3.4 message too big\r\n" }
        return .reply("")
    }

    /// The stored message was taken; the next transaction starts clean.
    mutating func resetTransaction() {
        envelope = SandboxEnvelope(from: "", to: [], data: [], user: user)
        dataProblem = nil
        if state == .mail || state == .rcpt || state == .data { state = .ready }
    }

    private mutating func authPlain(_ text: String) -> Output {
        guard let decoded = Self.base64(text) else { return authFailed() }
        let fields = decoded.split(separator: "\0", omittingEmptySubsequences: false)
        guard fields.count == 3, !fields[1].isEmpty else { return authFailed() }
        user = String(fields[1])
        state = .ready
        return .reply("235 2.7.0 Authentication successful\r\n")
    }

    private mutating func authFailed() -> Output {
        state = .ready
        return .reply("501 5.5.2 cannot decode the response\r\n")
    }

    private static func base64(_ text: String) -> String? {
        guard text != "*", let data = Data(base64Encoded: text.trimmingCharacters(in: .whitespaces)) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    /// The address in `FROM:<a@b.c> PARAMS`.
    private static func path(_ argument: String, prefix: String) -> String? {
        guard argument.uppercased().hasPrefix(prefix) else { return nil }
        let rest = argument.dropFirst(prefix.count).trimmingCharacters(in: .whitespaces)
        guard rest.hasPrefix("<"), let close = rest.firstIndex(of: ">") else { return nil }
        return String(rest[rest.index(after: rest.startIndex)..<close])
    }
}
