import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import StoreModel
import Testing

@testable import OrderService

@Suite("Admin API", .timeLimit(.minutes(2)))
struct AdminTests {
    static let adminRoutes: [(String, HTTPRequest.Method)] = [
        ("/admin/orders", .get), ("/admin/orders.csv", .get), ("/admin/orders/AAAAAAAAAAAAAAAA", .get),
        ("/admin/orders/AAAAAAAAAAAAAAAA/status", .post), ("/admin/site-status", .get), ("/admin/site-status", .put),
        ("/admin/products", .get), ("/admin/products/APPLE-1", .patch), ("/admin/catalog/reload", .post),
    ]

    @Test("every admin route answers 401 without or with a wrong token, and 403 when admin is off")
    func authentication() async throws {
        let shop = try TestShop()
        defer { shop.cleanUp() }
        try await shop.withRouter { client in
            for (uri, method) in Self.adminRoutes {
                for headers: HTTPFields in [
                    [:], [.authorization: "Bearer wrong"], [.authorization: "Basic \(TestShop.adminToken)"], [.authorization: "Bearer \(TestShop.adminToken)x"],
                ] {
                    var headers = headers
                    headers[HTTPField.Name("X-Forwarded-For")!] = "192.0.2.\(Int.random(in: 1...250))"
                    try await client.execute(uri: uri, method: method, headers: headers, body: Body.json(["status": "open"])) { response in
                        #expect(response.status == .unauthorized, "\(method) \(uri)")
                        #expect(JSON(response.body)["error"]["code"].string == "unauthorized")
                        #expect(response.headers[.wwwAuthenticate] == "Bearer")
                    }
                }
            }
        }
        let closed = try TestShop(adminTokens: [])
        defer { closed.cleanUp() }
        try await closed.withRouter { client in
            for (uri, method) in Self.adminRoutes {
                try await client.execute(uri: uri, method: method, headers: .admin) { response in
                    #expect(response.status == .forbidden, "\(method) \(uri)")
                    #expect(JSON(response.body)["error"]["code"].string == "admin_disabled")
                }
            }
        }
    }

