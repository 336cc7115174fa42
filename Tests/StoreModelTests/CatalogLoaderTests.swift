import Foundation
import Testing

@testable import StoreModel

@Suite(.timeLimit(.minutes(2))) struct CatalogLoaderTests {
    @Test func loadsMarkdownAndJSONProductsExactly() async throws {
        let fixture = try ContentFixture(store: ContentFixture.defaultStore.replacingOccurrences(of: "TWD", with: "USD"))
        defer { fixture.cleanUp() }
        try fixture.write(
            "content/products/hass.md",
            """
            ---
            title: "Hass avocado"   # a comment
            sku: AVO-1
            price: 19.99
            compareAtPrice: '24.50'
            stock: 3
            categories: [Fresh fruit, Gifts]
            tags:
              - organic
              - "new: this season"
            images: [/images/a.svg]
            weight: 2
            ---
            Creamy **and** rich.
            """)
        try fixture.write(
            "content/products/oil.json",
            """
            {
              "title": "Avocado oil",
              "sku": "OIL_1",
              "price": 0.29,
              "description": "Cold pressed."
            }
            """)
        let catalog = try await CatalogLoader(contentDirectory: fixture.content).load()
        let hass = try #require(catalog.product(sku: "AVO-1"))
        #expect(hass.price.minorUnits == 1999)
        #expect(hass.compareAtPrice?.minorUnits == 2450)
        #expect(hass.isOnSale)
        #expect(hass.stock == 3)
        #expect(hass.categories == ["Fresh fruit", "Gifts"])
        #expect(hass.tags == ["organic", "new: this season"])
        #expect(hass.title == "Hass avocado")
        #expect(hass.description.contains("Creamy **and** rich."))
        #expect(hass.descriptionLine == 14)
        let oil = try #require(catalog.product(sku: "OIL_1"))
        #expect(oil.price.minorUnits == 29, "a JSON number is read from its text, not through Double")
        #expect(oil.description == "Cold pressed.")
        #expect(catalog.products.map(\.sku) == ["OIL_1", "AVO-1"], "sorted by weight")
    }

    @Test func reportsEveryProblemWithFileLineAndField() async throws {
        let fixture = try ContentFixture()
        defer { fixture.cleanUp() }
        try fixture.write(
            "content/products/a.md",
            """
            ---
            sku: A-1
            price: 12,80
            stock: many
            colour: green
            ---
            """)
        try fixture.write(
            "content/products/b.md",
            """
            ---
            title: B
            sku: A-1
            price: 100
            draft: maybe
            ---
            """)
        try fixture.write(
            "content/products/c.json",
            """
            {
              "title": "C",
              "sku": "bad sku!",
              "price": "100",
              "categories": {"a": 1}
            }
            """)
        let error = await #expect(throws: ContentError.self) {
            _ = try await CatalogLoader(contentDirectory: fixture.content).load()
        }
        let lines = try #require(error).issues.map(\.description)
        let file = fixture.content
        #expect(lines.contains("\(file)/products/a.md:1: title: is required"))
        #expect(lines.contains("\(file)/products/a.md:3: price: \"12,80\" is not a decimal number such as 1280 or 19.99"))
        #expect(lines.contains("\(file)/products/a.md:4: stock: must be a whole number"))
        #expect(lines.contains { $0.hasPrefix("\(file)/products/a.md:5: colour: is not a known field") })
        #expect(lines.contains("\(file)/products/b.md:5: draft: must be true or false"))
        #expect(lines.contains("\(file)/products/c.json:3: sku: \"bad sku!\" may contain only letters, digits, '-' and '_'"))
        #expect(lines.contains("\(file)/products/c.json:5: categories: must be a list of text, not a mapping"))
        #expect(
            lines.contains { $0.hasPrefix("\(file)/products/b.md: sku: \"A-1\" is already used by") || $0.hasPrefix("\(file)/products/a.md: sku:") } == false,
            "a.md is invalid, so only valid products take part in the duplicate check")
    }

    @Test func duplicateSKUsNameBothFiles() async throws {
        let fixture = try ContentFixture()
        defer { fixture.cleanUp() }
        for name in ["one", "two"] {
            try fixture.write("content/products/\(name).md", "---\ntitle: \(name)\nsku: SAME\nprice: 10\n---\n")
        }
        let error = await #expect(throws: ContentError.self) { _ = try await CatalogLoader(contentDirectory: fixture.content).load() }
        #expect(error?.issues.map(\.description) == ["\(fixture.content)/products/two.md: sku: \"SAME\" is already used by \(fixture.content)/products/one.md"])
    }

    @Test func twoFilesWithOneSlugAreRefusedEvenAmongOthers() async throws {
        let fixture = try ContentFixture()
        defer { fixture.cleanUp() }
        // a-b.md sorts between nothing in particular; a.json and a.md share the page /products/a/.
        try fixture.write("content/products/a-b.md", "---\ntitle: AB\nsku: AB\nprice: 10\n---\n")
        try fixture.write("content/products/a.md", "---\ntitle: A\nsku: A-MD\nprice: 10\n---\n")
        try fixture.write("content/products/a.json", #"{"title": "A", "sku": "A-JSON", "price": "10"}"#)
        try fixture.write("content/products/b.md", "---\ntitle: B\nsku: B\nprice: 10\n---\n")
        let error = await #expect(throws: ContentError.self) { _ = try await CatalogLoader(contentDirectory: fixture.content).load() }
        #expect(error?.issues.map(\.description) == ["\(fixture.content)/products/a.md: has the same page URL as \(fixture.content)/products/a.json"])
    }

    @Test func richYAMLFallsBackToYamsWithTheSameLineNumbers() async throws {
        let fixture = try ContentFixture()
        defer { fixture.cleanUp() }
        try fixture.write(
            "content/products/rich.md",
            """
            ---
            title: >
              A folded
              title
            sku: RICH
            price: 100
            summary: |
              Two
              lines
            stock: -4
            ---
            Body
            """)
        let error = await #expect(throws: ContentError.self) { _ = try await CatalogLoader(contentDirectory: fixture.content).load() }
        #expect(error?.issues.map(\.description) == ["\(fixture.content)/products/rich.md:10: stock: must be between 0 and 1000000000"])
    }

    @Test func malformedFilesFailWithALine() async throws {
        let fixture = try ContentFixture()
        defer { fixture.cleanUp() }
        try fixture.write("content/products/open.md", "---\ntitle: x\nsku: X\n")
        try fixture.write("content/products/nofm.md", "title: x\n")
        try fixture.write("content/products/badyaml.md", "---\ntitle: [unclosed\nsku: Y\nprice: 1\n---\n")
        try fixture.write("content/products/badjson.json", "{\n  \"title\": \"x\",\n  \"price\": 1.,\n}")
        let error = await #expect(throws: ContentError.self) { _ = try await CatalogLoader(contentDirectory: fixture.content).load() }
        let lines = error?.issues.map(\.description) ?? []
        #expect(lines.contains("\(fixture.content)/products/open.md:1: the front matter opened on line 1 is never closed with '---'"))
        #expect(lines.contains("\(fixture.content)/products/nofm.md:1: the file must start with a '---' line that opens the front matter"))
        #expect(lines.contains { $0.hasPrefix("\(fixture.content)/products/badyaml.md:") && $0.contains("invalid YAML") })
        #expect(lines.contains("\(fixture.content)/products/badjson.json:3: invalid JSON: invalid number"))
    }

    @Test func windowsLineEndingsReadTheSameWithTheSameLines() async throws {
        let fixture = try ContentFixture()
        defer { fixture.cleanUp() }
        try fixture.write("content/products/crlf.md", "---\r\ntitle: CRLF\r\nsku: CR-1\r\nprice: 120\r\ntags:\r\n  - a\r\n  - b\r\n---\r\nBody\r\n")
        try fixture.write("content/products/bad.md", "---\r\ntitle: Bad\r\nsku: CR-2\r\nprice: x\r\n---\r\n")
        let error = await #expect(throws: ContentError.self) { _ = try await CatalogLoader(contentDirectory: fixture.content).load() }
        #expect(error?.issues.map(\.description) == ["\(fixture.content)/products/bad.md:4: price: \"x\" is not a decimal number such as 1280 or 19.99"])
        try FileManager.default.removeItem(atPath: fixture.content + "/products/bad.md")
        let product = try #require(try await CatalogLoader(contentDirectory: fixture.content).load().product(sku: "CR-1"))
        #expect(product.price.minorUnits == 120)
        #expect(product.tags == ["a", "b"])
        #expect(product.descriptionLine == 9)
    }

    @Test func absurdPricesAreRejected() async throws {
        let fixture = try ContentFixture()
        defer { fixture.cleanUp() }
        try fixture.write("content/products/zero.md", "---\ntitle: z\nsku: Z\nprice: 0\n---\n")
        try fixture.write("content/products/huge.md", "---\ntitle: h\nsku: H\nprice: 99999999999999\n---\n")
        try fixture.write("content/products/sale.md", "---\ntitle: s\nsku: S\nprice: 100\ncompareAtPrice: 90\n---\n")
        let error = await #expect(throws: ContentError.self) { _ = try await CatalogLoader(contentDirectory: fixture.content).load() }
        let lines = error?.issues.map(\.description) ?? []
        #expect(lines.contains("\(fixture.content)/products/zero.md:4: price: must be greater than zero"))
        #expect(lines.contains("\(fixture.content)/products/huge.md:4: price: \"99999999999999\" is larger than 1000000000"))
        #expect(lines.contains("\(fixture.content)/products/sale.md:5: compareAtPrice: must be higher than price (100) to show a sale"))
    }

    @Test func storeSettingsAreValidated() async throws {
        let fixture = try ContentFixture(
            store: """
                {
                  "name": "",
                  "baseURL": "shop.test",
                  "currency": "dollars",
                  "paymentMethods": ["bitcoin"],
                  "shipping": {"flatFee": "abc"}
                }
                """)
        defer { fixture.cleanUp() }
        let error = await #expect(throws: ContentError.self) { _ = try await CatalogLoader(contentDirectory: fixture.content).load() }
        let lines = error?.issues.map(\.description) ?? []
        let file = "\(fixture.content)/store.json"
        #expect(lines.contains("\(file):2: name: must not be empty"))
        #expect(lines.contains("\(file):3: baseURL: must be an absolute http(s) URL such as https://shop.example.tw"))
        #expect(lines.contains("\(file):4: currency: is longer than 3 characters"))
        #expect(lines.contains { $0.hasPrefix("\(file):5: paymentMethods: \"bitcoin\" is not one of") })
    }

    @Test func versionChangesWithAPriceAndOnlyThen() async throws {
        let fixture = try ContentFixture()
        defer { fixture.cleanUp() }
        try fixture.write("content/products/a.md", "---\ntitle: A\nsku: A\nprice: 100\n---\nText")
        let first = try await CatalogLoader(contentDirectory: fixture.content).load().version
        try fixture.write("content/products/a.md", "---\ntitle: A\nsku: A\nprice: 100\n---\nOther text")
        let second = try await CatalogLoader(contentDirectory: fixture.content).load().version
        try fixture.write("content/products/a.md", "---\ntitle: A\nsku: A\nprice: 101\n---\nOther text")
        let third = try await CatalogLoader(contentDirectory: fixture.content).load().version
        #expect(first == second)
        #expect(second != third)
    }
}
