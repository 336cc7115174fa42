import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

@testable import OrderService

@Suite("Stock, concurrency and expiry", .timeLimit(.minutes(2)))
struct StockTests {
    @Test("100 parallel orders for the last 10 units: exactly 10 succeed, the rest 409, stock ends at 0")
    func noOversell() async throws {
        let shop = try TestShop()
        defer { shop.cleanUp() }
        try await shop.withRouter { client in
            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for index in 0..<100 {
                    group.addTask {
                        try await client.execute(
                            uri: "/order", method: .post, headers: .json, body: Body.order(items: [("LAST-10", 1)], email: "buyer\(index)@example.com")
                        ) { $0.status }
                    }
                }
                return try await group.reduce(into: [HTTPResponse.Status]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == .created }.count == 10)
            #expect(statuses.filter { $0 == .conflict }.count == 90)
            #expect(try await client.available("LAST-10") == 0)
            try await client.execute(uri: "/admin/products?q=LAST-10", method: .get, headers: .admin) { response in
                let stock = JSON(response.body)["products"][0]["stock"]
                #expect(stock["reserved"].int == 10)
                #expect(stock["sold"].int == 0)
            }
            try await client.execute(uri: "/admin/orders?limit=100", method: .get, headers: .admin) { response in
                #expect(JSON(response.body)["orders"].array.count == 10)
            }
        }
    }

    @Test("seeding on every start adds rows only for new SKUs and never resets live stock")
    func seedingKeepsLiveStock() async throws {
        let shop = try TestShop()
        defer { shop.cleanUp() }
        let store = try SQLiteOrderStore(path: shop.path("data/orders.sqlite"), logger: Logger(label: "test"))
        try await store.seedStock(["X": 100])
        _ = try await store.createOrder(BackupTests.order(3), idempotency: nil)
        try await store.seedStock(["X": 100, "Y": 7, "NEG": -1])
        let levels = try await store.stockLevels()
        #expect(levels["X"]?.available == 97)
        #expect(levels["X"]?.reserved == 3)
        #expect(levels["Y"]?.available == 7)
        #expect(levels["NEG"] == nil)
    }

    @Test("an unpaid online order expires after its window (background sweep) and its stock comes back")
    func expirySweep() async throws {
        var shop = try TestShop()
        shop.configuration.expirySweepInterval = .milliseconds(50)
        defer { shop.cleanUp() }
        let clock = shop.clock
        try await shop.withRouter { client in
            let card = try #require(try await client.placeOrder(Body.order(items: [("CHERRY-3", 2)], method: "credit_card"))["order"]["id"].string)
            let cod = try #require(try await client.placeOrder(Body.order(items: [("CHERRY-3", 1)], method: "cash_on_delivery"))["order"]["id"].string)
            #expect(try await client.available("CHERRY-3") == 2)
            clock.advance(by: 3599)
            try await Task.sleep(for: .milliseconds(200))
            #expect(try await client.available("CHERRY-3") == 2)
            clock.advance(by: 2)
            var available = try await client.available("CHERRY-3")
            for _ in 0..<100 where available != 4 {
                try await Task.sleep(for: .milliseconds(50))
                available = try await client.available("CHERRY-3")
            }
            #expect(available == 4)
            try await client.execute(uri: "/admin/orders/\(card)", method: .get, headers: .admin) { response in
                let order = JSON(response.body)["order"]
                #expect(order["status"].string == "expired")
                #expect(order["events"].array.last?["actor"].string == "system")
                #expect(order["events"].array.last?["from"].string == "created")
            }
            try await client.execute(uri: "/admin/orders/\(cod)", method: .get, headers: .admin) { response in
                #expect(JSON(response.body)["order"]["status"].string == "created")
            }
            // Expired is final for the owner except honouring a late payment.
            try await client.execute(uri: "/admin/orders/\(card)/status", method: .post, headers: .admin, body: Body.json(["status": "cancelled"])) {
                response in
                #expect(response.status == .conflict)
                #expect(JSON(response.body)["error"]["code"].string == "illegal_transition")
            }
        }
    }

    @Test("expiry also happens lazily when the shopper looks the order up")
    func lazyExpiry() async throws {
        var shop = try TestShop()
        shop.configuration.orderExpiry[.atm] = .seconds(600)
        defer { shop.cleanUp() }
        let clock = shop.clock
        try await shop.withRouter { client in
            let id = try #require(try await client.placeOrder(Body.order(items: [("APPLE-1", 4)], method: "atm"))["order"]["id"].string)
            #expect(try await client.available("APPLE-1") == 6)
            clock.advance(by: 601)
            try await client.execute(uri: "/order?id=\(id)&contact=alice@example.com", method: .get) { response in
                let order = JSON(response.body)["order"]
                #expect(order["status"].string == "expired")
                #expect(order["timeline"].array.map { $0["status"].string } == ["created", "expired"])
            }
            #expect(try await client.available("APPLE-1") == 10)
        }
    }

    @Test("cancelling returns reserved stock; paying moves it to sold; refunding puts it back on sale")
    func stockFollowsStates() async throws {
        let shop = try TestShop()
        defer { shop.cleanUp() }
        try await shop.withRouter { client in
            let a = try #require(try await client.placeOrder(Body.order(items: [("APPLE-1", 2)], method: "credit_card"))["order"]["id"].string)
            let b = try #require(try await client.placeOrder(Body.order(items: [("APPLE-1", 3)], method: "credit_card"))["order"]["id"].string)
            #expect(try await client.available("APPLE-1") == 5)
            try await client.execute(uri: "/admin/orders/\(a)/status", method: .post, headers: .admin, body: Body.json(["status": "cancelled"])) {
                #expect($0.status == .ok)
            }
            #expect(try await client.available("APPLE-1") == 7)
            try await client.execute(uri: "/admin/orders/\(b)/status", method: .post, headers: .admin, body: Body.json(["status": "paid"])) {
                #expect($0.status == .ok)
            }
            try await client.execute(uri: "/admin/products?q=APPLE", method: .get, headers: .admin) { response in
                let stock = JSON(response.body)["products"][0]["stock"]
                #expect(stock["available"].int == 7)
                #expect(stock["reserved"].int == 0)
                #expect(stock["sold"].int == 3)
            }
            try await client.execute(uri: "/admin/orders/\(b)/status", method: .post, headers: .admin, body: Body.json(["status": "refunded"])) {
                #expect($0.status == .ok)
            }
            #expect(try await client.available("APPLE-1") == 10)
        }
    }
}
