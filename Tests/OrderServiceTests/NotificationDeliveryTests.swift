import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Notifications
import PaymentSandbox
import Synchronization
import Testing

@testable import OrderService

/// The dispatcher end to end: the API's real SMTP client to the sandbox's real SMTP server, and
/// signed webhooks to a real HTTP receiver, all on loopback ports the servers picked themselves.
@Suite("Notification delivery", .timeLimit(.minutes(2)))
struct NotificationDeliveryTests {
    /// A webhook receiver: `/ok/:name` records and answers 204; `/dead` holds the request until released.
    final class Receiver: Sendable {
        struct Hit: Sendable {
            var path: String
            var headers: HTTPFields
            var body: [UInt8]
        }
        let hits = Mutex<[Hit]>([])
        let released = Mutex(false)
        let port = Mutex<Int?>(nil)

        func app() -> some ApplicationProtocol {
            let router = Router()
            router.post("ok/:name") { [self] request, context in
                let body = try await request.body.collect(upTo: 1 << 20)
                hits.withLock { $0.append(Hit(path: request.uri.path, headers: request.headers, body: Array(buffer: body))) }
                return Response(status: .noContent)
            }
            router.post("dead") { [self] _, _ in
                while !released.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(20)) }
                return Response(status: .noContent)
            }
            return Application(
                router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                onServerRunning: { [self] channel in port.withLock { $0 = channel.localAddress?.port } })
        }
    }

    /// Polls `condition` every 20 ms until it holds or `seconds` pass.
    static func eventually(within seconds: Double = 20, _ condition: () async throws -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while ContinuousClock.now < deadline {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        return try await condition()
    }

    @Test("orders reach the shopper and the owner by SMTP and an endpoint signed, while a dead endpoint holds only its own lane")
    func endToEnd() async throws {
        var shop = try TestShop()
        defer { shop.cleanUp() }
        let mail = SandboxMailServer(port: 0, logger: Logger(label: "mail"))
        let receiver = Receiver()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await mail.run() }
            group.addTask { try await receiver.app().runService() }
            defer { group.cancelAll() }
            let mailPort = try await mail.listeningPort()
            #expect(try await Self.eventually { receiver.port.withLock { $0 } != nil })
            let hookPort = try #require(receiver.port.withLock { $0 })
            shop.configuration.notifications.smtp = try SMTPSettings(url: "smtp://127.0.0.1:\(mailPort)?tls=none")
            shop.configuration.notifications.mailFrom = try MailAddress(parsing: "台南山丘酪梨園 <shop@example.tw>")
            shop.configuration.notifications.ownerEmails = [try MailAddress(parsing: "owner@example.tw")]
            shop.configuration.notifications.allowPrivateWebhooks = true
            shop.configuration.notifications.pollInterval = .milliseconds(200)
            let clock = shop.clock
            let app = try await shop.app()
            try await app.test(.live) { client in
                func addEndpoint(_ path: String) async throws -> JSON {
                    try await client.execute(
                        uri: "/admin/webhooks", method: .post, headers: .admin, body: Body.json(["url": "http://127.0.0.1:\(hookPort)/\(path)"])
                    ) { response in
                        #expect(response.status == .created)
                        return JSON(response.body)
                    }
                }
                _ = try await addEndpoint("dead")
                let healthy = try await addEndpoint("ok/a")
                let secret = try WebhookSecret(encoded: try #require(healthy["secret"].string))
                var ids: [String] = []
                for _ in 0..<3 {
                    let created = try await client.execute(uri: "/order", method: .post, headers: .json, body: Body.order(items: [("CHERRY-3", 1)])) {
                        JSON($0.body)
                    }
                    ids.append(try #require(created["order"]["id"].string))
                }
                // 3 shopper + 3 owner e-mails and 3 healthy posts, while 2 posts to the dead endpoint wait (its lane holds 2).
                let arrived = try await Self.eventually { mail.mailbox.all().count == 6 && receiver.hits.withLock { $0.count } == 3 }
                #expect(arrived, "mail \(mail.mailbox.all().count), posts \(receiver.hits.withLock { $0.count })")

                let messages = mail.mailbox.all()
                for id in ids {
                    let theirs = messages.filter { $0.subject.contains(id) }
                    #expect(Set(theirs.flatMap(\.envelopeTo)) == ["Alice@Example.com", "owner@example.tw"], "\(id): the address as the shopper typed it")
                }
                // A message is in the mailbox a moment before its delivery is recorded as sent.
                func deliveryLog() async throws -> [JSON] {
                    try await client.execute(uri: "/admin/deliveries?limit=100", method: .get, headers: .admin) { JSON($0.body)["deliveries"].array }
                }
                #expect(try await Self.eventually { try await deliveryLog().filter { $0["status"].string == "sent" }.count == 9 })
                let deliveries = try await deliveryLog()
                for message in messages {
                    let messageID = try #require(message.messageID)
                    let match = deliveries.first { "d\($0["id"].int ?? -1).\($0["eventId"].string ?? "")@example.tw" == messageID }
                    #expect(match?["status"].string == "sent", "\(messageID) is a sent delivery's Message-ID")
                    #expect(message.header("From")?.contains("台南山丘酪梨園") == true)
                }
                for hit in receiver.hits.withLock({ $0 }) {
                    let id = try #require(hit.headers[HTTPField.Name("webhook-id")!])
                    let timestamp = try #require(Int64(hit.headers[HTTPField.Name("webhook-timestamp")!] ?? ""))
                    let signature = try #require(hit.headers[HTTPField.Name("webhook-signature")!])
                    #expect(
                        secret.verify(id: id, timestamp: timestamp, body: hit.body, signatureHeader: signature, now: clock.now), "signed at the API's clock")
                    let payload = try EventPayload.decode(Data(hit.body))
                    #expect(payload.type == "order.created" && ids.contains(payload.data.order?.id ?? ""))
                    #expect(deliveries.contains { $0["eventId"].string == id && $0["channel"].string == "webhook" })
                }
                let dead = deliveries.filter { $0["channel"].string == "webhook" && $0["status"].string == "pending" }
                #expect(dead.count == 3, "the dead endpoint's deliveries are still pending")
                receiver.released.withLock { $0 = true }
            }
        }
    }
}
