import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The sandbox's mail viewer: the received messages as pages, raw text and JSON.
///
/// `mail` lists them newest first; `mail/<id>` shows one (headers, text part, HTML part in a
/// sandboxed frame); `mail/<id>/html` serves the HTML part alone under a CSP that runs nothing;
/// `mail/<id>/raw` is the message as received; `mail/messages.json` is every message for tests.
struct MailViewerController<Context: RequestContext>: Sendable {
    let mailbox: SandboxMailbox
    let base: String

    func addRoutes(to group: RouterGroup<Context>) {
        group.get("mail", use: list)
        group.get("mail/messages.json", use: json)
        group.get("mail/:id", use: show)
        group.get("mail/:id/html", use: html)
        group.get("mail/:id/raw", use: raw)
    }

    @Sendable func list(_ request: Request, context: Context) async throws -> Response {
        let rows = mailbox.all().reversed().map { mail in
            "<tr><td class=\"mono\">\(HTML.escape(Self.time(mail.receivedAt)))</td><td>\(HTML.escape(mail.envelopeTo.joined(separator: ", ")))</td>"
                + "<td><a href=\"\(HTML.escape("\(base)/\(mail.id)"))\">\(HTML.escape(mail.subject.isEmpty ? "(no subject)" : mail.subject))</a></td></tr>"
        }
        let table =
            rows.isEmpty
            ? "<p>No mail yet.</p>" : "<table><thead><tr><th>Received</th><th>To</th><th>Subject</th></tr></thead><tbody>\(rows.joined())</tbody></table>"
        return HTML.response(HTML.page(title: "Sandbox mail", body: "<h1>Sandbox mail</h1><p>\(mailbox.all().count) messages, newest first.</p>\(table)"))
    }

    @Sendable func show(_ request: Request, context: Context) async throws -> Response {
        guard let mail = find(context) else { return HTML.text("no such message", status: .notFound) }
        let headerRows = mail.headers.map { "<tr><th>\(HTML.escape($0.name))</th><td>\(HTML.escape($0.value))</td></tr>" }.joined()
        var body = "<h1>\(HTML.escape(mail.subject.isEmpty ? "(no subject)" : mail.subject))</h1>"
        body += "<p><a href=\"\(HTML.escape(base))\">All mail</a> · <a href=\"\(HTML.escape("\(base)/\(mail.id)/raw"))\">Raw</a>"
        if mail.htmlBody != nil { body += " · <a href=\"\(HTML.escape("\(base)/\(mail.id)/html"))\">HTML part alone</a>" }
        body += "</p><dl><dt>Envelope from</dt><dd class=\"mono\">\(HTML.escape(mail.envelopeFrom))</dd>"
        body += "<dt>Envelope to</dt><dd class=\"mono\">\(HTML.escape(mail.envelopeTo.joined(separator: ", ")))</dd></dl>"
        body += "<h2>Headers</h2><table>\(headerRows)</table>"
        if let text = mail.textBody { body += "<h2>Text</h2><pre>\(HTML.escape(text))</pre>" }
        if let html = mail.htmlBody {
            body += "<h2>HTML</h2><iframe sandbox srcdoc=\"\(HTML.escape(html))\" style=\"width:100%;height:30rem;border:1px solid #ccc\"></iframe>"
        }
        return HTML.response(HTML.page(title: mail.subject, body: body))
    }

    @Sendable func html(_ request: Request, context: Context) async throws -> Response {
        guard let mail = find(context), let html = mail.htmlBody else { return HTML.text("no such message or no HTML part", status: .notFound) }
        return Response(
            status: .ok,
            headers: [
                .contentType: "text/html; charset=utf-8", .cacheControl: "no-store",
                .contentSecurityPolicy: "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data: https:",
            ],
            body: ResponseBody(byteBuffer: ByteBuffer(string: html)))
    }

    @Sendable func raw(_ request: Request, context: Context) async throws -> Response {
        guard let mail = find(context) else { return HTML.text("no such message", status: .notFound) }
        return Response(
            status: .ok, headers: [.contentType: "text/plain; charset=utf-8", .cacheControl: "no-store"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: mail.raw)))
    }

    struct MessageJSON: Encodable {
        var id: Int
        var from: String
        var to: [String]
        var subject: String
        var messageID: String?
        var receivedAt: String
        var text: String?
        var html: String?

        enum CodingKeys: String, CodingKey {
            case id, from, to, subject, messageID, receivedAt, text, html
        }

        /// Absent parts and Message-IDs are `null`, not missing keys.
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(id, forKey: .id)
            try container.encode(from, forKey: .from)
            try container.encode(to, forKey: .to)
            try container.encode(subject, forKey: .subject)
            try container.encode(messageID, forKey: .messageID)
            try container.encode(receivedAt, forKey: .receivedAt)
            try container.encode(text, forKey: .text)
            try container.encode(html, forKey: .html)
        }
    }

    @Sendable func json(_ request: Request, context: Context) async throws -> Response {
        let messages = mailbox.all().map { mail in
            MessageJSON(
                id: mail.id, from: mail.envelopeFrom, to: mail.envelopeTo, subject: mail.subject, messageID: mail.messageID,
                receivedAt: Self.time(mail.receivedAt), text: mail.textBody, html: mail.htmlBody)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return Response(
            status: .ok, headers: [.contentType: "application/json", .cacheControl: "no-store"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: try encoder.encode(messages))))
    }

    private func find(_ context: Context) -> SandboxMailbox.ReceivedMail? {
        guard let id = context.parameters.get("id", as: Int.self) else { return nil }
        return mailbox.message(id: id)
    }

    private static func time(_ date: Date) -> String {
        date.formatted(.iso8601)
    }
}
