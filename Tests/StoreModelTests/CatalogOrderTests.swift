import Foundation
import Testing

@testable import StoreModel

/// `Catalog.displayOrder` sorts one file's variants as one run; its order must always be the one
/// a sort of every product by `inDisplayOrder` gives.
@Suite(.timeLimit(.minutes(2))) struct CatalogOrderTests {
    static let currency = Currency(code: "TWD")!

    /// Files in a random order: plain products and products with 1 to 4 variants, with titles and
    /// weights that often tie, and now and then a SKU or group SKU that another file has too.
    static func products(seed: UInt64) -> [Product] {
        var random = FrontMatterFuzzTests.SeededRandom(state: seed)
        var products: [Product] = []
        for file in 0..<Int.random(in: 1...60, using: &random) {
            let title = ["Avocado", "Tea", "Box", "芒果", "Tea"].randomElement(using: &random)!
            let weight = Int.random(in: 0...2, using: &random)
            let sku = Bool.random(using: &random) && file > 0 ? "SKU-\(Int.random(in: 0..<file, using: &random))" : "SKU-\(file)"
            let base = Product(
                slug: "p\(file)", sourcePath: "products/p\(file).md", title: title, sku: sku, price: Money(minorUnits: 100, currency: currency),
                weight: weight)
            let count = Int.random(in: 0...4, using: &random)
            if count == 0 {
                products.append(base)
                continue
            }
            let option = ProductOption(name: "Size", values: (0..<count).map { "S\($0)" })
            for position in 0..<count {
                var variant = base
                variant.sku = sku + "-\(position)"
                products.append(variant.asVariant(options: [option], values: ["S\(position)"], position: position, groupSKU: sku + "-0"))
            }
        }
        return products
    }

    @Test(arguments: 0..<300) func runsSortAsEveryProductSorts(seed: UInt64) {
        let products = Self.products(seed: seed)
        let expected = products.indices.sorted { Catalog.inDisplayOrder(products[$0], products[$1]) }
        #expect(Catalog.displayOrder(products) == expected, "seed \(seed)")
    }

    @Test func aFilesVariantsStayTogetherInTheirListedOrder() {
        let option = ProductOption(name: "Size", values: ["S", "M", "L"])
        let product = { (sku: String, title: String) in
            Product(slug: sku, sourcePath: "products/\(sku).md", title: title, sku: sku, price: Money(minorUnits: 1, currency: Self.currency))
        }
        let shirt = ["S", "M", "L"].enumerated().map { position, size in
            product("SHIRT-\(size)", "Shirt").asVariant(options: [option], values: [size], position: position, groupSKU: "SHIRT-S")
        }
        let products = [product("ZEBRA", "Zebra")] + shirt + [product("APPLE", "Apple")]
        #expect(Catalog.displayOrder(products).map { products[$0].sku } == ["APPLE", "SHIRT-S", "SHIRT-M", "SHIRT-L", "ZEBRA"])
    }
}
