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
        #expect(try OrderLineOptions.parse(OrderLineOptions.column(Self.seventyFive), row: "r") == Self.seventyFive)
        #expect(try OrderLineOptions.parse("", row: "r") == [])
        #expect(throws: StoreError.self) { try OrderLineOptions.parse("{not json", row: "r") }
    }
}
