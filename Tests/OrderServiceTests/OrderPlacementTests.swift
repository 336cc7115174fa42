import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import StoreModel
import Testing

@testable import OrderService

@Suite("POST /order", .timeLimit(.minutes(2)))
struct OrderPlacementTests {
    @Test("201: priced by the server, client prices ignored, stock reserved, payment null for cash on delivery")
    func createsOrder() async throws {
        let shop = try TestShop()
        defer { shop.cleanUp() }
        try await shop.withRouter { client in
            let body = Body.order(items: [("APPLE-1", 2), ("CHERRY-3", 1)], extra: ["total": 1, "items_price": 0])
            let answer = try await client.placeOrder(body)
            let order = answer["order"]
            #expect(answer["payment"].isNull)
            #expect(order["status"].string == "created")
            #expect(order["id"].string.map(OrderID.isWellFormed) == true)
            #expect(order["lines"][0]["unitPriceMinor"].int == 100)
            #expect(order["lines"][0]["lineTotalMinor"].int == 200)
            #expect(order["lines"][0]["lineTotal"].string == "NT$200")
            #expect(order["lines"][1]["title"].string == "Cherry crate")
            #expect(order["subtotalMinor"].int == 580)
            #expect(order["shippingMinor"].int == 150)
            #expect(order["totalMinor"].int == 730)
            #expect(order["total"].string == "NT$730")
            #expect(order["currency"].string == "TWD")
            #expect(order["paymentMethod"].string == "cash_on_delivery")
            #expect(order["catalogVersion"].string?.isEmpty == false)
            #expect(try await client.available("APPLE-1") == 8)
            #expect(try await client.available("CHERRY-3") == 4)
        }
    }

    @Test("free shipping from the threshold, untracked products always available")
    func freeShipping() async throws {
        let shop = try TestShop()
        defer { shop.cleanUp() }
        try await shop.withRouter { client in
            let answer = try await client.placeOrder(Body.order(items: [("BANANA-2", 8)]))
            #expect(answer["order"]["subtotalMinor"].int == 2000)
            #expect(answer["order"]["shippingMinor"].int == 0)
            #expect(try await client.available("BANANA-2") == nil)
        }
    }

    @Test("online methods get an expiry and the provider's payment step")
    func onlinePaymentStep() async throws {
        struct FakeGateway: PaymentStepProvider {
            func paymentStep(for order: Order, catalog: StoreModel.Catalog) async throws -> PaymentStep? {
                PaymentStep(
                    method: "POST", url: "https://gateway.test/checkout", fields: ["MerchantTradeNo": order.id, "TotalAmount": order.total.decimalString])
            }
        }
        let shop = try TestShop()
        defer { shop.cleanUp() }
        try await shop.withRouter(paymentSteps: FakeGateway()) { client in
            let answer = try await client.placeOrder(Body.order(method: "credit_card"))
            #expect(answer["payment"]["method"].string == "POST")
            #expect(answer["payment"]["fields"]["MerchantTradeNo"].string == answer["order"]["id"].string)
            #expect(answer["payment"]["fields"]["TotalAmount"].string == "350")
            let cod = try await client.placeOrder(Body.order(method: "cash_on_delivery"))
            #expect(cod["payment"].isNull)
        }
        // The default provider gives no step for online methods either.
        let other = try TestShop()
        defer { other.cleanUp() }
        try await other.withRouter { client in
            let atm = try await client.placeOrder(Body.order(method: "atm"))
            #expect(atm["payment"].isNull)
        }
    }

    @Test("400 invalid_json for a body that is not JSON")
    func invalidJSON() async throws {
        let shop = try TestShop()
        defer { shop.cleanUp() }
        try await shop.withRouter { client in
            for text in ["{not json", "", "{\"items\": [", "\u{0}"] {
                try await client.execute(uri: "/order", method: .post, headers: .json, body: ByteBuffer(string: text)) { response in
                    #expect(response.status == .badRequest)
                    #expect(JSON(response.body)["error"]["code"].string == "invalid_json")
                }
            }
            try await client.execute(uri: "/order", method: .post, headers: .json, body: ByteBuffer(string: "[1,2]")) { response in
                #expect(response.status == .badRequest)
                #expect(JSON(response.body)["error"]["code"].string == "invalid_request")
            }
        }
    }

