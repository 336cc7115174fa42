import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import OrderService

/// The admin JSON for webhooks, the delivery log and e-mail previews, through the router.
@Suite("Admin notifications", .timeLimit(.minutes(2)))
struct AdminNotificationTests {
    @Test("webhook URLs that are private, plain http, malformed or unknown events get a 400 naming the field; a good one shows its secret once")
    func webhookEndpoints() async throws {
        let shop = try TestShop()
        defer { shop.cleanUp() }
        try await shop.withRouter { client in
            for (body, field) in [
                (["url": "http://example.com/hook"], "url"), (["url": "https://127.0.0.1/hook"], "url"), (["url": "https://10.1.2.3/hook"], "url"),
                (["url": "https://[::1]/hook"], "url"), (["url": "not a url"], "url"), ([:], "url"),
                (["url": "https://hooks.example.com/x", "events": ["order.nope"]], "events"),
                (["url": "https://hooks.example.com/x", "events": []], "events"),
            ] as [([String: Any], String)] {
                try await client.execute(uri: "/admin/webhooks", method: .post, headers: .admin, body: Body.json(body)) { response in
                    #expect(response.status == .badRequest, "\(body)")
                    #expect(JSON(response.body)["error"]["fields"][field].string != nil, "\(body) names \(field): \(response.body.text)")
                }
            }
            // 203.0.113.0/24 is documentation space; hooks.example.com does not resolve here, so use a public IP literal.
            let created = try await client.execute(
                uri: "/admin/webhooks", method: .post, headers: .admin,
                body: Body.json(["url": "https://8.8.8.8/hook", "events": ["order.paid", "order.paid"]])
            ) { response in
                #expect(response.status == .created)
                return JSON(response.body)
            }
            #expect(created["secret"].string?.hasPrefix("whsec_") == true)
            #expect(created["events"].array.compactMap(\.string) == ["order.paid"])
            let id = try #require(created["id"].string)
            try await client.execute(uri: "/admin/webhooks", method: .get, headers: .admin) { response in
                let list = JSON(response.body)["webhooks"].array
                #expect(list.count == 1 && list[0]["id"].string == id && list[0]["enabled"].bool == true)
                #expect(!response.body.text.contains("whsec_"), "the secret is shown only once")
            }
            let test = try await client.execute(uri: "/admin/webhooks/\(id)/test", method: .post, headers: .admin) { response in
                #expect(response.status == .accepted)
                return JSON(response.body)
            }
            let delivery = try #require(test["deliveryId"].int)
            try await client.execute(uri: "/admin/deliveries?status=pending", method: .get, headers: .admin) { response in
                let rows = JSON(response.body)["deliveries"].array
                #expect(rows.contains { $0["id"].int == delivery && $0["eventType"].string == "webhook.test" && $0["destination"].string == id })
            }
            try await client.execute(uri: "/admin/deliveries?status=lost", method: .get, headers: .admin) { response in
                #expect(response.status == .badRequest && JSON(response.body)["error"]["fields"]["status"].string != nil)
            }
            try await client.execute(uri: "/admin/deliveries/\(delivery)/retry", method: .post, headers: .admin) { #expect($0.status == .accepted) }
            try await client.execute(uri: "/admin/deliveries/999999/retry", method: .post, headers: .admin) { #expect($0.status == .notFound) }
            try await client.execute(uri: "/admin/webhooks/\(id)", method: .delete, headers: .admin) { #expect($0.status == .noContent) }
            try await client.execute(uri: "/admin/webhooks/\(id)", method: .delete, headers: .admin) { #expect($0.status == .notFound) }
            try await client.execute(uri: "/admin/webhooks", method: .get, headers: [:]) { #expect($0.status == .unauthorized) }
        }
    }

    @Test("every e-mail has a preview in the shop's locale and in English; unknown names are 404")
    func previews() async throws {
        let shop = try TestShop()
        defer { shop.cleanUp() }
        try await shop.withRouter { client in
            let names = try await client.execute(uri: "/admin/emails", method: .get, headers: .admin) { response in
                #expect(JSON(response.body)["enabled"].bool == false, "no SMTP_URL in this shop")
                return JSON(response.body)["templates"].array.compactMap { $0["name"].string }
            }
            #expect(names.count == 12)
            for name in names {
                for locale in ["", "en"] {
                    try await client.execute(uri: "/admin/emails/\(name)/preview?locale=\(locale)", method: .get, headers: .admin) { response in
                        let body = JSON(response.body)
                        #expect(response.status == .ok, "\(name) \(locale)")
                        #expect(body["locale"].string == (locale.isEmpty ? "zh-TW" : "en"))
                        #expect(body["subject"].string?.isEmpty == false && body["html"].string?.contains("<html") == true)
                    }
                }
            }
            try await client.execute(uri: "/admin/emails/nope/preview", method: .get, headers: .admin) { #expect($0.status == .notFound) }
            try await client.execute(uri: "/admin/emails/order-paid/preview?locale=../../x", method: .get, headers: .admin) {
                #expect($0.status == .badRequest)
            }
        }
    }
}
