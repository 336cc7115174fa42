import Testing

@testable import StoreModel

@Suite(.timeLimit(.minutes(2))) struct OrderRulesTests {
    @Test func cashOnDeliveryShipsUnpaidButCardOrdersDoNot() {
        #expect(OrderStatus.created.canMove(to: .shipped, by: .admin, method: .cashOnDelivery))
        #expect(!OrderStatus.created.canMove(to: .shipped, by: .admin, method: .creditCard))
        #expect(OrderStatus.created.canMove(to: .paid, by: .gateway, method: .creditCard))
        #expect(!OrderStatus.created.canMove(to: .expired, by: .system, method: .cashOnDelivery))
    }

    @Test func paidOrdersAreNeverDowngradedByAGateway() {
        for target in OrderStatus.allCases {
            #expect(!OrderStatus.paid.canMove(to: target, by: .gateway, method: .creditCard))
        }
        #expect(!OrderStatus.paid.canMove(to: .created, by: .admin, method: .creditCard))
        #expect(OrderStatus.delivered.nextStates(by: .admin, method: .atm) == [.refunded])
        #expect(OrderStatus.cancelled.nextStates(by: .admin, method: .atm).isEmpty)
    }

    @Test func cartIsPricedFromTheCatalogWithShipping() throws {
        let twd = Currency(code: "TWD")!
        let store = StoreConfig(
            name: "S", baseURL: "https://s.test", locale: "en", currency: twd, apiURL: "/api", paymentMethods: [.atm],
            shipping: ShippingRule(flatFee: Money(minorUnits: 150, currency: twd), freeShippingThreshold: Money(minorUnits: 2000, currency: twd)))
        let products = [
            Product(slug: "a", sourcePath: "products/a.md", title: "A", sku: "A", price: Money(minorUnits: 380, currency: twd)),
            Product(slug: "b", sourcePath: "products/b.md", title: "B", sku: "B", price: Money(minorUnits: 1080, currency: twd)),
            Product(slug: "d", sourcePath: "products/d.md", title: "D", sku: "D", price: Money(minorUnits: 1, currency: twd), draft: true),
        ]
        let catalog = Catalog(store: store, products: products, pages: [])
        let small = try catalog.price([CartItem(sku: "A", quantity: 2)]).get()
        #expect(small.subtotal.minorUnits == 760)
        #expect(small.shipping.minorUnits == 150)
        #expect(small.total.minorUnits == 910)
        let large = try catalog.price([CartItem(sku: "A", quantity: 1), CartItem(sku: "B", quantity: 2)]).get()
        #expect(large.subtotal.minorUnits == 2540)
        #expect(large.shipping.minorUnits == 0)
        #expect(large.lines.map(\.lineTotal.minorUnits) == [380, 2160])
        guard case .failure(let error) = catalog.price([CartItem(sku: "A", quantity: 1), CartItem(sku: "X", quantity: 1), CartItem(sku: "D", quantity: 1)])
        else {
            Issue.record("unknown and draft SKUs must not be priced")
            return
        }
        #expect(error.problems == [1: .unknownSKU, 2: .draft])
    }

    @Test func siteStatusIsValidatedWithLines() throws {
        let status = try SiteStatus.parse(#"{"status": "closed", "message": "Back soon", "announcement": ""}"#)
        #expect(status == SiteStatus(status: .closed, message: "Back soon"))
        let error = #expect(throws: ContentError.self) {
            _ = try SiteStatus.parse("{\n  \"status\": \"maybe\",\n  \"message\": 3\n}")
        }
        #expect(error?.issues.map(\.description) == ["site-status.json:2: status: must be \"open\" or \"closed\""])
        #expect(throws: ContentError.self) { _ = try SiteStatus.parse("{\"message\": \"x\"}") }
        #expect(throws: ContentError.self) { _ = try SiteStatus.parse("[1, 2") }
    }

    @Test func slugsAndPathsAreSafe() {
        #expect(URLPath.slug("Gift Boxes") == "gift-boxes")
        #expect(URLPath.slug("酪梨") == "酪梨")
        #expect(URLPath.slug("  a / b  ") == "a-b")
        #expect(URLPath.encodeSegment("酪梨") == "%E9%85%AA%E6%A2%A8")
        #expect(URLPath.decode("%E9%85%AA%E6%A2%A8") == "酪梨")
        #expect(FNV1a.hash32("AVO-HASS-1KG") == FNV1a.hash32("AVO-HASS-1KG"))
        #expect(FNV1a.hash32("a") == 0xe40c292c, "matches the published FNV-1a 32-bit value, which site.js repeats")
    }
}