    @Test("several comma-separated tokens each work; repeated failures lock the address out")
    func lockout() async throws {
        var shop = try TestShop(adminTokens: [TestShop.adminToken, "second-token-abcdef"])
        shop.configuration.adminFailureLimit = 3
        defer { shop.cleanUp() }
        try await shop.withRouter { client in
            try await client.execute(uri: "/admin/site-status", method: .get, headers: [.authorization: "Bearer second-token-abcdef"]) {
                #expect($0.status == .ok)
            }
            var attacker = HTTPFields.from("203.0.113.66")
            attacker[.authorization] = "Bearer guess"
            for _ in 0..<3 {
                try await client.execute(uri: "/admin/orders", method: .get, headers: attacker) { #expect($0.status == .unauthorized) }
            }
            attacker[.authorization] = "Bearer \(TestShop.adminToken)"
            try await client.execute(uri: "/admin/orders", method: .get, headers: attacker) { response in
                #expect(response.status == .tooManyRequests)
                #expect(response.headers[.retryAfter] != nil)
            }
            var owner = HTTPFields.from("198.51.100.1")
            owner[.authorization] = "Bearer \(TestShop.adminToken)"
            try await client.execute(uri: "/admin/orders", method: .get, headers: owner) { #expect($0.status == .ok) }
        }
    }

    @Test("GET /admin/orders filters by status, date and search, and pages with a cursor")
    func listOrders() async throws {
        let shop = try TestShop()
        defer { shop.cleanUp() }
        let clock = shop.clock
        try await shop.withRouter { client in
            var ids: [String] = []
            for index in 0..<5 {
                let answer = try await client.placeOrder(Body.order(items: [("APPLE-1", 1)], email: "user\(index)@example.com", phone: "0911-000-00\(index)"))
                ids.append(try #require(answer["order"]["id"].string))
                clock.advance(by: 3600)
            }
            try await client.execute(uri: "/admin/orders/\(ids[0])/status", method: .post, headers: .admin, body: Body.json(["status": "cancelled"])) {
                #expect($0.status == .ok)
            }

            try await client.execute(uri: "/admin/orders?limit=2", method: .get, headers: .admin) { response in
                let page = JSON(response.body)
                #expect(page["orders"].array.map { $0["id"].string } == [ids[4], ids[3]])
                let cursor = try #require(page["nextCursor"].string)
                try await client.execute(uri: "/admin/orders?limit=2&cursor=\(cursor)", method: .get, headers: .admin) { response in
                    #expect(JSON(response.body)["orders"].array.map { $0["id"].string } == [ids[2], ids[1]])
                }
            }
            try await client.execute(uri: "/admin/orders?status=cancelled", method: .get, headers: .admin) { response in
                let orders = JSON(response.body)["orders"].array
                #expect(orders.map { $0["id"].string } == [ids[0]])
                #expect(orders[0]["customer"]["email"].string == "user0@example.com")
                #expect(JSON(response.body)["nextCursor"].isNull)
            }
            try await client.execute(uri: "/admin/orders?q=USER3@EXAMPLE", method: .get, headers: .admin) { response in
                #expect(JSON(response.body)["orders"].array.map { $0["id"].string } == [ids[3]])
            }
            try await client.execute(uri: "/admin/orders?q=000002", method: .get, headers: .admin) { response in
                #expect(JSON(response.body)["orders"].array.map { $0["id"].string } == [ids[2]])
            }
            try await client.execute(uri: "/admin/orders?q=\(ids[1])", method: .get, headers: .admin) { response in
                #expect(JSON(response.body)["orders"].array.map { $0["id"].string } == [ids[1]])
            }
            let from = Timestamp.string(Date(timeIntervalSince1970: 1_750_000_000 + 3600))
            let to = Timestamp.string(Date(timeIntervalSince1970: 1_750_000_000 + 3 * 3600))
            try await client.execute(uri: "/admin/orders?from=\(from)&to=\(to)", method: .get, headers: .admin) { response in
                #expect(JSON(response.body)["orders"].array.map { $0["id"].string } == [ids[2], ids[1]])
            }
            try await client.execute(uri: "/admin/orders?status=lost&limit=500&cursor=zzz&from=yesterday", method: .get, headers: .admin) { response in
                #expect(response.status == .badRequest)
                let fields = JSON(response.body)["error"]["fields"].object ?? [:]
                #expect(Set(fields.keys) == ["status", "limit", "cursor", "from"])
            }
        }
    }

    @Test("GET /admin/orders/{id} gives details, events and needsReview; 404 for unknown ids")
    func orderDetail() async throws {
        let shop = try TestShop()
        defer { shop.cleanUp() }
        try await shop.withRouter { client in
            let id = try #require(try await client.placeOrder(Body.order(method: "atm"))["order"]["id"].string)
            try await client.execute(uri: "/admin/orders/\(id)", method: .get, headers: .admin) { response in
                let order = JSON(response.body)["order"]
                #expect(order["customer"]["phone"].string == "0912-345-678")
                #expect(order["shippingAddress"]["address"].string == "大內區頭社里 88 號")
                #expect(order["note"].string == "請放門口")
                #expect(order["needsReview"].bool == false)
                #expect(order["expiresAt"].string != nil)
                #expect(order["nextStatuses"].array.compactMap(\.string).sorted() == ["cancelled", "paid"])
                #expect(order["events"].array.count == 1)
                #expect(order["events"][0]["actor"].string == "shopper")
                #expect(order["events"][0]["from"].exists == false || order["events"][0]["from"].isNull)
            }
            for missing in ["AAAAAAAAAAAAAAAA", "nope", "%00"] {
                try await client.execute(uri: "/admin/orders/\(missing)", method: .get, headers: .admin) { response in
                    #expect(response.status == .notFound)
                    #expect(JSON(response.body)["error"]["code"].string == "not_found")
                }
            }
        }
    }

    @Test("status changes follow the transition table; illegal ones answer 409 and change nothing")
    func transitions() async throws {
        let shop = try TestShop()
        defer { shop.cleanUp() }
        try await shop.withRouter { client in
            let card = try #require(try await client.placeOrder(Body.order(method: "credit_card"))["order"]["id"].string)
            let cod = try #require(try await client.placeOrder(Body.order(method: "cash_on_delivery"))["order"]["id"].string)
            func change(
                _ id: String, _ body: [String: Any], expect status: HTTPResponse.Status, sourceLocation: SourceLocation = #_sourceLocation
            ) async throws -> JSON {
                try await client.execute(uri: "/admin/orders/\(id)/status", method: .post, headers: .admin, body: Body.json(body)) { response in
                    #expect(response.status == status, "\(response.body.text)", sourceLocation: sourceLocation)
                    return JSON(response.body)
                }
            }
            // A card order must be paid before shipping; cash on delivery ships straight away.
            let refused = try await change(card, ["status": "shipped"], expect: .conflict)
            #expect(refused["error"]["code"].string == "illegal_transition")
            #expect(try await change(card, ["status": "delivered"], expect: .conflict)["error"]["code"].string == "illegal_transition")
            _ = try await change(card, ["status": "paid", "note": "bank transfer checked"], expect: .ok)
            let shipped = try await change(card, ["status": "shipped", "trackingNumber": "HCT-9"], expect: .ok)
            #expect(shipped["order"]["trackingNumber"].string == "HCT-9")
            #expect(shipped["order"]["events"].array.map { $0["to"].string } == ["created", "paid", "shipped"])
            #expect(shipped["order"]["events"][1]["note"].string == "bank transfer checked")
            #expect(shipped["order"]["events"][1]["actor"].string?.hasPrefix("admin:") == true)
            _ = try await change(cod, ["status": "shipped"], expect: .ok)
            _ = try await change(cod, ["status": "delivered"], expect: .ok)
            _ = try await change(cod, ["status": "paid"], expect: .conflict)
            _ = try await change(cod, ["status": "created"], expect: .conflict)
            let invalid = try await change(cod, ["status": "teleported", "trackingNumber": 5], expect: .badRequest)
            #expect(invalid["error"]["fields"]["status"].exists)
            #expect(invalid["error"]["fields"]["trackingNumber"].exists)
            _ = try await change("AAAAAAAAAAAAAAAA", ["status": "paid"], expect: .notFound)
            try await client.execute(uri: "/admin/orders/\(cod)", method: .get, headers: .admin) { response in
                #expect(JSON(response.body)["order"]["status"].string == "delivered")
                #expect(JSON(response.body)["order"]["events"].array.count == 3)
            }
        }
    }

    @Test("GET /admin/orders.csv streams every order and defuses formula cells")
    func csvExport() async throws {
        let shop = try TestShop()
        defer { shop.cleanUp() }
        try await shop.withRouter { client in
            try await client.placeOrder(Body.order(items: [("PLUM-5", 1)], name: "=cmd|' /C calc'!A0", extra: ["note": "+SUM(A1:A9), \"quoted\"\nsecond line"]))
            try await client.placeOrder(Body.order(items: [("APPLE-1", 1)], email: "-bob@example.com", name: "@evil"))
            try await client.execute(uri: "/admin/orders.csv", method: .get, headers: .admin) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.hasPrefix("text/csv") == true)
                let text = response.body.text
                let header = text.prefix { $0 != "\r\n" }
                #expect(header.hasPrefix("id,createdAt,status"))
                #expect(text.contains(",'=cmd|' /C calc'!A0,"))
                #expect(text.contains("\"'+SUM(A1:A9), \"\"quoted\"\"\nsecond line\""))
                #expect(text.contains(",'@evil,'-bob@example.com,"))
                #expect(!text.contains(",=cmd"))
                #expect(!text.contains(",@evil"))
                // The header and two orders; the note's line break stays inside its quoted cell.
                #expect(text.components(separatedBy: "\r\n").filter { !$0.isEmpty }.count == 3)
            }
            try await client.execute(uri: "/admin/orders.csv?status=paid", method: .get, headers: .admin) { response in
                #expect(response.body.text.components(separatedBy: "\r\n").filter { !$0.isEmpty }.count == 1)
            }
        }
    }

    @Test("site status: GET, PUT validates, writes atomically and closes the shop at once")
    func siteStatus() async throws {
        let shop = try TestShop()
        defer { shop.cleanUp() }
        let file = shop.configuration.siteStatusPath
        try await shop.withRouter { client in
            try await client.execute(uri: "/admin/site-status", method: .get, headers: .admin) { response in
                #expect(JSON(response.body)["status"].string == "open")
            }
            try await client.execute(
                uri: "/admin/site-status", method: .put, headers: .admin, body: Body.json(["status": "paused", "message": ["not", "text"]])
            ) { response in
                #expect(response.status == .badRequest)
                let fields = JSON(response.body)["error"]["fields"].object ?? [:]
                #expect(fields["status"] != nil)
                #expect(fields["message"] != nil)
            }
            try await client.execute(uri: "/admin/site-status", method: .put, headers: .admin, body: ByteBuffer(string: "{oops")) { response in
                #expect(response.status == .badRequest)
                #expect(JSON(response.body)["error"]["code"].string == "invalid_json")
            }
            #expect(try String(contentsOfFile: file, encoding: .utf8).contains("\"open\""))
            let closed = Body.json(["status": "closed", "message": "盤點中，暫停接單", "announcement": "週一見"])
            try await client.execute(uri: "/admin/site-status", method: .put, headers: .admin, body: closed) { response in
                #expect(response.status == .ok)
                #expect(JSON(response.body)["status"].string == "closed")
            }
            let written = try String(contentsOfFile: file, encoding: .utf8)
            #expect(try SiteStatus.parse(written).message == "盤點中，暫停接單")
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: shop.root.path).filter { $0.contains(".tmp-") }
            #expect(leftovers.isEmpty)
            try await client.execute(uri: "/order", method: .post, headers: .json, body: Body.order()) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(JSON(response.body)["error"]["message"].string == "盤點中，暫停接單")
            }
            // A hand edit of the file takes effect too (checked by modification time).
            try await Task.sleep(for: .milliseconds(1100))
            try Data(#"{"status": "open"}"#.utf8).write(to: URL(fileURLWithPath: file))
            try await Task.sleep(for: .milliseconds(1100))
            try await client.placeOrder()
        }
    }

