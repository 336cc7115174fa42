import Foundation
import NIOCore
import NIOPosix
import PaymentSandbox
import Testing

@testable import Notifications

#if canImport(Glibc)
import Glibc
#endif

@Suite("SMTP client against the sandbox's SMTP server", .timeLimit(.minutes(2)))
struct SMTPClientTests {
    @Test("a message arrives with its Chinese subject, both parts, recipients and Message-ID")
    func sendAndReceive() async throws {
        let message = try MailTest.message()
        let mail = try await MailTest.withMailServer { server, port in
            try await MailTest.client(port: port).send(message)
            return try #require(try await server.mailbox.waitFor(count: 1, timeout: .seconds(10)).first)
        }
        #expect(mail.subject == "訂單已成立 #A1B2")
        #expect(mail.textBody == message.text)
        #expect(mail.htmlBody == message.html)
        #expect(mail.messageID == "dlv-42.evt-17@shop.example.tw")
        #expect(mail.envelopeFrom == "shop@example.tw")
        #expect(mail.envelopeTo == ["ming@example.com", "owner@example.tw"])
        #expect(mail.header("From") == "台南山丘酪梨園 <shop@example.tw>")
        #expect(mail.header("To") == "王小明 <ming@example.com>, \"Owner, Inc\" <owner@example.tw>")
        #expect(mail.header("X-Storefront-Event") == "order.created")
        #expect(mail.raw == message.rendered(), "what arrives is what was rendered")
        #expect(mail.authenticatedUser == nil)
    }

    @Test("a retry sends identical bytes; a 5,000-character HTML line survives")
    func retryAndLongLine() async throws {
        let html = "<div>" + String(repeating: "x", count: 5000) + "</div>"
        let message = try MailTest.message(html: html)
        let mails = try await MailTest.withMailServer { server, port in
            let client = MailTest.client(port: port)
            try await client.send(message)
            try await client.send(message)
            return try await server.mailbox.waitFor(count: 2, timeout: .seconds(10))
        }
        #expect(mails[0].raw == mails[1].raw)
        #expect(mails[0].messageID == mails[1].messageID)
        #expect(mails[1].htmlBody == html)
        let lines = try MailMessageTests.crlfLines(mails[0].raw)
        #expect(lines.allSatisfy { $0.count <= 998 })
    }

    @Test("lines '.', '..hidden' and '.end' survive dot-stuffing, in the text part and as raw DATA")
    func dotStuffingRoundTrip() async throws {
        let text = "first\n.\n..hidden\n.end\nlast"
        let raw = Array("Subject: dots\r\n\r\n.\r\n..hidden\r\n.end\r\n.\r\n".utf8).dropLast(3)
        let mails = try await MailTest.withMailServer { server, port in
            let client = MailTest.client(port: port)
            try await client.send(try MailTest.message(text: text))
            try await client.send(envelopeFrom: "a@example.tw", recipients: ["b@example.tw"], data: Array(raw))
            return try await server.mailbox.waitFor(count: 2, timeout: .seconds(10))
        }
        #expect(mails[0].textBody == text)
        #expect(mails[1].raw == Array(raw))
        #expect(mails[1].textBody == ".\n..hidden\n.end\n")
    }

    @Test("AUTH PLAIN and AUTH LOGIN (the client told to prefer it) record the user", arguments: ["PLAIN", "LOGIN"])
    func authentication(mechanism: String) async throws {
        let user = mechanism == "PLAIN" ? "shop@example.tw" : "owner"
        let mail = try await MailTest.withMailServer { server, port in
            var client = MailTest.client(port: port, user: user, password: "p\u{e4}ss:word")
            client.authMechanisms = [mechanism]
            try await client.send(try MailTest.message())
            return try #require(try await server.mailbox.waitFor(count: 1, timeout: .seconds(10)).first)
        }
        #expect(mail.authenticatedUser == user)
    }

    @Test("451 at the end of DATA is temporary, 550 permanent; the next message goes through")
    func failures() async throws {
        let message = try MailTest.message()
        try await MailTest.withMailServer { server, port in
            let client = MailTest.client(port: port)
            server.failNext(1, code: 451)
            await #expect {
                try await client.send(message)
            } throws: { error in
                let error = error as? SMTPError
                return error?.isPermanent == false && error?.code == 451 && error?.command == "end of DATA"
            }
            server.failNext(1, code: 550)
            await #expect {
                try await client.send(message)
            } throws: { error in
                let error = error as? SMTPError
                return error?.isPermanent == true && error?.code == 550 && error?.description.hasPrefix("550 5.0.0") == true
            }
            try await client.send(message)
            #expect(try await server.mailbox.waitFor(count: 1, timeout: .seconds(10)).count == 1)
        }
    }

    @Test("a server that accepts but never greets gives a temporary error after the greeting time-out")
    func silentServer() async throws {
        let listener = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { $0.eventLoop.makeSucceededVoidFuture() }
            .bind(host: "127.0.0.1", port: 0).get()
        let port = try #require(listener.localAddress?.port)
        let client = MailTest.client(port: port, timeouts: .init(connect: .seconds(5), greeting: .milliseconds(300)))
        await #expect {
            try await client.send(try MailTest.message())
        } throws: { error in
            let error = error as? SMTPError
            return error?.isPermanent == false && error?.code == nil && error?.command == "greeting"
        }
        // The error names the greeting step, so the greeting's time-out ended it (the connect one is
        // longer); no wall-clock bound here: the suite's time limit catches a hang.
        try await listener.close()
    }

    @Test("cancelling a send that waits for a greeting ends it at once with a temporary error")
    func cancellation() async throws {
        let (accepted, acceptedContinuation) = AsyncStream.makeStream(of: Void.self)
        let listener = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                acceptedContinuation.yield()
                return channel.eventLoop.makeSucceededVoidFuture()
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let port = try #require(listener.localAddress?.port)
        let client = MailTest.client(port: port, timeouts: .init(connect: .seconds(5), greeting: .seconds(100)))
        let message = try MailTest.message()
        let sending = Task { () -> SMTPError? in
            do {
                try await client.send(message)
                return nil
            } catch {
                return error as? SMTPError
            }
        }
        for await _ in accepted { break }
        sending.cancel()
        let error = await sending.value
        #expect(error?.isPermanent == false && error?.message == "cancelled", "cancelled, not timed out (its greeting time-out is long)")
        try await listener.close()
    }

    @Test("a stopped server (connection refused) gives a temporary error")
    func refused() async throws {
        // A port bound but not listening refuses connections, and stays ours (a stopped server's
        // port could be taken by another test's listener meanwhile).
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #expect(socket >= 0)
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, length) == 0 && getsockname(socket, $0, &length) == 0 }
        }
        #expect(bound)
        let port = Int(UInt16(bigEndian: address.sin_port))
        let client = MailTest.client(port: port, timeouts: .init(connect: .seconds(5)))
        await #expect {
            try await client.send(try MailTest.message())
        } throws: { error in
            let error = error as? SMTPError
            return error?.isPermanent == false && error?.command == "connect"
        }
    }

    @Test("smtp:// (STARTTLS required) against a server without STARTTLS is a permanent error")
    func startTLSMissing() async throws {
        try await MailTest.withMailServer { _, port in
            let client = SMTPClient(settings: SMTPSettings(host: "127.0.0.1", port: port, security: .startTLS), logger: MailTest.logger)
            await #expect {
                try await client.send(try MailTest.message())
            } throws: { error in
                let error = error as? SMTPError
                return error?.isPermanent == true && error?.message.contains("STARTTLS") == true
            }
        }
    }
}
