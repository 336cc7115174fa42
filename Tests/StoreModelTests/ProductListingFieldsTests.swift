import Foundation
import Testing

@testable import StoreModel

/// A product's merchant-listing fields: `condition`, `saleEnds`, `mpn` (per variant, like `gtin`)
/// and `returns`, their errors, and the content cache.
@Suite(.timeLimit(.minutes(1))) struct ProductListingFieldsTests {
    static let used = "---\ntitle: A\nsku: A-1\nmpn: MP-1\nprice: 100\ncompareAtPrice: 120\ncondition: used\nsaleEnds: 2026-12-31\nreturns: false\n---\n"
    static let sizes = """
        ---
        title: B
        options: [{name: Size, values: [S, M]}]
        variants:
          - {sku: B-S, mpn: MP-S, options: {Size: S}, price: 10}
          - {sku: B-M, options: {Size: M}, price: 12}
        ---
        """

    @Test func theFieldsAreReadAndDefaultOtherwise() async throws {
        let catalog = try await VariantContentTests.load(["a.md": Self.used, "b.md": Self.sizes]).get()
        let a = try #require(catalog.product(sku: "A-1"))
        #expect(a.condition == .used && a.condition.schemaURL == "https://schema.org/UsedCondition")
        #expect(a.saleEnds?.description == "2026-12-31")
        #expect(a.mpn == "MP-1" && !a.returnable)
        #expect(catalog.product(sku: "B-S")?.mpn == "MP-S")
        let plain = try #require(catalog.product(sku: "B-M"))
        #expect(plain.mpn == nil && plain.condition == .new && plain.returnable && plain.saleEnds == nil)
        #expect(ItemCondition.allCases.map(\.schemaURL).last == "https://schema.org/DamagedCondition")
    }

    @Test func mistakesAreReportedOnTheirLines() async throws {
        #expect(
            try await VariantContentTests.issues(["a.md": "---\ntitle: A\nsku: A-1\nprice: 100\ncondition: mint\nsaleEnds: soon\nreturns: maybe\n---\n"]) == [
                "5: condition: \"mint\" is not one of new, used, refurbished, damaged",
                "6: saleEnds: must be a day written YYYY-MM-DD, such as 2026-11-20",
                "7: returns: must be true or false",
            ])
        #expect(
            try await VariantContentTests.issues(["b.md": Self.sizes.replacingOccurrences(of: "title: B\n", with: "title: B\nmpn: X\n")]) == [
                "3: mpn: is given per variant when the product has variants: move it into each of them"
            ])
    }

    @Test func theContentCacheKeepsThemAndTheyChangeTheFingerprint() async throws {
        let fixture = try ContentFixture()
        defer { fixture.cleanUp() }
        try fixture.write("content/products/a.md", Self.used)
        try fixture.write("content/products/b.md", Self.sizes)
        let (first, second) = try await fixture.loadTwiceThroughTheCache()
        #expect(second.report.reused == 2)
        #expect(second.catalog.products == first.catalog.products)
        #expect(second.catalog.products.map(\.mpn) == first.catalog.products.map(\.mpn))
        #expect(second.catalog.product(sku: "A-1")?.returnable == false && second.catalog.product(sku: "A-1")?.condition == .used)
        var product = try #require(first.catalog.product(sku: "B-M"))
        let before = product.fingerprint
        product.condition = .refurbished
        #expect(product.fingerprint != before)
        product.condition = .new
        #expect(product.fingerprint == before, "back to the defaults: no listing fields, the fingerprint it had")
    }
}
