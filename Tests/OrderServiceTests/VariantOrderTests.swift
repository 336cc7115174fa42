import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import OrderService
@testable import StoreModel

/// Orders of products with variants (the fixture's `tea.md`: TEA-30 and TEA-75, 5 of each):
/// one line per variant SKU at its own price, the option values kept on the line whatever the
/// content says later, and stock reserved per variant with no oversell.
@Suite("Orders of variants", .timeLimit(.minutes(2)))
struct VariantOrderTests {
    static let thirty = [ChosenOption(name: "Weight", value: "30 g")]
    static let seventyFive = [ChosenOption(name: "Weight", value: "75 g")]

    @Test("each variant is a line at its catalog price with its option values, in the answer, on GET /order and in the admin's order")
    func linesKeepTheirOptions() async throws {
        let shop = try TestShop()
        defer { shop.cleanUp() }
        try await shop.withRouter { client in
            let created = try await client.placeOrder(Body.order(items: [("TEA-30", 1), ("TEA-75", 2), ("APPLE-1", 1)], email: "tea@example.com"))
            let lines = created["order"]["lines"]
            #expect(lines[0]["sku"].string == "TEA-30" && lines[0]["unitPriceMinor"].int == 280)
            #expect(lines[1]["sku"].string == "TEA-75" && lines[1]["unitPriceMinor"].int == 620 && lines[1]["lineTotalMinor"].int == 1240)
            #expect(lines[0]["options"][0]["name"].string == "Weight" && lines[0]["options"][0]["value"].string == "30 g")
            #expect(lines[1]["options"][0]["value"].string == "75 g")
            #expect(!lines[2]["options"].exists, "a product without options has no options member")
            #expect(lines[0]["title"].string == "Leaf tea")
            let id = try #require(created["order"]["id"].string)
            try await client.execute(uri: "/order?id=\(id)&contact=tea@example.com", method: .get) { response in
                let lines = JSON(response.body)["order"]["lines"]
                #expect(lines[1]["options"][0]["value"].string == "75 g", "\(response.body.text)")
            }
            try await client.execute(uri: "/admin/orders/\(id)", method: .get, headers: .admin) { response in
                #expect(JSON(response.body)["order"]["lines"][0]["options"][0]["value"].string == "30 g", "\(response.body.text)")
            }
            #expect(try await client.available("TEA-30") == 4)
            #expect(try await client.available("TEA-75") == 3)
        }
    }

    @Test("a later content change never alters a placed order's option values, title or price")
    func snapshotSurvivesContentChanges() async throws {
        let shop = try TestShop()
        defer { shop.cleanUp() }
        try await shop.withRouter { client in
            let created = try await client.placeOrder(Body.order(items: [("TEA-75", 1)], email: "tea@example.com"))
            let id = try #require(created["order"]["id"].string)
            let file = shop.root.appendingPathComponent("content/products/tea.md")
            let renamed = try String(contentsOf: file, encoding: .utf8).replacingOccurrences(of: "75 g", with: "80 g")
                .replacingOccurrences(of: "price: 620", with: "price: 700").replacingOccurrences(of: "Leaf tea", with: "Avocado leaf tea")
            try Data(renamed.utf8).write(to: file)
            try await client.execute(uri: "/admin/catalog/reload", method: .post, headers: .admin) { #expect($0.status == .ok, "\($0.body.text)") }
            try await client.execute(uri: "/order?id=\(id)&contact=tea@example.com", method: .get) { response in
                let line = JSON(response.body)["order"]["lines"][0]
                #expect(line["options"][0]["value"].string == "75 g")
                #expect(line["unitPriceMinor"].int == 620)
                #expect(line["title"].string == "Leaf tea")
            }
            let again = try await client.placeOrder(Body.order(items: [("TEA-75", 1)], email: "tea2@example.com"))
            #expect(again["order"]["lines"][0]["options"][0]["value"].string == "80 g")
            #expect(again["order"]["lines"][0]["unitPriceMinor"].int == 700)
        }
    }

    @Test("no oversell across two variants of one product: 40 parallel orders of one of each, 5 units each")
    func noOversellAcrossVariants() async throws {
        let shop = try TestShop()
        defer { shop.cleanUp() }
        try await shop.withRouter { client in
            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for index in 0..<40 {
                    group.addTask {
                        let items = index % 2 == 0 ? [("TEA-30", 1), ("TEA-75", 1)] : [("TEA-75", 1), ("TEA-30", 1)]
                        return try await client.execute(
                            uri: "/order", method: .post, headers: .json, body: Body.order(items: items, email: "buyer\(index)@example.com")
                        ) { $0.status }
                    }
                }
                return try await group.reduce(into: [HTTPResponse.Status]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == .created }.count == 5)
            #expect(statuses.filter { $0 == .conflict }.count == 35)
            #expect(try await client.available("TEA-30") == 0)
            #expect(try await client.available("TEA-75") == 0)
        }
    }

