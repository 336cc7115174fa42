import Foundation
import Testing

@testable import SiteGenerator
@testable import StoreModel

/// The offers' merchant-listing members and the home page's shop-wide policies they refer to.
@Suite(.timeLimit(.minutes(1))) struct MerchantStructuredDataTests {
    let twd = Currency(code: "TWD")!
    var store: StoreConfig {
        StoreConfig(
            name: "Farm", baseURL: "https://shop.test", locale: "zh-TW", currency: twd, apiURL: "/api", paymentMethods: [.cashOnDelivery],
            shipping: ShippingRule(flatFee: Money(minorUnits: 150, currency: twd), freeShippingThreshold: Money(minorUnits: 2000, currency: twd)),
            contact: .init(email: "a@shop.test"))
    }
    let ids = StructuredData.MerchantIDs(home: "https://shop.test/")

    func json(_ value: JSONValue) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(value.bytes)) as? [String: Any])
    }

    func product(price: Int64, compareAt: Int64? = nil) -> Product {
        Product(
            slug: "a", sourcePath: "products/a.md", title: "A", sku: "A-1", price: Money(minorUnits: price, currency: twd),
            compareAtPrice: compareAt.map { Money(minorUnits: $0, currency: twd) })
    }

    @Test func anOfferOnSaleCarriesItsFormerPriceTheSaleEndAndThePoliciesItFalls() throws {
        var sale = product(price: 900, compareAt: 1200)
        sale.saleEnds = CalendarDay(iso: "2026-12-31")
        sale.returnable = false
        sale.condition = .refurbished
        let offer = try json(StructuredData.offer(sale, url: "https://shop.test/products/a/", store: store, ids: ids))
        let strike = try #require(offer["priceSpecification"] as? [String: String])
        #expect(strike == ["@type": "UnitPriceSpecification", "priceType": "https://schema.org/StrikethroughPrice", "price": "1200", "priceCurrency": "TWD"])
        #expect(offer["price"] as? String == "900")
        #expect(offer["priceValidUntil"] as? String == "2026-12-31")
        #expect(offer["itemCondition"] as? String == "https://schema.org/RefurbishedCondition")
        #expect(offer["shippingDetails"] as? [[String: String]] == [["@id": "https://shop.test/#shipping-TW"]])
        #expect(offer["hasMerchantReturnPolicy"] as? [String: String] == ["@id": "https://shop.test/#returns-none"])

        // At the free-shipping threshold one item ships free; not on sale, no former price or end.
        let dear = try json(StructuredData.offer(product(price: 2000), url: "u", store: store, ids: ids))
        #expect(dear["shippingDetails"] as? [[String: String]] == [["@id": "https://shop.test/#shipping-TW-free"]])
        #expect(dear["hasMerchantReturnPolicy"] as? [String: String] == ["@id": "https://shop.test/#returns"])
        #expect(dear["priceSpecification"] == nil && dear["priceValidUntil"] == nil)
    }

    @Test func theHomePageDefinesEveryNodeTheOffersReferTo() throws {
        let graph = try #require(try json(StructuredData.store(store, ids: ids, logo: "https://shop.test/logo.png"))["@graph"] as? [[String: Any]])
        let byID = Dictionary(uniqueKeysWithValues: graph.compactMap { node in (node["@id"] as? String).map { ($0, node) } })
        for id in ["#store", "#shipping-service-TW", "#shipping-TW", "#shipping-TW-free", "#returns", "#returns-none"] {
            #expect(byID["https://shop.test/" + id] != nil, "\(id)")
        }
        let charged = try #require(byID["https://shop.test/#shipping-TW"])
        #expect((charged["shippingRate"] as? [String: String])?["value"] == "150")
        #expect((byID["https://shop.test/#shipping-TW-free"]?["shippingRate"] as? [String: String])?["value"] == "0")
        let conditions = try #require(byID["https://shop.test/#shipping-service-TW"]?["shippingConditions"] as? [[String: Any]])
        #expect(conditions.map { ($0["orderValue"] as? [String: String])?["maxValue"] } == ["1999", nil], "below the threshold, then from it")
        let returns = try #require(byID["https://shop.test/#returns"])
        #expect(returns["merchantReturnDays"] as? Int == 7)
        #expect(returns["returnFees"] as? String == "https://schema.org/FreeReturn")
        #expect(byID["https://shop.test/#returns-none"]?["returnPolicyCategory"] as? String == "https://schema.org/MerchantReturnNotPermitted")
        #expect(byID["https://shop.test/#store"]?["logo"] as? String == "https://shop.test/logo.png")

        // A shop with no country to name claims no shipping or returns, and its offers refer to none.
        var euro = store
        euro.policies = .defaults(locale: "de", currency: Currency(code: "EUR")!)
        let bare = try json(StructuredData.offer(product(price: 900), url: "u", store: euro, ids: ids))
        #expect(bare["shippingDetails"] == nil && bare["hasMerchantReturnPolicy"] == nil)
    }
}