    @Test("400 names every bad field at once")
    func invalidFields() async throws {
        let shop = try TestShop()
        defer { shop.cleanUp() }
        try await shop.withRouter { client in
            let body = Body.json([
                "items": [["sku": "APPLE-1", "quantity": 0], ["sku": "bad sku!", "quantity": 1], ["sku": "CHERRY-3", "quantity": "2"], ["quantity": 100]],
                "customer": ["name": "", "email": "not-an-email", "phone": "12"],
                "shipping": ["city": "台南市"],
                "paymentMethod": "bitcoin",
                "note": 5,
                "unknownField": "ignored",
            ])
            try await client.execute(uri: "/order", method: .post, headers: .json, body: body) { response in
                #expect(response.status == .badRequest)
                let error = JSON(response.body)["error"]
                #expect(error["code"].string == "invalid_request")
                let fields = error["fields"].object ?? [:]
                for name in [
                    "items[0].quantity", "items[1].sku", "items[2].quantity", "items[3].sku", "items[3].quantity", "customer.name",
                    "customer.email", "customer.phone", "shipping.address", "paymentMethod", "note",
                ] {
                    #expect(fields[name] != nil, "missing \(name) in \(fields.keys.sorted())")
                }
                #expect(fields["unknownField"] == nil)
            }
            // Missing everything, and too many lines.
            try await client.execute(uri: "/order", method: .post, headers: .json, body: Body.json([:])) { response in
                let fields = JSON(response.body)["error"]["fields"].object ?? [:]
                #expect(
                    Set(fields.keys).isSuperset(of: [
                        "items", "customer.name", "customer.email", "customer.phone", "shipping.city", "shipping.address", "paymentMethod",
                    ]))
            }
            let many = Body.order(items: Array(repeating: ("APPLE-1", 1), count: 51))
            try await client.execute(uri: "/order", method: .post, headers: .json, body: many) { response in
                #expect(response.status == .badRequest)
                #expect(JSON(response.body)["error"]["fields"]["items"].exists)
            }
            // Control characters are refused, not stored.
            try await client.execute(uri: "/order", method: .post, headers: .json, body: Body.order(name: "Eve\u{0}\u{1B}[31m")) { response in
                #expect(JSON(response.body)["error"]["fields"]["customer.name"].exists)
            }
        }
    }

    @Test("a payment method the shop does not enable is refused")
    func disabledMethod() async throws {
        let shop = try TestShop()
        defer { shop.cleanUp() }
        let storePath = shop.contentPath + "/store.json"
        let text = try String(contentsOfFile: storePath, encoding: .utf8)
        try text.replacingOccurrences(of: #"["credit_card", "atm", "cash_on_delivery", "stripe"]"#, with: #"["cash_on_delivery"]"#)
            .write(toFile: storePath, atomically: true, encoding: .utf8)
        try await shop.withRouter { client in
            try await client.execute(uri: "/order", method: .post, headers: .json, body: Body.order(method: "stripe")) { response in
                #expect(response.status == .badRequest)
                #expect(JSON(response.body)["error"]["fields"]["paymentMethod"].string?.contains("cash_on_delivery") == true)
            }
        }
    }

    @Test("409 cart_changed reports every line for unknown, draft and short-stock SKUs, and changes no stock")
    func cartChanged() async throws {
        let shop = try TestShop()
        defer { shop.cleanUp() }
        try await shop.withRouter { client in
            for items in [[("APPLE-1", 1), ("NOPE-9", 1)], [("APPLE-1", 1), ("DRAFT-4", 1)], [("APPLE-1", 1), ("CHERRY-3", 6)]] {
                try await client.execute(uri: "/order", method: .post, headers: .json, body: Body.order(items: items)) { response in
                    #expect(response.status == .conflict, "\(items)")
                    let answer = JSON(response.body)
                    #expect(answer["error"]["code"].string == "cart_changed")
                    #expect(answer["catalogVersion"].string?.isEmpty == false)
                    let lines = answer["error"]["lines"].array
                    #expect(lines.count == 2)
                    #expect(lines[0]["sku"].string == "APPLE-1")
                    #expect(lines[0]["available"].bool == true)
                    #expect(lines[0]["stock"].int == 10)
                    #expect(lines[0]["priceMinor"].int == 100)
                    #expect(lines[0]["price"].string == "NT$100")
                    #expect(lines[1]["available"].bool == false)
                    if items[1].0 == "NOPE-9" { #expect(lines[1]["title"].isNull && lines[1]["priceMinor"].isNull) }
                    if items[1].0 == "CHERRY-3" { #expect(lines[1]["stock"].int == 5) }
                }
            }
            #expect(try await client.available("APPLE-1") == 10)
            #expect(try await client.available("CHERRY-3") == 5)
        }
    }

    @Test("409 for a stale catalogVersion only when a line's price changed")
    func staleCatalogVersion() async throws {
        let shop = try TestShop()
        defer { shop.cleanUp() }
        try await shop.withRouter { client in
            let first = try await client.placeOrder(Body.order(items: [("APPLE-1", 1)]))
            let oldVersion = try #require(first["order"]["catalogVersion"].string)
            try await client.execute(uri: "/admin/products/CHERRY-3", method: .patch, headers: .admin, body: Body.json(["price": "400"])) { response in
                #expect(response.status == .ok, "\(response.body.text)")
            }
            // APPLE-1 kept its price: the old version is still fine for it.
            let second = try await client.placeOrder(Body.order(items: [("APPLE-1", 1)], catalogVersion: oldVersion))
            #expect(second["order"]["catalogVersion"].string != oldVersion)
            try await client.execute(uri: "/order", method: .post, headers: .json, body: Body.order(items: [("CHERRY-3", 1)], catalogVersion: oldVersion)) {
                response in
                #expect(response.status == .conflict)
                let answer = JSON(response.body)
                #expect(answer["error"]["lines"][0]["priceMinor"].int == 400)
                #expect(answer["catalogVersion"].string == second["order"]["catalogVersion"].string)
            }
            // An unknown version is treated as changed.
            try await client.execute(uri: "/order", method: .post, headers: .json, body: Body.order(catalogVersion: "000000000000")) { response in
                #expect(response.status == .conflict)
            }
        }
    }

    @Test("503 shop_closed with the site's message")
    func shopClosed() async throws {
        let shop = try TestShop(siteStatus: #"{"status": "closed", "message": "休息中，下週一恢復出貨", "announcement": ""}"#)
        defer { shop.cleanUp() }
        try await shop.withRouter { client in
            try await client.execute(uri: "/order", method: .post, headers: .json, body: Body.order()) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(JSON(response.body)["error"]["code"].string == "shop_closed")
                #expect(JSON(response.body)["error"]["message"].string == "休息中，下週一恢復出貨")
            }
            #expect(try await client.available("APPLE-1") == 10)
        }
    }

    @Test("413 for a body over the /order limit")
    func tooLarge() async throws {
        let shop = try TestShop()
        defer { shop.cleanUp() }
        try await shop.withRouter { client in
            let body = Body.order(extra: ["note": String(repeating: "x", count: 40_000)])
            try await client.execute(uri: "/order", method: .post, headers: .json, body: body) { response in
                #expect(response.status == .contentTooLarge)
                #expect(JSON(response.body)["error"]["code"].string == "too_large")
            }
        }
    }

    @Test("with --order-lookup-limit, GET /order is limited per order id and not per address; POST stays per address")
    func lookupsLimitedPerOrder() async throws {
        var shop = try TestShop(rateLimit: 3)
        shop.configuration.orderLookupLimitPerMinute = 2
        defer { shop.cleanUp() }
        try await shop.withRouter { client in
            // Many shoppers behind one address, each looking up an order of their own: none limited.
            for index in 0..<10 {
                try await client.execute(uri: "/order?id=order\(index)&contact=y", method: .get, headers: .from("100.64.0.1")) { response in
                    #expect(response.status == .notFound)
                }
            }
            // One order id asked from many addresses: limited after 2, whatever the address.
            var statuses: [HTTPResponse.Status] = []
            for index in 0..<4 {
                statuses.append(try await client.execute(uri: "/order?id=same&contact=y", method: .get, headers: .from("198.51.100.\(index)")) { $0.status })
            }
            #expect(statuses == [.notFound, .notFound, .tooManyRequests, .tooManyRequests])
            // POST /order still counts per address: 3, then 429.
            var posts: [HTTPResponse.Status] = []
            for _ in 0..<4 {
                posts.append(try await client.execute(uri: "/order", method: .post, headers: .from("100.64.0.1"), body: ByteBuffer(string: "{}")) { $0.status })
            }
            #expect(posts.last == .tooManyRequests && !posts.dropLast().contains(.tooManyRequests), "\(posts)")
        }
    }

    @Test("429 rate_limited with Retry-After, per client address, on POST and GET /order")
    func rateLimited() async throws {
        let shop = try TestShop(rateLimit: 3)
        defer { shop.cleanUp() }
        try await shop.withRouter { client in
            for _ in 0..<3 {
                try await client.execute(uri: "/order?id=x&contact=y", method: .get, headers: .from("203.0.113.7")) { response in
                    #expect(response.status == .notFound)
                }
            }
            for method in [HTTPRequest.Method.get, .post] {
                try await client.execute(uri: "/order?id=x&contact=y", method: method, headers: .from("203.0.113.7"), body: Body.order()) { response in
                    #expect(response.status == .tooManyRequests)
                    #expect(JSON(response.body)["error"]["code"].string == "rate_limited")
                    #expect(Int(response.headers[.retryAfter] ?? "") ?? 0 >= 1)
                }
            }
            // Another address is not affected, and other routes are not limited.
            try await client.placeOrder(Body.order(), headers: .from("198.51.100.2"))
            try await client.execute(uri: "/healthz", method: .get, headers: .from("203.0.113.7")) { #expect($0.status == .ok) }
        }
    }

    @Test("idempotency: same key and body replays the first answer and creates one order; another body is 422")
    func idempotency() async throws {
        let shop = try TestShop()
        defer { shop.cleanUp() }
        try await shop.withRouter { client in
            var headers = HTTPFields.json
            headers[HTTPField.Name("Idempotency-Key")!] = "checkout-7f3a"
            let body = Body.order(items: [("CHERRY-3", 2)])
            let first = try await client.execute(uri: "/order", method: .post, headers: headers, body: body) { $0 }
            let second = try await client.execute(uri: "/order", method: .post, headers: headers, body: body) { $0 }
            #expect(first.status == .created)
            #expect(second.status == .created)
            #expect(first.body == second.body)
            #expect(second.headers[HTTPField.Name("Idempotent-Replayed")!] == "true")
            #expect(try await client.available("CHERRY-3") == 3)
            try await client.execute(uri: "/admin/orders", method: .get, headers: .admin) { response in
                #expect(JSON(response.body)["orders"].array.count == 1)
            }
            try await client.execute(uri: "/order", method: .post, headers: headers, body: Body.order(items: [("CHERRY-3", 1)])) { response in
                #expect(response.status == .unprocessableContent)
                #expect(JSON(response.body)["error"]["code"].string == "idempotency_key_reused")
            }
            // Concurrent retries with one key still make one order.
            headers[HTTPField.Name("Idempotency-Key")!] = "checkout-concurrent"
            let apple = Body.order(items: [("APPLE-1", 1)])
            let sameKey = headers
            let ids = try await withThrowingTaskGroup(of: String?.self) { group in
                for _ in 0..<10 {
                    group.addTask {
                        try await client.execute(uri: "/order", method: .post, headers: sameKey, body: apple) { JSON($0.body)["order"]["id"].string }
                    }
                }
                return try await group.reduce(into: Set<String?>()) { $0.insert($1) }
            }
            #expect(ids.count == 1)
            #expect(try await client.available("APPLE-1") == 9)
            // A malformed key is a 400.
            headers[HTTPField.Name("Idempotency-Key")!] = String(repeating: "k", count: 300)
            try await client.execute(uri: "/order", method: .post, headers: headers, body: apple) { response in
                #expect(response.status == .badRequest)
                #expect(JSON(response.body)["error"]["fields"]["Idempotency-Key"].exists)
            }
        }
    }
}