    @Test("both stores keep a line's option values", arguments: StoreKind.allCases)
    func storesKeepOptions(kind: StoreKind) async throws {
        try await kind.withStore(notifications: Contract.routing) { store in
            try await store.seedStock(["TEA-30": 5, "TEA-75": 5])
            let plain = Contract.order([("TEA-30", 1), ("TEA-75", 2)])
            var lines = plain.order.lines
            lines[0].options = Self.thirty
            lines[1].options = Self.seventyFive + [ChosenOption(name: "Pack \"gift\" / 禮盒", value: "是 \\ yes")]
            let cart = PricedCart(
                lines: lines, subtotal: plain.order.subtotal, shipping: plain.order.shipping, total: plain.order.total, catalogVersion: "v")
            let new = NewOrder(
                id: plain.id, paymentMethod: plain.order.paymentMethod, cart: cart, customer: plain.order.customer,
                shippingAddress: plain.order.shippingAddress, note: "", createdAt: plain.order.createdAt, expiresAt: nil)
            try await Contract.place(new, in: store)
            let stored = try await store.order(id: new.id)
            #expect(stored.lines.map(\.options) == lines.map(\.options))
            #expect(stored == new.order)
        }
    }

    @Test("the column's text: empty for none, JSON otherwise, and a damaged one is a corrupt row")
    func columnText() throws {
        #expect(OrderLineOptions.column([]) == "")
        #expect(OrderLineOptions.column(Self.thirty) == #"[{"name":"Weight","value":"30 g"}]"#)
        // The column is what JSONEncoder (sorted keys, slashes as they are) writes, for any text.
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        for text in ["重量", "a\"b\\c", "1/2 kg", "tab\there", "\u{1}\u{1F}", "e\u{301}", "👍🏽"] {
            let options = [ChosenOption(name: text, value: text + "!"), ChosenOption(name: "n", value: text)]
            #expect(OrderLineOptions.column(options) == String(decoding: try encoder.encode(options), as: UTF8.self), "\(text.debugDescription)")
        }
        #expect(try OrderLineOptions.parse(OrderLineOptions.column(Self.seventyFive), row: "r") == Self.seventyFive)
        #expect(try OrderLineOptions.parse("", row: "r") == [])
        #expect(throws: StoreError.self) { try OrderLineOptions.parse("{not json", row: "r") }
    }
}

/// `ContentFieldEditor.editVariant`: one variant's value rewritten in place, every other byte kept.
@Suite("Variant content edits", .timeLimit(.minutes(1)))
struct VariantContentEditTests {
    static let price = ContentFieldEditor.Value(text: "999", isBoolean: false)
    static let draft = ContentFieldEditor.Value(text: "true", isBoolean: true)

