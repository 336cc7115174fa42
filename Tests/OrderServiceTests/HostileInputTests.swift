import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import StoreModel
import Testing

@testable import OrderService

@Suite("Hostile input and storage invariants", .timeLimit(.minutes(2)))
struct HostileInputTests {
    @Test("deep nesting, huge numbers, wrong types and odd text never give a 5xx or change stock")
    func hostileBodies() async throws {
        let shop = try TestShop()
        defer { shop.cleanUp() }
        try await shop.withRouter { client in
            let bodies: [String] = [
                String(repeating: "[", count: 20_000),
                String(repeating: "{\"a\":", count: 5_000) + "1" + String(repeating: "}", count: 5_000),
                #"{"items":[{"sku":"APPLE-1","quantity":99999999999999999999999}]}"#,
                #"{"items":[{"sku":"APPLE-1","quantity":-1}],"customer":"x","shipping":[],"paymentMethod":null}"#,
                #"{"items":[{"sku":"APPLE-1","quantity":1.5}]}"#,
                #"{"items":{"sku":"APPLE-1"}}"#,
                #"{"items":[{"sku":"' OR 1=1 --","quantity":1}]}"#,
                "\u{FEFF}{}",
                "null",
                "\"just a string\"",
            ]
            for body in bodies {
                try await client.execute(uri: "/order", method: .post, headers: .json, body: ByteBuffer(string: body)) { response in
                    #expect(response.status == .badRequest, "\(body.prefix(60))")
                    #expect(JSON(response.body)["error"]["code"].string != nil)
                }
            }
            let odd = Body.order(name: "‮evil‬ 😀 <script>alert(1)</script>", extra: ["note": String(repeating: "長", count: 1000)])
            let answer = try await client.placeOrder(odd)
            let id = try #require(answer["order"]["id"].string)
            try await client.execute(uri: "/admin/orders/\(id)", method: .get, headers: .admin) { response in
                #expect(JSON(response.body)["order"]["customer"]["name"].string == "‮evil‬ 😀 <script>alert(1)</script>")
            }
            try await client.execute(uri: "/order", method: .post, headers: .json, body: Body.order(name: String(repeating: "n", count: 10_000))) { response in
                #expect(response.status == .badRequest)
            }
            #expect(try await client.available("APPLE-1") == 8)
        }
    }

    @Test("the store keeps received = available + reserved + sold through concurrent orders and state changes")
    func stockConservation() async throws {
        let shop = try TestShop()
        defer { shop.cleanUp() }
        let store = try SQLiteOrderStore(path: shop.path("store.sqlite"), logger: Logger(label: "test"))
        try await store.seedStock(["X": 30])
        func newOrder(_ quantity: Int) -> NewOrder {
            .sample(quantity: quantity, unitMinor: 100, method: .creditCard, expiresAt: Date(millis: 2_000))
        }
        let outcomes = await withTaskGroup(of: String?.self) { group in
            for index in 0..<60 {
                group.addTask {
                    guard case .created(let order)? = try? await store.createOrder(newOrder(index % 3 + 1), idempotency: nil) else { return nil }
                    return order.id
                }
            }
            return await group.reduce(into: [String]()) { if let id = $1 { $0.append(id) } }
        }
        var level = try #require(try await store.stockLevels()["X"])
        #expect(level.available + level.reserved + level.sold == 30)
        #expect(level.reserved == 30 - level.available)
        #expect(level.available < 3)
        for (index, id) in outcomes.enumerated() {
            let target: OrderStatus = index % 2 == 0 ? .paid : .cancelled
            _ = try await store.transition(StatusChange(orderID: id, to: target, role: .admin, actor: "admin:test", at: Date(millis: 1_500)))
        }
        _ = try await store.expireDueOrders(now: Date(millis: 3_000))
        level = try #require(try await store.stockLevels()["X"])
        #expect(level.available + level.reserved + level.sold == level.received)
        #expect(level.reserved == 0)
        let events = try await store.events(orderID: outcomes[0])
        #expect(events.map(\.to) == [.created, .paid])
        try await store.close()
    }
}