    @Test("products list with live stock; PATCH stock sets the live stock and rejects negatives")
    func productsAndStock() async throws {
        let shop = try TestShop()
        defer { shop.cleanUp() }
        try await shop.withRouter { client in
            try await client.execute(uri: "/admin/products?limit=2", method: .get, headers: .admin) { response in
                let page = JSON(response.body)
                #expect(page["products"].array.map { $0["sku"].string } == ["APPLE-1", "BANANA-2"])
                #expect(page["products"][1]["stock"].isNull)
                #expect(page["catalogVersion"].string?.isEmpty == false)
                let cursor = try #require(page["nextCursor"].string)
                try await client.execute(uri: "/admin/products?limit=100&cursor=\(cursor)", method: .get, headers: .admin) { response in
                    #expect(JSON(response.body)["products"].array.map { $0["sku"].string } == ["CHERRY-3", "DRAFT-4", "LAST-10", "PLUM-5", "TEA-30", "TEA-75"])
                    #expect(JSON(response.body)["products"][1]["draft"].bool == true)
                }
            }
            try await client.placeOrder(Body.order(items: [("CHERRY-3", 2)]))
            try await client.execute(uri: "/admin/products/CHERRY-3", method: .patch, headers: .admin, body: Body.json(["stock": 20])) { response in
                #expect(response.status == .ok)
                let stock = JSON(response.body)["product"]["stock"]
                #expect(stock["available"].int == 20)
                #expect(stock["reserved"].int == 2)
            }
            try await client.execute(uri: "/admin/products/BANANA-2", method: .patch, headers: .admin, body: Body.json(["stock": 7])) { response in
                #expect(JSON(response.body)["product"]["stock"]["available"].int == 7)
            }
            try await client.execute(
                uri: "/admin/products/CHERRY-3", method: .patch, headers: .admin, body: Body.json(["stock": -1, "price": "abc", "draft": "yes"])
            ) { response in
                #expect(response.status == .badRequest)
                let fields = JSON(response.body)["error"]["fields"].object ?? [:]
                #expect(Set(fields.keys) == ["stock", "price", "draft"])
            }
            try await client.execute(uri: "/admin/products/CHERRY-3", method: .patch, headers: .admin, body: Body.json([:])) {
                #expect($0.status == .badRequest)
            }
            try await client.execute(uri: "/admin/products/NOPE", method: .patch, headers: .admin, body: Body.json(["stock": 1])) {
                #expect($0.status == .notFound)
            }
            #expect(try await client.available("CHERRY-3") == 20)
        }
    }

