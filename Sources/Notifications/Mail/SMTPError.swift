/// Why a message was not sent.
///
/// `isPermanent` says whether trying again can help: 5xx replies and configuration problems are
/// permanent; 4xx replies, connection failures, time-outs and TLS handshake failures are temporary.
public struct SMTPError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Whether a retry cannot help.
    public var isPermanent: Bool
    /// The server's reply code, when the server answered.
    public var code: Int?
    /// The server's reply text or what went wrong.
    public var message: String
    /// The step that failed, for example `RCPT TO`.
    public var command: String?

    /// Creates an error.
    public init(isPermanent: Bool, code: Int? = nil, message: String, command: String? = nil) {
        self.isPermanent = isPermanent
        self.code = code
        self.message = message
        self.command = command
    }

    /// For example `550 5.1.1 user unknown (RCPT TO)`.
    public var description: String {
        var text = code.map { "\($0) \(message)" } ?? message
        if let command { text += " (\(command))" }
        return text
    }

    /// A failure that a later attempt may not have.
    static func temporary(_ message: String, command: String? = nil) -> SMTPError {
        SMTPError(isPermanent: false, message: message, command: command)
    }

    /// A failure that every attempt will have.
    static func permanent(_ message: String, command: String? = nil) -> SMTPError {
        SMTPError(isPermanent: true, message: message, command: command)
    }
}
