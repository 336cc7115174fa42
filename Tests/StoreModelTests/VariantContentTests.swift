import Foundation
import Testing

@testable import StoreModel

/// Products with options and variants: reading, every validation error, and what the catalog,
/// its version, pricing and the content cache make of them.
@Suite(.timeLimit(.minutes(2))) struct VariantContentTests {
    static let avocado = """
        ---
        title: 哈斯酪梨
        categories: [酪梨]
        images: [/images/hass.svg]
        lowStock: 5
        options:
          - name: 重量
            values: [1 公斤, 3 公斤, 5 公斤]
        variants:
          - {sku: AVO-HASS-1KG, options: {重量: 1 公斤}, price: 380, stock: 40}
          - {sku: AVO-HASS-3KG, options: {重量: 3 公斤}, price: 1080, compareAtPrice: 1200, stock: 12, image: /images/hass-3.svg}
          - {sku: AVO-HASS-5KG, options: {重量: 5 公斤}, price: 1700, weightGrams: 5200, draft: true}
        ---
        Creamy.
        """

    /// Loads `files` (path under products/ → text) and returns the catalog or the issues' descriptions.
    static func load(_ files: [String: String]) async throws -> Result<Catalog, ContentError> {
        let fixture = try ContentFixture()
        defer { fixture.cleanUp() }
        for (name, text) in files { try fixture.write("content/products/\(name)", text) }
        do {
            return .success(try await CatalogLoader(contentDirectory: fixture.content).load())
        } catch let error as ContentError {
            return .failure(error)
        }
    }

    static func issues(_ files: [String: String]) async throws -> [String] {
        switch try await load(files) {
        case .success: return []
        case .failure(let error): return error.issues.map { "\($0.line): \($0.field ?? "-"): \($0.message)" }
        }
    }

    @Test func eachVariantIsAProductWithItsOwnSKUPriceAndStock() async throws {
        let catalog = try await Self.load(["hass.md": Self.avocado]).get()
        #expect(catalog.products.map(\.sku) == ["AVO-HASS-1KG", "AVO-HASS-3KG", "AVO-HASS-5KG"], "in their listed order")
        let three = try #require(catalog.product(sku: "AVO-HASS-3KG"))
        #expect(three.title == "哈斯酪梨")
        #expect(three.slug == "hass")
        #expect(three.price.minorUnits == 1080, "TWD has no minor unit")
        #expect(three.compareAtPrice?.minorUnits == 1200)
        #expect(three.stock == 12)
        #expect(three.lowStock == 5, "the product's lowStock applies to each variant")
        #expect(three.options == [ProductOption(name: "重量", values: ["1 公斤", "3 公斤", "5 公斤"])])
        #expect(three.optionValues == ["3 公斤"])
        #expect(three.chosenOptions == [ChosenOption(name: "重量", value: "3 公斤")])
        #expect(three.variantPosition == 1)
        #expect(three.groupSKU == "AVO-HASS-1KG")
        #expect(three.primaryImage == "/images/hass-3.svg")
        #expect(catalog.product(sku: "AVO-HASS-1KG")?.primaryImage == "/images/hass.svg")
        #expect(three.description.contains("Creamy."))
        let five = try #require(catalog.product(sku: "AVO-HASS-5KG"))
        #expect(five.draft, "a variant can be a draft on its own")
        #expect(five.weightGrams == 5200)
        #expect(five.stock == nil)
        #expect(!catalog.publishedProducts.contains { $0.sku == "AVO-HASS-5KG" })
    }

    @Test func aProductWithoutOptionsIsUnchanged() async throws {
        let plain = "---\ntitle: Oil\nsku: OIL-1\nprice: 450\nstock: 3\n---\n"
        let catalog = try await Self.load(["oil.md": plain]).get()
        let oil = try #require(catalog.product(sku: "OIL-1"))
        #expect(!oil.isVariant)
        #expect(oil.options.isEmpty && oil.optionValues.isEmpty && oil.chosenOptions.isEmpty)
        #expect(oil.groupSKU == "OIL-1")
    }

    @Test func variantsOfOneProductStayTogetherInDisplayOrder() async throws {
        // Same weight and title as another product: the variants must not interleave with it.
        let other = "---\ntitle: 哈斯酪梨\nsku: AVO-HASS-2KG\nprice: 700\n---\n"
        let catalog = try await Self.load(["hass.md": Self.avocado, "other.md": other]).get()
        #expect(catalog.products.map(\.sku) == ["AVO-HASS-1KG", "AVO-HASS-3KG", "AVO-HASS-5KG", "AVO-HASS-2KG"])
    }

    @Test func pricingSnapshotsTheOptionValues() async throws {
        let catalog = try await Self.load(["hass.md": Self.avocado]).get()
        let cart = try catalog.price([CartItem(sku: "AVO-HASS-3KG", quantity: 2), CartItem(sku: "AVO-HASS-1KG", quantity: 1)]).get()
        #expect(cart.lines.map(\.options) == [[ChosenOption(name: "重量", value: "3 公斤")], [ChosenOption(name: "重量", value: "1 公斤")]])
        #expect(cart.lines.map(\.unitPrice.minorUnits) == [1080, 380])
        #expect(cart.lines[0].options.displayText == "3 公斤")
        guard case .failure(let error) = catalog.price([CartItem(sku: "AVO-HASS-5KG", quantity: 1)]) else {
            Issue.record("a draft variant must not be priced")
            return
        }
        #expect(error.problems == [0: .draft])
    }

    @Test func optionValuesArePartOfTheVersion() async throws {
        let before = try await Self.load(["hass.md": Self.avocado]).get().version
        let renamed = try await Self.load(["hass.md": Self.avocado.replacingOccurrences(of: "5 公斤", with: "5 公斤裝")]).get().version
        #expect(before != renamed)
    }

    @Test func jsonProductsTakeTheSameFields() async throws {
        let json = """
            {"title": "Tea", "options": [{"name": "Weight", "values": ["75 g", "150 g"]}],
             "variants": [{"sku": "TEA-75", "options": {"Weight": "75 g"}, "price": "320"},
                          {"sku": "TEA-150", "options": {"Weight": "150 g"}, "price": 580, "gtin": "4006381333931"}]}
            """
        let catalog = try await Self.load(["tea.json": json]).get()
        #expect(catalog.products.map(\.sku) == ["TEA-75", "TEA-150"])
        #expect(catalog.product(sku: "TEA-150")?.gtin == "4006381333931")
        #expect(catalog.product(sku: "TEA-75")?.optionValues == ["75 g"])
    }

    @Test func everyValidationErrorNamesItsLineAndField() async throws {
        func variants(_ options: String, _ list: String, own: String = "") -> String {
            "---\ntitle: T\n\(own)options:\n\(options)\nvariants:\n\(list)\n---\n"
        }
        let weight = "  - name: W\n    values: [S, M]"
        // A product's own sku, price and stock may not be mixed with variants.
        #expect(
            try await Self.issues(["a.md": variants(weight, "  - {sku: A-1, options: {W: S}, price: 1}", own: "sku: A\nprice: 5\nstock: 2\n")]) == [
                "3: sku: is given per variant when the product has variants: move it into each of them",
                "4: price: is given per variant when the product has variants: move it into each of them",
                "5: stock: is given per variant when the product has variants: move it into each of them",
            ])
        // At most 3 options.
        let four = (1...4).map { "  - name: O\($0)\n    values: [x]" }.joined(separator: "\n")
        #expect(
            try await Self.issues(["a.md": variants(four, "  - {sku: A-1, options: {O1: x}, price: 1}")])
                == ["3: options: has 4 options; a product may have at most 3"])
        // At most 2,048 variants.
        let many = (0..<2049).map { "  - {sku: A-\($0), options: {W: S}, price: 1}" }.joined(separator: "\n")
        #expect(try await Self.issues(["a.md": variants(weight, many)]) == ["6: variants: has 2049 variants; a product may have at most 2048"])
        // A value for every option, from that option's list, and no other option.
        let two = weight + "\n  - name: C\n    values: [Red, Blue]"
        #expect(
            try await Self.issues([
                "a.md": variants(
                    two,
                    "  - {sku: A-1, options: {W: S}, price: 1}\n  - {sku: A-2, options: {W: XL, C: Red}, price: 1}\n  - {sku: A-3, options: {W: M, C: Red, Z: 1}, price: 1}"
                )
            ]) == [
                "9: variants[1].options: names no value for \"C\"",
                "10: variants[2].options: \"XL\" is not a value of \"W\" (S, M)",
                "11: variants[3].options: \"Z\" is not one of the product's options (W, C)",
            ])
        // No combination twice, and no SKU twice in one file.
        #expect(
            try await Self.issues([
                "a.md": variants(
                    weight, "  - {sku: A-1, options: {W: S}, price: 1}\n  - {sku: A-2, options: {W: S}, price: 2}\n  - {sku: A-1, options: {W: M}, price: 3}")
            ]) == [
                "8: variants[2].options: S is already variants[1]",
                "9: variants[3].sku: \"A-1\" is already the SKU of variants[1]",
            ])
        // Variant SKUs are unique across the catalog, with plain products' SKUs.
        let clash = try await Self.load([
            "a.md": variants(weight, "  - {sku: PLAIN, options: {W: S}, price: 1}"), "b.md": "---\ntitle: B\nsku: PLAIN\nprice: 1\n---\n",
        ])
        guard case .failure(let error) = clash else {
            Issue.record("a variant SKU that another product uses must fail the load")
            return
        }
        #expect(error.issues.count == 1 && error.issues[0].field == "sku" && error.issues[0].message.contains("is already used by"))
        // Each variant's own fields are checked as a product's are.
        #expect(
            try await Self.issues(["a.md": variants(weight, "  - {options: {W: S}, price: 0, compareAtPrice: 0, gtin: '123', colour: red}")]) == [
                "7: variants[1].colour: is not a known field (known fields: compareAtPrice, draft, gtin, image, lowStock, mpn, options, price, sku, stock, weightGrams)",
                "7: variants[1].compareAtPrice: must be higher than price (0) to show a sale",
                "7: variants[1].gtin: \"123\" is not a valid GTIN-8, 12, 13 or 14 (digits and check digit)",
                "7: variants[1].price: must be greater than zero",
                "7: variants[1].sku: is required",
            ])
        // Options and variants need each other; option names and values are listed once.
        #expect(
            try await Self.issues(["a.md": "---\ntitle: T\noptions:\n\(weight)\n---\n"]) == [
                "3: variants: is required with options: list each variant with its SKU, options and price"
            ])
        #expect(
            try await Self.issues(["a.md": "---\ntitle: T\nvariants:\n  - {sku: A-1, price: 1}\n---\n"])
                == ["3: options: is required with variants: name each option and its values"])
        #expect(
            try await Self.issues(["a.md": variants(weight + "\n  - name: W\n    values: [M, M]", "  - {sku: A-1, options: {W: S}, price: 1}")]) == [
                "6: options[2].name: \"W\" names two options",
                "7: options[2].values: \"M\" is listed twice",
            ])
    }

    @Test func theContentCacheKeepsEveryVariant() async throws {
        let fixture = try ContentFixture()
        defer { fixture.cleanUp() }
        try fixture.write("content/products/hass.md", Self.avocado)
        try fixture.write("content/products/oil.md", "---\ntitle: Oil\nsku: OIL-1\nprice: 450\n---\n")
        let (first, second) = try await fixture.loadTwiceThroughTheCache()
        #expect(second.report.reused == 2, "both files come from the cache")
        #expect(second.catalog.products.map(\.sku) == first.catalog.products.map(\.sku))
        for (a, b) in zip(first.catalog.products, second.catalog.products) {
            #expect(a == b)
            #expect(a.fingerprint == b.fingerprint)
            #expect(a.chosenOptions == b.chosenOptions && a.variantImage == b.variantImage && a.weightGrams == b.weightGrams)
            #expect(a.description == b.description)
        }
        #expect(second.catalog.version == first.catalog.version)
    }
}