    @Test("PATCH price rewrites only the value in the Markdown file, byte for byte, and reprices at once")
    func priceEditMarkdown() async throws {
        let shop = try TestShop()
        defer { shop.cleanUp() }
        let file = shop.contentPath + "/products/apple.md"
        let before = try Data(contentsOf: URL(fileURLWithPath: file))
        try await shop.withRouter { client in
            try await client.execute(uri: "/admin/products/APPLE-1", method: .patch, headers: .admin, body: Body.json(["price": "125"])) { response in
                #expect(response.status == .ok, "\(response.body.text)")
                #expect(JSON(response.body)["product"]["priceMinor"].int == 125)
            }
            let order = try await client.placeOrder(Body.order(items: [("APPLE-1", 1)]))
            #expect(order["order"]["lines"][0]["unitPriceMinor"].int == 125)
        }
        let after = try Data(contentsOf: URL(fileURLWithPath: file))
        let expected = String(decoding: before, as: UTF8.self).replacingOccurrences(of: "price: 100   # per box", with: "price: 125   # per box")
        #expect(after == Data(expected.utf8))
        #expect(after != before)
    }

    @Test("a content edit runs the operator's command once per burst, with the changed file, and a stock change does not")
    func contentChangeCommand() async throws {
        var shop = try TestShop()
        defer { shop.cleanUp() }
        let log = shop.path("hook.log"), started = shop.path("hook.started"), gate = shop.path("hook.gate")
        // Each run marks that it started, waits for the gate, then appends one line naming the files
        // it was told about. The test holds the first run at the gate while more edits arrive.
        let script = shop.path("hook.sh")
        try """
        touch '\(started)'
        while [ ! -e '\(gate)' ]; do sleep 0.05; done
        printf '%s|' "$STOREFRONT_CHANGED_FILES" | tr '\\n' ' ' >> '\(log)'
        echo >> '\(log)'

        """.write(toFile: script, atomically: true, encoding: .utf8)
        shop.configuration.contentChangeCommand = "sh '\(script)'"
        try await shop.withRouter { client in
            try await client.execute(uri: "/admin/products/APPLE-1", method: .patch, headers: .admin, body: Body.json(["stock": 7])) { response in
                #expect(response.status == .ok)
            }
            #expect(!FileManager.default.fileExists(atPath: started), "a stock change runs nothing")
            for (index, price) in ["101", "102", "103"].enumerated() {
                try await client.execute(uri: "/admin/products/APPLE-1", method: .patch, headers: .admin, body: Body.json(["price": price])) { response in
                    #expect(response.status == .ok, "\(response.body.text)")
                }
                if index == 0 {
                    // The first run is under way (and held) before the next two edits arrive.
                    for _ in 0..<600 where !FileManager.default.fileExists(atPath: started) { try await Task.sleep(for: .milliseconds(50)) }
                    try #require(FileManager.default.fileExists(atPath: started), "the command never started")
                }
            }
            FileManager.default.createFile(atPath: gate, contents: nil)
        }
        // The server has stopped: its hook service let the held run finish and gave the edits that
        // arrived meanwhile their one run before ending.
        let runs = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n")
        #expect(runs.count == 2, "one run for the first edit, one more for the two that arrived while it ran: \(runs)")
        #expect(runs.allSatisfy { $0.contains("products/apple.md|") })
    }

