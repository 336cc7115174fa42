import Crypto
import Foundation

/// One e-mail: a text and an HTML part as `multipart/alternative`, rendered deterministically so
/// that a retry sends the same bytes with the same `Message-ID`.
public struct MailMessage: Sendable {
    /// The author; `from.address` is also the envelope sender.
    public var from: MailAddress
    /// The recipients; also the envelope recipients.
    public var to: [MailAddress]
    /// The subject (any Unicode; encoded as RFC 2047 words when needed).
    public var subject: String
    /// The plain-text part.
    public var text: String
    /// The HTML part.
    public var html: String
    /// The `Message-ID` without angle brackets, for example `dlv-42.evt-17@shop.example.tw`.
    public var messageID: String
    /// The `Date` header.
    public var date: Date
    /// Extra header fields, for example `("X-Storefront-Event", "order.created")`.
    public var headers: [(String, String)]

    /// Creates a message.
    public init(
        from: MailAddress, to: [MailAddress], subject: String, text: String, html: String, messageID: String, date: Date,
        headers: [(String, String)] = []
    ) {
        self.from = from
        self.to = to
        self.subject = subject
        self.text = text
        self.html = html
        self.messageID = messageID
        self.date = date
        self.headers = headers
    }

    /// The MIME boundary, derived from `messageID` so that renderings are identical.
    var boundary: String {
        let digest = SHA256.hash(data: Array(messageID.utf8))
        return "=_sf_" + digest.prefix(12).map { byte in String(byte, radix: 16).count == 1 ? "0" + String(byte, radix: 16) : String(byte, radix: 16) }.joined()
    }

    /// The whole RFC 5322 message: CRLF line endings, no line over 998 octets, ASCII only.
    public func rendered() -> [UInt8] {
        var out = ""
        func header(_ name: String, _ value: String) { out += "\(name): \(value)\r\n" }
        func mailbox(_ address: MailAddress) -> String {
            guard let name = address.name else { return "<\(address.address)>" }
            return "\(MIMEEncoding.displayName(name)) <\(address.address)>"
        }
        header("From", mailbox(from))
        header("To", to.map(mailbox).joined(separator: ",\r\n "))
        header("Subject", MIMEEncoding.headerText(subject))
        header("Date", MIMEEncoding.date(date))
        header(
            "Message-ID",
            "<\(String(String.UnicodeScalarView(messageID.unicodeScalars.filter { $0.value > 0x20 && $0.value < 0x7F && $0 != "<" && $0 != ">" })))>")
        for (name, value) in headers {
            let cleanName = String(String.UnicodeScalarView(name.unicodeScalars.filter { $0.value > 0x20 && $0.value < 0x7F && $0 != ":" }))
            guard !cleanName.isEmpty else { continue }
            header(cleanName, MIMEEncoding.headerText(value))
        }
        header("MIME-Version", "1.0")
        header("Content-Type", "multipart/alternative; boundary=\"\(boundary)\"")
        out += "\r\n"
        for (type, body) in [("text/plain", text), ("text/html", html)] {
            out += "--\(boundary)\r\n"
            out += "Content-Type: \(type); charset=UTF-8\r\n"
            out += "Content-Transfer-Encoding: base64\r\n\r\n"
            out += MIMEEncoding.base64Lines(Array(MIMEEncoding.crlf(body).utf8))
        }
        out += "--\(boundary)--\r\n"
        return Array(out.utf8)
    }
}
