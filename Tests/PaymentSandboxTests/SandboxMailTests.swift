import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

@testable import PaymentSandbox

@Suite("Sandbox mail: SMTP session, MIME parser, viewer", .timeLimit(.minutes(2)))
struct SandboxMailTests {
    /// Feeds `lines` to a session and returns each reply.
    static func converse(_ lines: [String], session: inout SandboxSMTPSession) -> [SandboxSMTPSession.Output] {
        lines.map { session.receive(.line(Array($0.utf8))) }
    }

    static func code(_ output: SandboxSMTPSession.Output) -> String {
        switch output {
        case .reply(let text), .close(let text), .startTLS(let text): String(text.prefix(3))
        case .message: "msg"
        }
    }

    @Test("commands out of order get 503; a full transaction, RSET and QUIT")
    func sessionSequence() {
        var session = SandboxSMTPSession()
        let outputs = Self.converse(
            [
                "MAIL FROM:<a@b.c>", "EHLO client", "RCPT TO:<x@y.z>", "DATA", "MAIL FROM:<a@b.c>", "MAIL FROM:<a@b.c>", "RCPT TO:<x@y.z>", "DATA", "..dot",
                "plain", ".",
            ],
            session: &session)
        #expect(outputs.map(Self.code) == ["503", "250", "503", "503", "250", "503", "250", "354", "", "", "msg"])
        #expect(session.envelope.data == Array(".dot\r\nplain\r\n".utf8))
        #expect(session.envelope.to == ["x@y.z"])
        #expect(
            Self.converse(["RSET", "NOOP", "FOO", "STARTTLS", "DATA", "QUIT"], session: &session).map(Self.code) == ["250", "250", "500", "502", "503", "221"])
        #expect(session.envelope.data.isEmpty)
    }

    @Test("EHLO advertises 8BITMIME, AUTH PLAIN LOGIN and SIZE; AUTH LOGIN records the user; long lines get 500")
    func sessionAuthAndLimits() {
        var session = SandboxSMTPSession()
        let ehlo = Self.converse(["EHLO c"], session: &session)[0]
        guard case .reply(let text) = ehlo else {
            Issue.record("EHLO: \(ehlo)")
            return
        }
        #expect(text.contains("250-8BITMIME") && text.contains("250-AUTH PLAIN LOGIN") && text.contains("SIZE") && !text.contains("STARTTLS"))
        let auth = Self.converse(["AUTH LOGIN", Data("owner".utf8).base64EncodedString(), Data("pw".utf8).base64EncodedString()], session: &session)
        #expect(auth.map(Self.code) == ["334", "334", "235"])
        #expect(session.user == "owner")
        #expect(Self.code(session.receive(.tooLong)) == "500")
    }

    @Test("MIME: folded headers, B and Q words, quoted-printable and single-part bodies")
    func mimeParser() {
        let raw = Array(
            ("Subject: =?UTF-8?B?6KiC5Zau?=\r\n =?UTF-8?Q?_=E5=B7=B2=E6=88=90=E7=AB=8B?= ok\r\nX-Long: one\r\n\ttwo\r\n"
                + "Content-Type: text/plain; charset=\"utf-8\"\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
                + "caf=C3=A9 =\r\nsoft\r\nnext\r\n").utf8)
        let entity = MIMEParser.entity(raw)
        #expect(MIMEParser.decodeWords(entity.header("Subject") ?? "") == "訂單 已成立 ok")
        #expect(entity.header("x-long") == "one\ttwo")
        #expect(MIMEParser.textBodies(entity).text == "café soft\nnext\n")
        #expect(MIMEParser.decodeWords("plain =?iso-8859-1?q?caf=E9?= text") == "plain café text")
    }

    @Test("the viewer lists, shows, serves the HTML part under a CSP, the raw message and JSON")
    func viewer() async throws {
        var logger = Logger(label: "sandbox-mail-test")
        logger.logLevel = .warning
        let sandbox = PaymentSandbox(configuration: SandboxConfiguration(publicBaseURL: "http://sandbox.test/sandbox", mailPort: 0), logger: logger)
        let mailServer = try #require(sandbox.mailServer)
        #expect(sandbox.services.count == 2)
        let boundary = "b1"
        let raw =
            "From: Shop <shop@example.tw>\r\nSubject: =?UTF-8?B?6KiC5Zau?= <1>\r\nMessage-ID: <m1@example.tw>\r\n"
            + "Content-Type: multipart/alternative; boundary=\"\(boundary)\"\r\n\r\n--\(boundary)\r\nContent-Type: text/plain; charset=UTF-8\r\n"
            + "Content-Transfer-Encoding: base64\r\n\r\n\(Data("hello <text>".utf8).base64EncodedString())\r\n--\(boundary)\r\n"
            + "Content-Type: text/html; charset=UTF-8\r\n\r\n<p onclick=\"x\">hi</p>\r\n--\(boundary)--\r\n"
        mailServer.mailbox.store(SandboxEnvelope(from: "shop@example.tw", to: ["ming@example.com"], data: Array(raw.utf8)))
        let router = Router()
        sandbox.addRoutes(to: router.group("sandbox"))
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)), services: sandbox.services, logger: logger)
        try await app.test(.live) { client in
            let list = try await client.execute(uri: "/sandbox/mail", method: .get)
            #expect(list.status == .ok)
            #expect(String(buffer: list.body).contains("訂單 &lt;1&gt;"))
            #expect(String(buffer: list.body).contains("http://sandbox.test/sandbox/mail/1"))
            let show = String(buffer: try await client.execute(uri: "/sandbox/mail/1", method: .get).body)
            #expect(show.contains("<pre>hello &lt;text&gt;</pre>"))
            #expect(show.contains("<iframe sandbox srcdoc=\"&lt;p onclick=&quot;x&quot;&gt;hi&lt;/p&gt;\""))
            let html = try await client.execute(uri: "/sandbox/mail/1/html", method: .get)
            #expect(html.headers[.contentSecurityPolicy]?.hasPrefix("sandbox; default-src 'none'") == true)
            #expect(String(buffer: html.body) == "<p onclick=\"x\">hi</p>")
            let rawResponse = try await client.execute(uri: "/sandbox/mail/1/raw", method: .get)
            #expect(String(buffer: rawResponse.body) == raw)
            #expect(try await client.execute(uri: "/sandbox/mail/2", method: .get).status == .notFound)
            let json = try await client.execute(uri: "/sandbox/mail/messages.json", method: .get)
            let messages = try #require(try JSONSerialization.jsonObject(with: Data(buffer: json.body)) as? [[String: Any]])
            #expect(messages.count == 1)
            #expect(messages.first?["subject"] as? String == "訂單 <1>")
            #expect(messages.first?["messageID"] as? String == "m1@example.tw")
            #expect(messages.first?["to"] as? [String] == ["ming@example.com"])
            #expect(messages.first?["text"] as? String == "hello <text>")
            #expect(Set(messages.first?.keys.map { $0 } ?? []) == ["id", "from", "to", "subject", "messageID", "receivedAt", "text", "html"])
            #expect(try await mailServer.listeningPort() > 0)
        }
    }
}
