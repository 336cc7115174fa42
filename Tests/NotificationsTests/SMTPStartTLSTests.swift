import Foundation
import NIOSSL
import PaymentSandbox
import Testing

@testable import Notifications

/// A throwaway self-signed certificate for `localhost`, made with `openssl` in a temporary folder.
struct ThrowawayCertificate {
    let certificate: NIOSSLCertificate
    let key: NIOSSLPrivateKey

    static let openssl = ["/usr/bin/openssl", "/usr/local/bin/openssl", "/opt/homebrew/bin/openssl"].first { FileManager.default.isExecutableFile(atPath: $0) }

    static func make() throws -> ThrowawayCertificate {
        let openssl = try #require(openssl)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("smtp-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let certPath = folder.appendingPathComponent("cert.pem").path, keyPath = folder.appendingPathComponent("key.pem").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: openssl)
        process.arguments = [
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-days", "1", "-addext", "subjectAltName=DNS:localhost",
            "-keyout", keyPath, "-out", certPath,
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "openssl req failed")
        return ThrowawayCertificate(certificate: try NIOSSLCertificate(file: certPath, format: .pem), key: try NIOSSLPrivateKey(file: keyPath, format: .pem))
    }
}

@Suite(
    "STARTTLS against the sandbox's SMTP server with a throwaway certificate", .timeLimit(.minutes(2)),
    .enabled(if: ThrowawayCertificate.openssl != nil, "openssl is not installed, so no throwaway certificate can be made"))
struct SMTPStartTLSTests {
    static func withTLSServer<T>(
        _ certificate: ThrowawayCertificate, implicitTLS: Bool = false, _ body: (SandboxMailServer, Int) async throws -> T
    ) async throws -> T {
        let context = try NIOSSLContext(
            configuration: .makeServerConfiguration(certificateChain: [.certificate(certificate.certificate)], privateKey: .privateKey(certificate.key)))
        return try await MailTest.running(SandboxMailServer(port: 0, tlsContext: context, implicitTLS: implicitTLS, logger: MailTest.logger), body)
    }

    @Test("smtp://user:pass@localhost: STARTTLS, EHLO again, AUTH over TLS, the message arrives")
    func startTLS() async throws {
        let certificate = try ThrowawayCertificate.make()
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .certificates([certificate.certificate])
        let mail = try await Self.withTLSServer(certificate) { server, port in
            let settings = try SMTPSettings(url: "smtp://shop%40example.tw:secret@localhost:\(port)")
            let client = SMTPClient(settings: settings, timeouts: .init(command: .seconds(10)), tlsConfiguration: tls, logger: MailTest.logger)
            try await client.send(try MailTest.message())
            return try #require(try await server.mailbox.waitFor(count: 1, timeout: .seconds(10)).first)
        }
        #expect(mail.subject == "訂單已成立 #A1B2")
        #expect(mail.authenticatedUser == "shop@example.tw")
    }

    @Test("smtps://localhost: TLS from the first byte, AUTH LOGIN, the message arrives")
    func implicitTLS() async throws {
        let certificate = try ThrowawayCertificate.make()
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .certificates([certificate.certificate])
        let mail = try await Self.withTLSServer(certificate, implicitTLS: true) { server, port in
            var client = SMTPClient(
                settings: try SMTPSettings(url: "smtps://owner:secret@localhost:\(port)"), timeouts: .init(command: .seconds(10)), tlsConfiguration: tls,
                logger: MailTest.logger)
            client.authMechanisms = ["LOGIN"]
            try await client.send(try MailTest.message())
            return try #require(try await server.mailbox.waitFor(count: 1, timeout: .seconds(10)).first)
        }
        #expect(mail.textBody == (try MailTest.message()).text)
        #expect(mail.authenticatedUser == "owner")
    }

    @Test("an untrusted certificate fails the handshake: a temporary error, nothing delivered")
    func untrusted() async throws {
        let certificate = try ThrowawayCertificate.make()
        try await Self.withTLSServer(certificate) { server, port in
            let client = SMTPClient(
                settings: SMTPSettings(host: "localhost", port: port, security: .startTLS), timeouts: .init(command: .seconds(10)), logger: MailTest.logger)
            await #expect {
                try await client.send(try MailTest.message())
            } throws: { error in
                let error = error as? SMTPError
                return error?.isPermanent == false && error?.message.contains("TLS") == true
            }
            #expect(server.mailbox.all().isEmpty)
        }
    }
}
