import Foundation
import StoreModel
import Testing

@testable import SiteGenerator

/// The search index: its terms, its shards, and its bytes read back by a decoder written from the
/// format's description (`SearchIndex.encodeTermShard`), as `search.js` reads them.
@Suite(.timeLimit(.minutes(2))) struct SearchIndexTests {
    @Test func latinWordsAreLowercasedAndSplitOnEverythingElse() {
        #expect(SearchTokenizer.terms("Ripe HASS avocado, 3kg!") == ["ripe", "hass", "avocado", "3kg"])
        #expect(SearchTokenizer.terms("cold-pressed oil's") == ["cold", "pressed", "oil", "s"])
        #expect(SearchTokenizer.terms("ＡＢＣ１２３ café") == ["abc123", "café"], "full-width letters are ASCII after NFKC")
        #expect(SearchTokenizer.terms(String(repeating: "a", count: 50)) == [String(repeating: "a", count: 40)])
        #expect(SearchTokenizer.terms("  \u{7}<script> ") == ["script"])
    }

    @Test func hanRunsGiveOverlappingPairsAndTheirCharacters() {
        #expect(SearchTokenizer.terms("玉井有機", indexesCharacters: false) == ["玉井", "井有", "有機"])
        #expect(SearchTokenizer.terms("玉井有機") == ["玉井", "井有", "有機", "玉", "井", "有", "機"])
        #expect(SearchTokenizer.terms("梨", indexesCharacters: false) == ["梨"])
        // Latin words inside a Chinese title stay words; Kana pairs like Han.
        #expect(SearchTokenizer.terms("哈斯Hass酪梨 カレー", indexesCharacters: false) == ["哈斯", "hass", "酪梨", "カレ", "レー"])
        #expect(SearchTokenizer.terms("酪梨（Hass）", indexesCharacters: false) == ["酪梨", "hass"])
    }

    @Test func normalizationIsSkippedOnlyWhereNFKCWouldChangeNothing() {
        #expect(!SearchTokenizer.needsNormalization("玉井有機愛文芒果，產地直送。（3公斤）"))
        #expect(SearchTokenizer.needsNormalization("ＡＢＣ"))
        #expect(SearchTokenizer.needsNormalization("cafe\u{301}"))
        #expect(SearchTokenizer.terms("cafe\u{301}") == ["café"], "composed as NFKC composes it, as the script's query is")
        #expect(SearchTokenizer.terms("ｶﾞｲﾄﾞ", indexesCharacters: false) == ["ガイ", "イド"], "half-width Kana with voiced marks, composed")
        // Every character of the skipped set keeps its terms under NFKC.
        let ranges: [ClosedRange<UInt32>] = [
            0x3001...0x3002, 0x300C...0x3011, 0xFF01...0xFF0F, 0xFF1A...0xFF20, 0xFF5E...0xFF5E, 0x2010...0x2016, 0x2018...0x2027, 0x00B7...0x00B7,
            0x00D7...0x00D7,
        ]
        for value in ranges.joined() {
            let text = "a\(Character(Unicode.Scalar(value)!))b"
            #expect(SearchTokenizer.terms(text) == SearchTokenizer.terms(SearchTokenizer.nfkc(text)), "U+\(String(value, radix: 16))")
        }
    }

    @Test func linkTargetsAreNotIndexed() {
        let text = SearchIndex.withoutLinkTargets("See [our oil](/products/avocado-oil/) and ![a](/images/x.svg).")
        #expect(SearchTokenizer.terms(text) == ["see", "our", "oil", "and", "a"])
    }

    /// The layout, read back from a stored shard: gzip, then `SFT1` and varints.
    static func decode(_ stored: [UInt8]) throws -> [(term: String, postings: [(document: Int, mask: UInt8)])] {
        let bytes = try Gzip.decompress(stored)
        guard bytes.starts(with: Array("SFT1".utf8)) else { throw CocoaError(.coderReadCorrupt) }
        var position = 4
        func varint() -> Int {
            var value = 0
            var shift = 0
            while true {
                let byte = bytes[position]
                position += 1
                value |= Int(byte & 0x7F) << shift
                shift += 7
                if byte & 0x80 == 0 { return value }
            }
        }
        var terms: [(String, [(Int, UInt8)])] = []
        for _ in 0..<varint() {
            let length = varint()
            let term = String(decoding: bytes[position..<position + length], as: UTF8.self)
            position += length
            var document = 0
            var postings: [(Int, UInt8)] = []
            for _ in 0..<varint() {
                document += varint()
                postings.append((document, bytes[position]))
                position += 1
            }
            terms.append((term, postings))
        }
        #expect(position == bytes.count)
        return terms
    }

    static func product(_ index: Int, title: String, brand: String? = nil, categories: [String] = [], draft: Bool = false) -> Product {
        Product(
            slug: "p\(index)", sourcePath: "products/p\(index).md", title: title, sku: "P\(index)", price: Money(minorUnits: Int64(100 + index), currency: twd),
            stock: index % 3 == 0 ? 0 : 5, categories: categories, brand: brand, weight: index, draft: draft, description: "Fresh from the farm.")
    }

    static let twd = Currency(code: "TWD")!

    static func plan(_ products: [Product]) -> SitePlan {
        let store = StoreConfig(
            name: "S", baseURL: "https://s.test", locale: "en", currency: twd, apiURL: "/api", paymentMethods: [.atm],
            shipping: ShippingRule(flatFee: .zero(twd), freeShippingThreshold: nil), pageSize: 24)
        return SitePlan(catalog: Catalog(store: store, products: products, pages: []), store: store)
    }

    @Test func termShardsHoldEveryPostingInOrderAndSplitByBytes() async throws {
        let words = ["avocado", "mango", "oolong", "guava", "honey", "lychee", "papaya"]
        let products = (0..<3_000).map { index in
            Self.product(index, title: "\(words[index % 7]) \(words[(index / 7) % 7]) w\(index)", brand: "Brand\(index % 40)", categories: ["C\(index % 5)"])
        }
        let plan = Self.plan(products)
        let index = await SearchIndex(plan: plan) { $0.lowestPrice.formatted }
        // Documents are numbered in title order.
        let titles = SearchIndex.Corpus(plan).groups.map { $0.variants[0].title }
        #expect(titles == titles.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) })
        let shards = index.files.filter { $0.name.hasPrefix("t-") }
        #expect(shards.count > 3, "3,000 products' postings are more than one shard of \(SearchIndex.termShardBytes) bytes")
        var seen: [SearchTokenizer.Term: [UInt32]] = [:]
        var previousLast: String?
        for shard in shards {
            let terms = try Self.decode(shard.bytes)
            #expect(!terms.isEmpty)
            // In UTF-8 order within and across shards.
            if let previousLast { #expect(previousLast.utf8.lexicographicallyPrecedes(terms[0].term.utf8)) }
            #expect(zip(terms, terms.dropFirst()).allSatisfy { $0.term.utf8.lexicographicallyPrecedes($1.term.utf8) })
            previousLast = terms.last!.term
            // A shard is cut once it reaches the target, so only its last term can take it past.
            let withoutLast = Self.encodedSize(terms.dropLast())
            #expect(withoutLast < SearchIndex.termShardBytes + 64)
            for (term, postings) in terms { seen[SearchTokenizer.Term(Array(term.utf8))] = postings.map { UInt32($0.document) << 8 | UInt32($0.mask) } }
        }
        #expect(seen == index.postings)
        let mangoes = titles.indices.filter { titles[$0].split(separator: " ").contains("mango") }
        #expect(mangoes.count == (0..<3_000).count { words[$0 % 7] == "mango" || words[($0 / 7) % 7] == "mango" })
        #expect(index.postings[Self.term("mango")]?.map { Int($0 >> 8) } == mangoes)
        // w123 is in product 123's title only; Brand7 is product 7's brand (and 47's, …).
        let w123 = try #require(titles.firstIndex { $0.hasSuffix(" w123") })
        #expect(index.postings[Self.term("w123")] == [UInt32(w123) << 8 | UInt32(SearchIndex.Field.title.rawValue)])
        let brand7 = (0..<3_000).filter { $0 % 40 == 7 }.map { titles.firstIndex(of: products[$0].title)! }.sorted()
        #expect(index.postings[Self.term("brand7")] == brand7.map { UInt32($0) << 8 | UInt32(SearchIndex.Field.brand.rawValue) })
    }

    static func term(_ text: String) -> SearchTokenizer.Term { SearchTokenizer.Term(Array(text.utf8)) }

    static func encodedSize(_ terms: ArraySlice<(term: String, postings: [(document: Int, mask: UInt8)])>) -> Int {
        SearchIndex.encodeTermShard(terms.map { (Self.term($0.term), $0.postings.map { UInt32($0.document) << 8 | UInt32($0.mask) }) }).count
    }

    @Test func documentsAndColumnsDescribeThePublishedProductsOnly() async throws {
        let products = [
            Self.product(0, title: "Avocado", brand: "Hill", categories: ["Fruit"]),
            Self.product(1, title: "Secret", categories: ["Fruit"], draft: true),
            Self.product(2, title: "Honey", brand: "Bee", categories: ["Pantry", "Gift"]),
        ]
        let plan = Self.plan(products)
        let index = await SearchIndex(plan: plan) { "NT$\($0.lowestPrice.minorUnits)" }
        #expect(index.postings[Self.term("secret")] == nil, "drafts are never indexed")
        let documents = try #require(index.files.first { $0.name.hasPrefix("d-") })
        let rows = try JSONSerialization.jsonObject(with: Data(documents.bytes)) as! [[Any]]
        #expect(rows.map { $0[0] as! String } == ["Avocado", "Honey"])
        #expect(rows.map { $0[1] as! String } == ["/products/p0/", "/products/p2/"])
        #expect(rows.map { $0[2] as! String } == ["NT$100", "NT$102"])
        let columns = try #require(index.files.first { $0.name.hasPrefix("c-") })
        let table = try JSONSerialization.jsonObject(with: Data(columns.bytes)) as! [String: Any]
        #expect(table["brands"] as! [String] == ["Hill", "Bee"])
        let categories = plan.categories.map(\.name)
        let docs = table["docs"] as! [[Any]]
        // [price, in stock, brand, categories, tags]: product 0 has no stock (index % 3 == 0).
        #expect(docs[0][0] as! Int == 100 && docs[0][1] as! Int == 0 && docs[0][2] as! Int == 0)
        #expect((docs[1][3] as! [Int]).map { categories[$0] }.sorted() == ["Gift", "Pantry"])
        let manifest = try JSONSerialization.jsonObject(with: Data(index.manifest)) as! [String: Any]
        #expect(manifest["documents"] as! Int == 2)
        #expect((manifest["documentShards"] as! [String]) == [documents.name])
        #expect((manifest["categories"] as! [[String]]).map { $0[0] } == categories)
    }

    @Test func theSameCatalogGivesTheSameBytes() async {
        let products = (0..<500).map { Self.product($0, title: "酪梨 avocado \($0 % 17)", brand: "B\($0 % 9)", categories: ["C\($0 % 4)"]) }
        let first = await SearchIndex(plan: Self.plan(products)) { $0.lowestPrice.formatted }
        let second = await SearchIndex(plan: Self.plan(products.reversed())) { $0.lowestPrice.formatted }
        #expect(first.manifest == second.manifest)
        #expect(first.files.map(\.name) == second.files.map(\.name))
        #expect(first.files.map(\.bytes) == second.files.map(\.bytes))
    }

    @Test func aPriceEditWritesOneDocumentShardOneColumnShardAndTheManifest() async throws {
        var products: [String: String] = [:]
        for index in 0..<250 { products["p\(index).md"] = BuildBehaviourTests.product("p\(index)", price: "\(100 + index)") }
        let workspace = try Workspace.smallShop(products: products)
        defer { workspace.cleanUp() }
        _ = try await workspace.build()
        let unchanged = try await workspace.build()
        #expect(unchanged.writtenPaths.isEmpty, "a rebuild with nothing changed writes nothing")
        try workspace.write("content/products/p1.md", BuildBehaviourTests.product("p1", price: "999"))
        let report = try await workspace.build()
        // The search page shows the catalog's version (in its head, as every page), so it is written too.
        let written = report.writtenPaths.filter { $0.hasPrefix("search/") && $0 != "search/index.html" }.sorted()
        #expect(written.count == 3)
        #expect(written.contains("search/manifest.json"))
        #expect(written.filter { $0.hasPrefix("search/x/d-") }.count == 1)
        #expect(written.filter { $0.hasPrefix("search/x/c-") }.count == 1)
        #expect(report.removed == 2, "the two replaced shards are gone")
        let manifest = try workspace.read("search/manifest.json")
        for name in written where name.hasPrefix("search/x/") { #expect(manifest.contains(String(name.dropFirst("search/x/".count)))) }
        #expect(try workspace.read(written.first { $0.hasPrefix("search/x/d-") }!).contains(#""NT$999""#))

        // A text edit makes the term shards again: the new word is in one of them.
        try workspace.write("content/products/p1.md", BuildBehaviourTests.product("p1", price: "999", body: "Now with kumquats."))
        let edited = try await workspace.build()
        let termShards = edited.writtenPaths.filter { $0.hasPrefix("search/x/t-") }
        #expect(!termShards.isEmpty)
        let found = try termShards.flatMap { try Self.decode(Array(Data(contentsOf: URL(fileURLWithPath: workspace.output + "/" + $0)))) }
        #expect(found.first { $0.term == "kumquats" }?.postings.map(\.document) == [1])
    }

    @Test func keptTermShardsAreNotMadeAgain() async {
        let products = (0..<50).map { Self.product($0, title: "Avocado \($0)") }
        let plan = Self.plan(products)
        let made = await SearchIndex(plan: plan) { $0.lowestPrice.formatted }
        #expect(!made.keptTermShards && made.files.contains { $0.name.hasPrefix("t-") })
        var asked: UInt64?
        let kept = await SearchIndex(plan: plan, priceText: { $0.lowestPrice.formatted }) { hash in
            asked = hash
            return SearchIndex.Terms(shards: [(first: "0", name: "t-kept.bin")], vocabulary: [(first: "a", name: "v-kept.json")])
        }
        #expect(asked == made.textHash)
        #expect(kept.keptTermShards && !kept.files.contains { $0.name.hasPrefix("t-") })
        #expect(String(decoding: kept.manifest, as: UTF8.self).contains(#""terms":[["0","t-kept.bin"]],"vocabulary":{"a":"v-kept.json"}"#))
        // Another title is another text hash; a price is not.
        var renamed = products
        renamed[3] = Self.product(3, title: "Mango 3")
        #expect(await SearchIndex.textHash(Self.plan(renamed)) != made.textHash)
        var repriced = products
        repriced[3].price = Money(minorUnits: 9_999, currency: Self.twd)
        #expect(await SearchIndex.textHash(Self.plan(repriced)) == made.textHash)
    }
}
