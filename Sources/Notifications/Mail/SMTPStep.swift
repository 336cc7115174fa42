/// The steps of one SMTP transaction and the reply code each expects.
enum SMTPStep: String, Sendable, Hashable {
    case greeting = "greeting"
    case ehlo = "EHLO"
    case helo = "HELO"
    case startTLS = "STARTTLS"
    case auth = "AUTH"
    case authChallenge = "AUTH challenge"
    case mailFrom = "MAIL FROM"
    case rcptTo = "RCPT TO"
    case data = "DATA"
    case dataEnd = "end of DATA"
    case quit = "QUIT"

    /// The reply code that lets the transaction go on.
    var expectedCode: Int {
        switch self {
        case .greeting, .startTLS: 220
        case .ehlo, .helo, .mailFrom, .rcptTo, .dataEnd: 250
        case .auth: 235
        case .authChallenge: 334
        case .data: 354
        case .quit: 221
        }
    }

    /// Accepts `reply` when it has the expected code; otherwise the error it means: 5xx is
    /// permanent, anything else (4xx, an unexpected 2xx or 3xx) temporary.
    func check(_ reply: SMTPReply) throws(SMTPError) {
        guard reply.code != expectedCode else { return }
        throw SMTPError(isPermanent: reply.isPermanentFailure, code: reply.code, message: reply.text, command: rawValue)
    }
}