    @Test("PATCH price and draft in a quoted-price Markdown file and a JSON file keep every other byte")
    func priceEditOtherFormats() async throws {
        let shop = try TestShop()
        defer { shop.cleanUp() }
        let banana = shop.contentPath + "/products/banana.md"
        let cherry = shop.contentPath + "/products/cherry.json"
        let bananaBefore = try String(contentsOfFile: banana, encoding: .utf8)
        let cherryBefore = try String(contentsOfFile: cherry, encoding: .utf8)
        try await shop.withRouter { client in
            try await client.execute(uri: "/admin/products/BANANA-2", method: .patch, headers: .admin, body: Body.json(["price": 260, "draft": true])) {
                response in
                #expect(response.status == .ok, "\(response.body.text)")
                #expect(JSON(response.body)["product"]["draft"].bool == true)
            }
            try await client.execute(uri: "/admin/products/CHERRY-3", method: .patch, headers: .admin, body: Body.json(["price": "399"])) {
                #expect($0.status == .ok)
            }
            try await client.execute(uri: "/admin/products/DRAFT-4", method: .patch, headers: .admin, body: Body.json(["draft": false])) {
                #expect($0.status == .ok)
            }
            try await client.execute(uri: "/order", method: .post, headers: .json, body: Body.order(items: [("BANANA-2", 1)])) {
                #expect($0.status == .conflict)
            }
            try await client.placeOrder(Body.order(items: [("DRAFT-4", 1)]))
        }
        let bananaExpected = bananaBefore.replacingOccurrences(of: "price: \"250\"\n", with: "price: \"260\"\n")
            .replacingOccurrences(of: "weight: 20\n---", with: "weight: 20\ndraft: true\n---")
        #expect(try String(contentsOfFile: banana, encoding: .utf8) == bananaExpected)
        #expect(try String(contentsOfFile: cherry, encoding: .utf8) == cherryBefore.replacingOccurrences(of: "\"price\": \"380\"", with: "\"price\": \"399\""))
        let draft = try String(contentsOfFile: shop.contentPath + "/products/draft.md", encoding: .utf8)
        #expect(draft.contains("\ndraft: false\n"))
    }

