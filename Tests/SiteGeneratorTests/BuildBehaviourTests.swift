import Foundation
import StoreModel
import Testing

@testable import SiteGenerator

@Suite(.timeLimit(.minutes(2))) struct BuildBehaviourTests {
    static func product(_ slug: String, price: String, category: String = "Fruit", body: String = "Fresh.") -> String {
        "---\ntitle: \(slug.capitalized)\nsku: SKU-\(slug.uppercased())\nprice: \(price)\ncategories: [\(category)]\n---\n\(body)\n"
    }

    @Test func anIncrementalBuildMakesAssetsThenPagesThenDataLive() {
        let order = OutputTree.commitOrder([
            "catalog.json", "products/a/index.html", "assets/site.0123456789.css", "catalog/0a.json", "index.html", "sitemap.xml",
        ])
        #expect(
            order == ["assets/site.0123456789.css", "index.html", "products/a/index.html", "catalog.json", "catalog/0a.json", "sitemap.xml"],
            "a new price in catalog.json must never be live before the page that shows it")
    }

    @Test func invalidContentFailsAndLeavesThePreviousOutputUntouched() async throws {
        let workspace = try Workspace.smallShop(products: ["a.md": Self.product("a", price: "100"), "b.md": Self.product("b", price: "200")])
        defer { workspace.cleanUp() }
        _ = try await workspace.build()
        let before = try workspace.snapshot()
        try workspace.write("content/products/b.md", "---\ntitle: B\nsku: SKU-B\nprice: 2O0\n---\n")
        let error = await #expect(throws: BuildError.self) { _ = try await workspace.build() }
        #expect("\(error!)".contains("\(workspace.content)/products/b.md:4: price: \"2O0\" is not a decimal number"))
        #expect(try workspace.snapshot() == before)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: workspace.root.path).filter { $0.contains("staging") }
        #expect(leftovers.isEmpty, "the staging directory is removed")
    }

    @Test func brokenInternalLinkNamesFileAndLine() async throws {
        let workspace = try Workspace.smallShop(
            products: [
                "a.md": Self.product("a", price: "100", body: "Intro.\n\nSee [the FAQ](/pages/faq/) and [b](/products/b/).\n\n[gone](/products/nope/)"),
                "b.md": Self.product("b", price: "100"),
            ], pages: ["faq.md": "---\ntitle: FAQ\n---\n[back](../../products/a/) [missing](/pages/nothing/)"])
        defer { workspace.cleanUp() }
        let error = await #expect(throws: BuildError.self) { _ = try await workspace.build() }
        guard case .invalidContent(let content) = error else { Issue.record("expected a content error"); return }
        #expect(
            content.issues.map(\.description) == [
                "\(workspace.content)/pages/faq.md:4: link: /pages/nothing/ points to a page that does not exist",
                "\(workspace.content)/products/a.md:11: link: /products/nope/ points to a page that does not exist",
            ])
        #expect(!FileManager.default.fileExists(atPath: workspace.output))
    }

    @Test func aMissingImageIsWarnedOncePerFileAndEachVariantsOwnImageByItsField() async throws {
        let tea = """
            ---
            title: Tea
            images: [/images/tea.svg, /images/gone.svg]
            options:
              - name: Size
                values: [S, M, L]
            variants:
              - {sku: T-S, options: {Size: S}, price: 100}
              - {sku: T-M, options: {Size: M}, price: 120, image: /images/tea-m.svg}
              - {sku: T-L, options: {Size: L}, price: 140, image: /images/tea.svg}
            ---
            Leaves.
            """
        let workspace = try Workspace.smallShop(products: ["tea.md": tea, "a.md": Self.product("a", price: "100")])
        defer { workspace.cleanUp() }
        try workspace.write("content/images/tea.svg", "<svg xmlns='http://www.w3.org/2000/svg'/>")
        let report = try await workspace.build()
        let images = report.warnings.filter { $0.contains("is not in") }
        #expect(
            images == [
                "\(workspace.content)/products/tea.md: images: /images/gone.svg is not in \(workspace.content)/images/",
                "\(workspace.content)/products/tea.md: image: /images/tea-m.svg is not in \(workspace.content)/images/",
            ], "\(report.warnings)")
    }

    @Test func anIncrementalBuildChecksTheLinksOfWhatChangedAgainstTheWholeSite() async throws {
        // 40 products: many more pages than links, so the few links' spellings are looked up among the site's paths.
        var products: [String: String] = [:]
        for index in 0..<40 { products["p\(index).md"] = Self.product("p\(index)", price: "100") }
        let workspace = try Workspace.smallShop(products: products, pages: ["faq.md": "---\ntitle: FAQ\n---\nAsk."])
        defer { workspace.cleanUp() }
        _ = try await workspace.build()
        try await Task.sleep(for: .milliseconds(20))
        try workspace.write(
            "content/products/p7.md",
            Self.product("p7", price: "100", body: "See [p8](../p8/), [the FAQ](/pages/faq/index.html) and [p9](/products/p9/#top).\n\n[gone](/products/p99/)"))
        let error = await #expect(throws: BuildError.self) { _ = try await workspace.build() }
        guard case .invalidContent(let content) = error else { Issue.record("expected a content error"); return }
        #expect(content.issues.map(\.description) == ["\(workspace.content)/products/p7.md:9: link: /products/p99/ points to a page that does not exist"])
        try workspace.write(
            "content/products/p7.md", Self.product("p7", price: "100", body: "See [p8](../p8/), [the FAQ](/pages/faq/index.html) and [p9](/products/p9/#top)."))
        let report = try await workspace.build()
        #expect(report.written > 0)
    }

    @Test func rebuildWithNothingChangedWritesNothing() async throws {
        let workspace = try Workspace.smallShop(products: ["a.md": Self.product("a", price: "100"), "b.md": Self.product("b", price: "200")])
        defer { workspace.cleanUp() }
        let first = try await workspace.build()
        #expect(first.fullBuild)
        #expect(first.written > 0)
        let second = try await workspace.build()
        #expect(!second.fullBuild)
        #expect(second.written == 0)
        #expect(second.unchanged == first.written)
        #expect(second.rendered == 6, "only the fixed cart, checkout, order, 404, search and admin pages are rendered again")
        // The manifest of a build that skipped every page still lets the next build skip them.
        let third = try await workspace.build()
        #expect(third.written == 0)
        #expect(third.rendered == 6)
    }

    @Test func priceEditRewritesOnlyTheAffectedPages() async throws {
        var products: [String: String] = [:]
        for index in 0..<60 { products["p\(index).md"] = Self.product("p\(index)", price: "\(100 + index)", category: index < 30 ? "Fruit" : "Oil") }
        let workspace = try Workspace.smallShop(products: products)
        defer { workspace.cleanUp() }
        _ = try await workspace.build()
        let untouched = try workspace.read("products/p50/index.html")
        let shardBefore = try workspace.read(String(format: "catalog/%02x.json", FNV1a.hash32("SKU-P1") % BuildSteps.catalogShardCount))
        try workspace.write("content/products/p1.md", Self.product("p1", price: "999"))
        let report = try await workspace.build()
        let pages = report.writtenPaths.filter { $0.hasSuffix(".html") }
        // Products sort by weight, then title: P1 sits on the first page of the home and Fruit listings.
        #expect(
            Set(pages) == [
                "products/p1/index.html", "index.html", "categories/fruit/index.html", "cart/index.html", "checkout/index.html", "order/index.html", "404.html",
                "search/index.html",
            ])
        #expect(report.writtenPaths.contains("catalog.json"))
        // Of the cart's price shards only the one holding SKU-P1 changes, its version with it.
        let shard = String(format: "catalog/%02x.json", FNV1a.hash32("SKU-P1") % BuildSteps.catalogShardCount)
        #expect(report.writtenPaths.filter { $0.hasPrefix("catalog/") } == [shard])
        let shardAfter = try workspace.read(shard)
        #expect(shardAfter.contains(#""SKU-P1":{"title":"P1","priceMinor":999,"#))
        #expect(shardAfter.prefix(26) != shardBefore.prefix(26), "the shard's version: {\"version\":\"<12 hex digits>\"")
        #expect(try workspace.read("products/p1/index.html").contains("NT$999"))
        #expect(try workspace.read("products/p50/index.html") == untouched)
        let catalog = try JSONSerialization.jsonObject(with: Data(try workspace.read("catalog.json").utf8)) as! [String: Any]
        let entry = (catalog["products"] as! [[String: Any]]).first { $0["sku"] as? String == "SKU-P1" }
        #expect(entry?["price"] as? Int == 999)
    }

    @Test func removedProductDisappearsFromTheOutput() async throws {
        let workspace = try Workspace.smallShop(products: ["a.md": Self.product("a", price: "100"), "b.md": Self.product("b", price: "200")])
        defer { workspace.cleanUp() }
        _ = try await workspace.build()
        try FileManager.default.removeItem(atPath: workspace.content + "/products/b.md")
        let report = try await workspace.build()
        #expect(report.removed >= 1)
        #expect(!FileManager.default.fileExists(atPath: workspace.output + "/products/b/index.html"))
        #expect(!(try workspace.read("sitemap.xml")).contains("/products/b/"))
    }

    @Test func removingAPageThatAnUnchangedProductLinksToFailsTheRebuild() async throws {
        let workspace = try Workspace.smallShop(products: [
            "a.md": Self.product("a", price: "100", body: "Intro.\n\nPairs well with [b](/products/b/)."),
            "b.md": Self.product("b", price: "200"),
            "c.md": Self.product("c", price: "300"),
        ])
        defer { workspace.cleanUp() }
        _ = try await workspace.build()
        // c goes: a's links were checked when a was rendered and stay valid, so a price edit passes.
        try FileManager.default.removeItem(atPath: workspace.content + "/products/c.md")
        try workspace.write("content/products/b.md", Self.product("b", price: "250"))
        #expect(try await workspace.build().removed >= 1)
        // b goes: a is not rendered again, but the link it kept from the earlier build is checked.
        let before = try workspace.snapshot()
        try FileManager.default.removeItem(atPath: workspace.content + "/products/b.md")
        let error = await #expect(throws: BuildError.self) { _ = try await workspace.build() }
        #expect("\(error!)".contains("\(workspace.content)/products/a.md:9: link: /products/b/ points to a page that does not exist"))
        #expect(try workspace.snapshot() == before)
    }

    @Test func draftsAreNotPublished() async throws {
        let workspace = try Workspace.smallShop(products: [
            "a.md": Self.product("a", price: "100"),
            "secret.md": "---\ntitle: Secret\nsku: SECRET\nprice: 5\ndraft: true\n---\n",
        ])
        defer { workspace.cleanUp() }
        let report = try await workspace.build()
        #expect(report.products == 1)
        #expect(report.drafts == 1)
        #expect(!FileManager.default.fileExists(atPath: workspace.output + "/products/secret/index.html"))
        #expect(!(try workspace.read("catalog.json")).contains("SECRET"))
    }

    @Test func thePlanMadeOnEveryCoreEqualsThePlanMadeInOrder() async throws {
        let twd = Currency(code: "TWD")!
        let store = StoreConfig(
            name: "S", baseURL: "https://s.test", locale: "en", currency: twd, apiURL: "/api", paymentMethods: [.atm],
            shipping: ShippingRule(flatFee: .zero(twd), freeShippingThreshold: nil), pageSize: 7)
        let products = (0..<500).map { index in
            Product(
                slug: "p\(index)", sourcePath: "products/p\(index).md", title: "P\(index)", sku: "P\(index)", price: Money(minorUnits: 1, currency: twd),
                categories: ["C\(index % 7)", "Ä \(index % 3)"], tags: index % 2 == 0 ? ["even", "t\(index % 11)"] : [], draft: index % 50 == 0)
        }
        let catalog = Catalog(store: store, products: products, pages: [])
        let inOrder = SitePlan(catalog: catalog, store: store)
        let parallel = await SitePlan.make(catalog: catalog, store: store)
        #expect(parallel.productPaths == inOrder.productPaths)
        #expect(parallel.products == inOrder.products)
        for (a, b) in [(parallel.categories, inOrder.categories), (parallel.tags, inOrder.tags)] {
            #expect(a.map(\.name) == b.map(\.name))
            #expect(a.map(\.members) == b.map(\.members))
            #expect(a.map(\.sitePath) == b.map(\.sitePath))
        }
        #expect(parallel.listings.map(\.sitePath) == inOrder.listings.map(\.sitePath))
        #expect(parallel.listings.map { Array($0.members) } == inOrder.listings.map { Array($0.members) })
        #expect(inOrder.categories.count == 10 && inOrder.tags.count == 12 && inOrder.draftCount == 10)
    }

    @Test func largeCatalogsPaginateAndSplitTheSitemap() throws {
        let twd = Currency(code: "TWD")!
        let store = StoreConfig(
            name: "S", baseURL: "https://s.test", locale: "en", currency: twd, apiURL: "/api", paymentMethods: [.atm],
            shipping: ShippingRule(flatFee: .zero(twd), freeShippingThreshold: nil), pageSize: 24)
        let products = (0..<100).map {
            Product(
                slug: "p\($0)", sourcePath: "products/p\($0).md", title: "P\($0)", sku: "P\($0)", price: Money(minorUnits: 1, currency: twd),
                categories: ["All"])
        }
        let plan = SitePlan(catalog: Catalog(store: store, products: products, pages: []), store: store)
        let home = plan.listings.filter { $0.kind == .home }
        #expect(home.count == 5)
        #expect(home.map(\.members.count) == [24, 24, 24, 24, 4])
        #expect(home[1].sitePath == "/page/2/")
        let urls = (0..<120_001).map { "https://s.test/p\($0)/" }
        let files = DataFiles.sitemaps(urls: urls, limit: 50_000) { "https://s.test/" + $0 }.map { ($0.0, String(decoding: $0.1, as: UTF8.self)) }
        #expect(files.map(\.0) == ["sitemap-1.xml", "sitemap-2.xml", "sitemap-3.xml", "sitemap.xml"])
        #expect(files.last!.1.contains("<sitemapindex"))
        #expect(files[2].1.components(separatedBy: "<url>").count - 1 == 20_001)
    }
}
