import Foundation
import Logging
import NIOCore
import NIOPosix
import PaymentSandbox

@testable import Notifications

enum MailTest {
    static let logger: Logger = {
        var logger = Logger(label: "notifications-tests")
        logger.logLevel = .warning
        return logger
    }()

    /// Runs a `SandboxMailServer` on a port it binds itself for the length of `body`, then stops it
    /// and waits for it to finish.
    static func withMailServer<T>(_ body: (SandboxMailServer, Int) async throws -> T) async throws -> T {
        try await running(SandboxMailServer(port: 0, logger: logger), body)
    }

    /// Runs `server` for the length of `body`, then stops it and waits for it to finish.
    static func running<T>(_ server: SandboxMailServer, _ body: (SandboxMailServer, Int) async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.run() }
            do {
                let port = try await server.listeningPort()
                let result = try await body(server, port)
                group.cancelAll()
                try await group.waitForAll()
                return result
            } catch {
                group.cancelAll()
                try? await group.waitForAll()
                throw error
            }
        }
    }

    static func client(port: Int, user: String? = nil, password: String? = nil, timeouts: SMTPClient.Timeouts = .init(command: .seconds(10))) -> SMTPClient {
        SMTPClient(
            settings: SMTPSettings(host: "127.0.0.1", port: port, security: .none, username: user, password: password), heloName: "tests.localhost",
            timeouts: timeouts, logger: logger)
    }

    static func message(
        subject: String = "訂單已成立 #A1B2", text: String = "您好，\n您的訂單 #A1B2 已成立。\n", html: String = "<p>您好，您的訂單 <b>#A1B2</b> 已成立。</p>",
        id: String = "dlv-42.evt-17@shop.example.tw"
    ) throws -> MailMessage {
        MailMessage(
            from: try MailAddress(parsing: "台南山丘酪梨園 <shop@example.tw>"),
            to: try MailAddress.parseList("王小明 <ming@example.com>, \"Owner, Inc\" <owner@example.tw>"), subject: subject, text: text, html: html,
            messageID: id, date: Date(timeIntervalSince1970: 1_796_000_000), headers: [("X-Storefront-Event", "order.created")])
    }
}