    @Test("POST /admin/catalog/reload picks up new products and keeps live stock; broken content keeps the old catalog")
    func reload() async throws {
        let shop = try TestShop()
        defer { shop.cleanUp() }
        try await shop.withRouter { client in
            try await client.placeOrder(Body.order(items: [("APPLE-1", 4)]))
            try """
            ---
            title: Kiwi
            sku: KIWI-6
            price: 70
            stock: 9
            ---
            """.write(toFile: shop.contentPath + "/products/kiwi.md", atomically: true, encoding: .utf8)
            try await client.execute(uri: "/admin/catalog/reload", method: .post, headers: .admin) { response in
                #expect(response.status == .ok)
                #expect(JSON(response.body)["products"].int == 9, "every SKU: 7 product files (the tea has 2 variants) and the new one")
            }
            #expect(try await client.available("KIWI-6") == 9)
            #expect(try await client.available("APPLE-1") == 6)
            try "---\ntitle: Broken\nprice: nope\n---\n".write(toFile: shop.contentPath + "/products/broken.md", atomically: true, encoding: .utf8)
            try await client.execute(uri: "/admin/catalog/reload", method: .post, headers: .admin) { response in
                #expect(response.status == .conflict)
                #expect(JSON(response.body)["error"]["code"].string == "content_invalid")
                #expect(!(JSON(response.body)["error"]["fields"].object ?? [:]).isEmpty)
            }
            try await client.placeOrder(Body.order(items: [("KIWI-6", 1)]))
        }
    }
}
