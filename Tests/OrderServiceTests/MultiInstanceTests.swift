import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Testing

@testable import OrderService

/// Several API instances on one PostgreSQL database and one content folder: each has its own
/// store, connection pool, listener and answer cache, as separate processes would.
@Suite("Several instances on PostgreSQL", .timeLimit(.minutes(3)))
struct MultiInstanceTests {
    /// Runs `body` with `count` instances of `shop`'s API (router clients, no sockets).
    static func withInstances<T: Sendable>(
        _ count: Int, of shop: TestShop, _ body: @escaping @Sendable ([any TestClientProtocol]) async throws -> T
    ) async throws -> T {
        var apps: [any ApplicationProtocol] = []
        for _ in 0..<count { apps.append(try await shop.app()) }
        return try await nest(apps[...], clients: [], body)
    }

    private static func nest<T: Sendable>(
        _ apps: ArraySlice<any ApplicationProtocol>, clients: [any TestClientProtocol], _ body: @escaping @Sendable ([any TestClientProtocol]) async throws -> T
    ) async throws -> T {
        guard let app = apps.first else { return try await body(clients) }
        return try await app.test(.router) { client in try await nest(apps.dropFirst(), clients: clients + [client], body) }
    }

    /// The status and body of a `POST /order`.
    static func place(_ client: any TestClientProtocol, _ body: ByteBuffer, key: String? = nil) async throws -> (HTTPResponse.Status, ByteBuffer) {
        var headers: HTTPFields = .json
        if let key { headers[HTTPField.Name("Idempotency-Key")!] = key }
        return try await client.execute(uri: "/order", method: .post, headers: headers, body: body) { ($0.status, $0.body) }
    }

    @Test("one Idempotency-Key sent to two instances at once makes one order, and both answers are byte-identical")
    func idempotencyAcrossInstances() async throws {
        try await StoreKind.postgres.withShop { shop in
            try await Self.withInstances(2, of: shop) { instances in
                for round in 0..<5 {
                    let key = "key-\(round)-\(UUID().uuidString)"
                    let body = Body.order(items: [("APPLE-1", 1)])  // the same bytes: a retry
                    async let first = Self.place(instances[0], body, key: key)
                    async let second = Self.place(instances[1], body, key: key)
                    let (a, b) = try await (first, second)
                    #expect(a.0 == .created && b.0 == .created)
                    #expect(a.1 == b.1, "round \(round): the replay is the first answer's bytes")
                }
                try await instances[0].execute(uri: "/admin/orders", method: .get, headers: .admin) { response in
                    #expect(JSON(response.body)["orders"].array.count == 5)
                }
                #expect(try await instances[1].available("APPLE-1") == 5)
            }
        }
    }

    @Test("300 buyers spread over three instances for the last 10 units make exactly 10 orders")
    func noOversellAcrossInstances() async throws {
        try await StoreKind.postgres.withShop { shop in
            try await Self.withInstances(3, of: shop) { instances in
                let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                    for buyer in 0..<300 {
                        let instance = instances[buyer % 3]
                        group.addTask { try await Self.place(instance, Body.order(items: [("LAST-10", 1)], email: "b\(buyer)@example.com")).0 }
                    }
                    return try await group.reduce(into: [HTTPResponse.Status]()) { $0.append($1) }
                }
                #expect(statuses.filter { $0 == .created }.count == 10)
                #expect(statuses.filter { $0 == .conflict }.count == 290)
                for instance in instances { #expect(try await instance.available("LAST-10") == 0) }
            }
        }
    }

    @Test("a change acknowledged by one instance is what every other instance's GET /order shows, even from its cache")
    func readYourWritesAcrossInstances() async throws {
        try await StoreKind.postgres.withShop { shop in
            try await Self.withInstances(2, of: shop) { instances in
                let (a, b) = (instances[0], instances[1])
                let created = try await a.placeOrder(Body.order(items: [("APPLE-1", 1)]))
                let id = try #require(created["order"]["id"].string)
                let lookup = "/order?id=\(id)&contact=0912345678"
                for status in ["shipped", "delivered"] {
                    // B answers twice (the second from its cache), then A changes the order.
                    for _ in 0..<2 {
                        try await b.execute(uri: lookup, method: .get) { #expect($0.status == .ok) }
                    }
                    try await a.execute(uri: "/admin/orders/\(id)/status", method: .post, headers: .admin, body: Body.json(["status": status])) {
                        #expect($0.status == .ok, "\($0.body.text)")
                    }
                    try await b.execute(uri: lookup, method: .get) { response in
                        #expect(JSON(response.body)["order"]["status"].string == status, "B shows what A acknowledged")
                    }
                }
            }
        }
    }

    @Test("an admin price edit on one instance reprices new orders on every instance, and --on-content-change runs once")
    func priceEditReachesEveryInstance() async throws {
        try await StoreKind.postgres.withShop { shop in
            var shop = shop
            let log = shop.path("content-change.log")
            shop.configuration.contentChangeCommand = "echo \"$STOREFRONT_CHANGED_FILES\" >> '\(log)'"
            try await Self.withInstances(2, of: shop) { instances in
                let (a, b) = (instances[0], instances[1])
                try await a.execute(uri: "/admin/products/APPLE-1", method: .patch, headers: .admin, body: Body.json(["price": "125"])) {
                    #expect($0.status == .ok, "\($0.body.text)")
                }
                // B hears the announcement and reloads; wait for it (bounded), without a fixed sleep.
                let deadline = ContinuousClock.now + .seconds(20)
                var price: Int?
                while ContinuousClock.now < deadline {
                    price = try await b.execute(uri: "/admin/products", method: .get, headers: .admin) { response in
                        JSON(response.body)["products"].array.first { $0["sku"].string == "APPLE-1" }?["priceMinor"].int
                    }
                    if price == 125 { break }
                    try await Task.sleep(for: .milliseconds(20))
                }
                #expect(price == 125)
                let order = try await b.placeOrder(Body.order(items: [("APPLE-1", 1)]))
                #expect(order["order"]["lines"][0]["unitPriceMinor"].int == 125)
            }
            // Both instances have stopped, and a stopping hook runs what it still had: one run in all,
            // by the instance that made the edit (the other reloaded without running it).
            let runs = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n")
            #expect(runs.count == 1 && runs.allSatisfy { $0.hasSuffix("/products/apple.md") }, "\(runs)")
        }
    }

    @Test("admin sign-in failures count across instances: failures on two instances lock the address out of both")
    func lockoutAcrossInstances() async throws {
        try await StoreKind.postgres.withShop { shop in
            var shop = shop
            shop.configuration.adminFailureLimit = 3
            try await Self.withInstances(2, of: shop) { instances in
                var attacker = HTTPFields.from("203.0.113.66")
                attacker[.authorization] = "Bearer guess"
                for attempt in 0..<3 {
                    try await instances[attempt % 2].execute(uri: "/admin/orders", method: .get, headers: attacker) { #expect($0.status == .unauthorized) }
                }
                attacker[.authorization] = "Bearer \(TestShop.adminToken)"
                for instance in instances {
                    try await instance.execute(uri: "/admin/orders", method: .get, headers: attacker) { response in
                        #expect(response.status == .tooManyRequests)
                        #expect(response.headers[.retryAfter].flatMap(Int.init).map { $0 > 0 && $0 <= 900 } == true)
                    }
                }
                var owner = HTTPFields.from("198.51.100.1")
                owner[.authorization] = "Bearer \(TestShop.adminToken)"
                try await instances[1].execute(uri: "/admin/orders", method: .get, headers: owner) { #expect($0.status == .ok) }
            }
        }
    }
}
