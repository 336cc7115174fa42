import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import OrderService

@Suite("Live server", .timeLimit(.minutes(2)))
struct LiveServerTests {
    @Test("over real HTTP: place, look up, administer, with the peer address used for rate limiting")
    func liveFlow() async throws {
        var shop = try TestShop(rateLimit: 4)
        shop.configuration.trustProxy = false
        defer { shop.cleanUp() }
        let app = try await shop.app()
        try await app.test(.live) { client in
            #expect(client.port != nil)
            let created = try await client.execute(uri: "/order", method: .post, headers: .json, body: Body.order(items: [("CHERRY-3", 2)])) { response in
                #expect(response.status == .created)
                #expect(response.headers[.contentType] == "application/json; charset=utf-8")
                #expect(response.headers[.xContentTypeOptions] == "nosniff")
                return JSON(response.body)
            }
            let id = try #require(created["order"]["id"].string)
            try await client.execute(uri: "/order?id=\(id)&contact=0912345678", method: .get) { response in
                #expect(response.status == .ok)
                #expect(JSON(response.body)["order"]["totalMinor"].int == 910)
            }
            try await client.execute(uri: "/admin/orders/\(id)", method: .get, headers: .admin) { response in
                #expect(JSON(response.body)["order"]["customer"]["name"].string == "王小明")
            }
            // The socket peer (127.0.0.1) is the rate-limit key; X-Forwarded-For is ignored without --trust-proxy.
            var limited = 0
            for index in 0..<4 {
                try await client.execute(uri: "/order?id=\(id)&contact=x", method: .get, headers: .from("10.0.0.\(index)")) { response in
                    if response.status == .tooManyRequests { limited += 1 }
                }
            }
            #expect(limited == 2)
            try await client.execute(uri: "/readyz", method: .get) { #expect($0.status == .ok) }
        }
        // The database was closed cleanly and reopens with the order in it.
        let again = try await shop.app()
        try await again.test(.router) { client in
            try await client.execute(uri: "/admin/orders", method: .get, headers: .admin) { response in
                #expect(JSON(response.body)["orders"].array.count == 1)
            }
        }
    }
}