    @Test("a flow-mapping variant: only its value changes; a missing field is added inside its braces")
    func flowStyle() throws {
        let source = """
            ---
            title: T
            price_note: "price: 1"
            options:
              - name: 重量
                values: [1 公斤, 3 公斤]
            variants:
              - {sku: A-1, options: {重量: 1 公斤}, price: 380, stock: 40}   # small
              - {sku: "A-3", options: {重量: "3 公斤, price: 5"}, price: '1080', compareAtPrice: 1200}
            ---
            price: 380 in the body

            """
        let one = try ContentFieldEditor.editVariant(source, isJSON: false, sku: "A-1", key: "price", value: Self.price)
        #expect(one == source.replacingOccurrences(of: "price: 380, stock: 40}", with: "price: 999, stock: 40}"))
        let three = try ContentFieldEditor.editVariant(source, isJSON: false, sku: "A-3", key: "price", value: Self.price)
        #expect(three == source.replacingOccurrences(of: "price: '1080'", with: "price: '999'"), "the quotes are kept; a price inside a value is not touched")
        let drafted = try ContentFieldEditor.editVariant(source, isJSON: false, sku: "A-1", key: "draft", value: Self.draft)
        #expect(drafted == source.replacingOccurrences(of: "stock: 40}", with: "stock: 40, draft: true}"))
        #expect(throws: ContentFieldEditor.EditError.self) {
            try ContentFieldEditor.editVariant(source, isJSON: false, sku: "A-2", key: "price", value: Self.price)
        }
    }

    @Test("a block variant: its member's line changes; a missing field is added after its last member")
    func blockStyle() throws {
        let source =
            "---\r\ntitle: T\r\nvariants:\r\n  - sku: A-1\r\n    options: {W: S}\r\n    price: 380\r\n  - sku: A-2\r\n    options: {W: M}\r\n    price: 480 # two\r\nweight: 3\r\n---\r\nBody\r\n"
        let edited = try ContentFieldEditor.editVariant(source, isJSON: false, sku: "A-2", key: "price", value: Self.price)
        #expect(edited == source.replacingOccurrences(of: "price: 480 # two", with: "price: 999 # two"))
        let drafted = try ContentFieldEditor.editVariant(source, isJSON: false, sku: "A-1", key: "draft", value: Self.draft)
        #expect(drafted == source.replacingOccurrences(of: "    price: 380\r\n", with: "    price: 380\r\n    draft: true\r\n"))
    }

    @Test("a JSON variant: its member's value changes, keeping string or number form")
    func json() throws {
        let source = """
            {"title": "T", "price_note": 1,
             "variants": [
               {"sku": "A-1", "options": {"W": "S"}, "price": 380},
               {"sku": "A-2", "options": {"W": "M"}, "price": "480"}
             ]}
            """
        #expect(
            try ContentFieldEditor.editVariant(source, isJSON: true, sku: "A-1", key: "price", value: Self.price)
                == source.replacingOccurrences(of: "\"price\": 380", with: "\"price\": 999"))
        #expect(
            try ContentFieldEditor.editVariant(source, isJSON: true, sku: "A-2", key: "price", value: Self.price)
                == source.replacingOccurrences(of: "\"price\": \"480\"", with: "\"price\": \"999\""))
        #expect(
            try ContentFieldEditor.editVariant(source, isJSON: true, sku: "A-2", key: "draft", value: Self.draft)
                == source.replacingOccurrences(of: "\"price\": \"480\"}", with: "\"price\": \"480\", \"draft\": true}"))
    }

    @Test("PATCH /admin/products/{variant SKU} rewrites only that variant's price in the file, and the API prices it at once")
    func patchVariant() async throws {
        let shop = try TestShop()
        defer { shop.cleanUp() }
        let file = shop.root.appendingPathComponent("content/products/tea.md")
        let before = try String(contentsOf: file, encoding: .utf8)
        try await shop.withRouter { client in
            try await client.execute(uri: "/admin/products/TEA-75", method: .patch, headers: .admin, body: Body.json(["price": "650", "draft": false])) {
                response in
                #expect(response.status == .ok, "\(response.body.text)")
                #expect(JSON(response.body)["product"]["priceMinor"].int == 650)
            }
            let after = try String(contentsOf: file, encoding: .utf8)
            #expect(after == before.replacingOccurrences(of: "price: 620", with: "price: 650"))
            let order = try await client.placeOrder(Body.order(items: [("TEA-75", 1), ("TEA-30", 1)], email: "tea@example.com"))
            #expect(order["order"]["lines"].array.map { $0["unitPriceMinor"].int } == [650, 280])
        }
    }
}

extension VariantContentEditTests {
    @Test("GET /admin/products lists each variant with its product and option values")
    func adminListsVariants() async throws {
        let shop = try TestShop()
        defer { shop.cleanUp() }
        try await shop.withRouter { client in
            try await client.execute(uri: "/admin/products?q=tea", method: .get, headers: .admin) { response in
                let products = JSON(response.body)["products"].array
                #expect(products.map { $0["sku"].string } == ["TEA-30", "TEA-75"], "\(response.body.text)")
                #expect(products.allSatisfy { $0["product"].string == "tea" })
                #expect(products[1]["options"][0]["name"].string == "Weight" && products[1]["options"][0]["value"].string == "75 g")
            }
            try await client.execute(uri: "/admin/products?q=APPLE-1", method: .get, headers: .admin) { response in
                let apple = JSON(response.body)["products"][0]
                #expect(!apple["product"].exists && !apple["options"].exists)
            }
        }
    }
}

extension VariantOrderTests {
    @Test("the CSV export has one row per line, with the variant's SKU and option values")
    func csvRowPerLine() async throws {
        let shop = try TestShop()
        defer { shop.cleanUp() }
        try await shop.withRouter { client in
            try await client.placeOrder(Body.order(items: [("TEA-30", 1), ("TEA-75", 2)], email: "tea@example.com"))
            try await client.execute(uri: "/admin/orders.csv", method: .get, headers: .admin) { response in
                let rows = response.body.text.components(separatedBy: "\r\n").filter { !$0.isEmpty }
                #expect(rows.count == 3, "\(rows)")
                #expect(rows[0].hasSuffix(",line,sku,title,options,quantity,unitPrice,lineTotal"))
                #expect(rows[1].hasSuffix(",1,TEA-30,Leaf tea,Weight: 30 g,1,280,280"))
                #expect(rows[2].hasSuffix(",2,TEA-75,Leaf tea,Weight: 75 g,2,620,1240"))
            }
        }
    }
}
