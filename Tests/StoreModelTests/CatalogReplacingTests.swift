import Foundation
import Testing

@testable import StoreModel

/// One product file read into a loaded catalog (an admin edit, or another instance's) must give
/// exactly the catalog a full load gives.
@Suite(.timeLimit(.minutes(2))) struct CatalogReplacingTests {
    static func product(_ title: String, sku: String, price: String, weight: Int = 0, extra: String = "") -> String {
        "---\ntitle: \"\(title)\"\nsku: \(sku)\nprice: \(price)\nweight: \(weight)\n\(extra)---\nAbout \(title).\n"
    }

    static func fixture() throws -> ContentFixture {
        let fixture = try ContentFixture()
        try fixture.write("content/products/apple.md", product("Apple", sku: "APPLE-1", price: "100", extra: "stock: 5\n"))
        try fixture.write("content/products/banana.md", product("Banana", sku: "BANANA-2", price: "250", extra: "compareAtPrice: 300\n"))
        try fixture.write("content/products/cherry.md", product("Cherry", sku: "CHERRY-3", price: "80", weight: 1))
        return fixture
    }

    static func expectSame(_ patched: Catalog, _ loaded: Catalog, _ comment: Comment) {
        #expect(patched.version == loaded.version, comment)
        #expect(patched.products == loaded.products, comment)
        #expect(patched.productsBySKU == loaded.productsBySKU, comment)
        for product in loaded.products { #expect(patched.product(sku: product.sku) == product, comment) }
    }

    @Test func aPriceEditReadFromOneFileIsTheFullLoad() async throws {
        let fixture = try Self.fixture()
        defer { fixture.cleanUp() }
        let loader = CatalogLoader(contentDirectory: fixture.content)
        let before = try await loader.load()
        try fixture.write("content/products/banana.md", Self.product("Banana", sku: "BANANA-2", price: "260", extra: "compareAtPrice: 300\n"))
        let (patched, products) = try #require(try loader.reloading(productFile: "products/banana.md", in: before))
        #expect(products.map(\.price.minorUnits) == [260])
        #expect(patched.version != before.version)
        Self.expectSame(patched, try await loader.load(), "a price edit")
    }

    @Test func anEditThatMovesTheProductSortsItAsALoadWould() async throws {
        let fixture = try Self.fixture()
        defer { fixture.cleanUp() }
        let loader = CatalogLoader(contentDirectory: fixture.content)
        let before = try await loader.load()
        #expect(before.products.map(\.sku) == ["APPLE-1", "BANANA-2", "CHERRY-3"])
        try fixture.write("content/products/apple.md", Self.product("Zucchini apple", sku: "APPLE-1", price: "100", weight: 2, extra: "stock: 5\n"))
        let (patched, _) = try #require(try loader.reloading(productFile: "products/apple.md", in: before))
        #expect(patched.products.map(\.sku) == ["BANANA-2", "CHERRY-3", "APPLE-1"])
        Self.expectSame(patched, try await loader.load(), "a title and weight edit")
    }

    @Test func oneFileCannotSayForANewFileAnotherSKUOrAGoneFile() async throws {
        let fixture = try Self.fixture()
        defer { fixture.cleanUp() }
        let loader = CatalogLoader(contentDirectory: fixture.content)
        let catalog = try await loader.load()
        try fixture.write("content/products/date.md", Self.product("Date", sku: "DATE-4", price: "90"))
        #expect(try loader.reloading(productFile: "products/date.md", in: catalog) == nil, "a new file")
        // Another file's SKU: only a full load can see the clash.
        try fixture.write("content/products/cherry.md", Self.product("Cherry", sku: "APPLE-1", price: "80"))
        #expect(try loader.reloading(productFile: "products/cherry.md", in: catalog) == nil, "a changed SKU")
        try FileManager.default.removeItem(atPath: fixture.content + "/products/cherry.md")
        #expect(try loader.reloading(productFile: "products/cherry.md", in: catalog) == nil, "a deleted file")
        #expect(try loader.reloading(productFile: "store.json", in: catalog) == nil, "not a product file")
        #expect(try loader.reloading(productFile: "products/../store.json", in: catalog) == nil, "not a product file")
    }

    static func tea(title: String = "Tea", weight: Int = 0, variants: [String]) -> String {
        """
        ---
        title: "\(title)"
        weight: \(weight)
        options:
          - name: Size
            values: [S, M, L]
        variants:
        \(variants.map { "  - " + $0 }.joined(separator: "\n"))
        ---
        Leaves.
        """
    }

    static let small = "{sku: TEA-S, options: {Size: S}, price: 100, stock: 3}"
    static let medium = "{sku: TEA-M, options: {Size: M}, price: 150}"

    @Test func aVariantEditReadFromOneFileIsTheFullLoad() async throws {
        let fixture = try Self.fixture()
        defer { fixture.cleanUp() }
        try fixture.write("content/products/tea.md", Self.tea(variants: [Self.small, Self.medium]))
        let loader = CatalogLoader(contentDirectory: fixture.content)
        let before = try await loader.load()
        #expect(before.products.map(\.sku) == ["APPLE-1", "BANANA-2", "TEA-S", "TEA-M", "CHERRY-3"])
        // One variant's price.
        try fixture.write("content/products/tea.md", Self.tea(variants: [Self.small, Self.medium.replacing("150", with: "160")]))
        let (patched, products) = try #require(try loader.reloading(productFile: "products/tea.md", in: before))
        #expect(products.map(\.price.minorUnits) == [100, 160])
        Self.expectSame(patched, try await loader.load(), "a variant's price")
        // The variants listed the other way round, and the product moved by its title and weight.
        try fixture.write("content/products/tea.md", Self.tea(title: "Aa tea", weight: -1, variants: [Self.medium, Self.small]))
        let (moved, _) = try #require(try loader.reloading(productFile: "products/tea.md", in: patched))
        #expect(moved.products.map(\.sku) == ["TEA-M", "TEA-S", "APPLE-1", "BANANA-2", "CHERRY-3"])
        Self.expectSame(moved, try await loader.load(), "variants reordered and the product moved")
    }

    @Test func oneFileCannotSayForAVariantAddedRemovedOrRenamed() async throws {
        let fixture = try Self.fixture()
        defer { fixture.cleanUp() }
        try fixture.write("content/products/tea.md", Self.tea(variants: [Self.small, Self.medium]))
        let loader = CatalogLoader(contentDirectory: fixture.content)
        let catalog = try await loader.load()
        let large = "{sku: TEA-L, options: {Size: L}, price: 200}"
        for (variants, comment) in [
            ([Self.small, Self.medium, large], "a variant added"), ([Self.small], "a variant removed"),
            ([Self.small, Self.medium.replacing("TEA-M", with: "APPLE-1")], "a variant renamed to another file's SKU"),
        ] {
            try fixture.write("content/products/tea.md", Self.tea(variants: variants))
            #expect(try loader.reloading(productFile: "products/tea.md", in: catalog) == nil, "\(comment)")
        }
        // A file that gained options: its one product became variants.
        try fixture.write("content/products/cherry.md", Self.tea(variants: ["{sku: CHERRY-3, options: {Size: S}, price: 80}"]))
        #expect(try loader.reloading(productFile: "products/cherry.md", in: catalog) == nil, "a product that gained options")
    }

    @Test func invalidContentInTheOneFileFailsAsALoadDoes() async throws {
        let fixture = try Self.fixture()
        defer { fixture.cleanUp() }
        let loader = CatalogLoader(contentDirectory: fixture.content)
        let catalog = try await loader.load()
        try fixture.write("content/products/banana.md", Self.product("Banana", sku: "BANANA-2", price: "-3"))
        let error = #expect(throws: ContentError.self) { try loader.reloading(productFile: "products/banana.md", in: catalog) }
        #expect(error?.issues.first?.field == "price")
        #expect(error?.issues.first?.file.hasSuffix("products/banana.md") == true)
        #expect(error?.issues.first?.line == 4)
    }

    /// The version is the hash of one record per product in SKU order; the piecewise hash must
    /// stay byte-equal to hashing those records, or published catalogs would change version.
    @Test func theVersionIsTheHashOfTheRecords() async throws {
        let fixture = try Self.fixture()
        defer { fixture.cleanUp() }
        try fixture.write("content/products/date.md", Self.product("Date", sku: "DATE-4", price: "5", extra: "draft: true\nstock: 0\n"))
        let catalog = try await CatalogLoader(contentDirectory: fixture.content).load()
        var records = ""
        for product in catalog.products.sorted(by: { $0.sku < $1.sku }) {
            let fields = [
                product.sku, String(product.price.minorUnits), String(product.compareAtPrice?.minorUnits ?? -1), String(product.draft),
                String(product.isInStock), product.title, product.slug,
            ]
            records += "\u{1}" + fields.joined(separator: "\u{2}")
        }
        let reference = FNV1a.hash64(records.utf8, seed: FNV1a.hash64(catalog.store.currency.code.utf8))
        #expect(catalog.version == String(FNV1a.hex(reference).prefix(12)))
    }

    @Test(arguments: [0, 7, 10, 99, 100, 1999, 1_000_000, -1, -250, Int64.max, Int64.min])
    func aDecimalHashesAsItsDigits(_ value: Int64) {
        #expect(FNV1a.hash64(decimal: value, seed: 42) == FNV1a.hash64(String(value).utf8, seed: 42))
    }
}
