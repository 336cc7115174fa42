import StoreModel

/// The static search index `storefront build` writes under `/search/`, and `search.js` reads:
///
/// - `manifest.json` (short cache lifetime): the format, the number of documents, the first term
///   of each term shard, the document and column shards, and the category and tag names;
/// and in `search/x/` (immutable):
/// - `t-<hash>.bin`: term shards, split by bytes (`termShardBytes`), each the postings of a run
///   of terms in UTF-8 order (`SearchIndex.encodeTermShard` gives the layout), gzip-compressed
///   (a CDN compresses JSON but sends `.bin` as it is);
/// - `d-<hash>.json`: document shards of `documentShardSize` products, what a result shows;
/// - `c-<hash>.json`: column shards of `columnShardSize` products, what facets, filters and sorts
///   read: price, availability, brand, categories, tags and the day added.
///
/// A document is a published product (a product with options is one document, priced from its
/// lowest price); drafts are never indexed. Every file but the manifest is named by its bytes'
/// hash and never changes, so a price edit writes one document shard, one column shard and the
/// manifest, and a rebuild with nothing changed writes nothing.
struct SearchIndex {
    /// A field a term was found in: its bit in a posting's mask, most important first.
    enum Field: UInt8, CaseIterable {
        case title = 1
        case brand = 2
        case category = 4
        case tag = 8
        case summary = 16
        case description = 32
    }

    /// 2: term shards are gzip-compressed.
    static let format = 2
    /// Where the shards go, relative to the output (`_headers` marks it immutable).
    static let shardFolder = "search/x/"
    static let termShardBytes = 16_384
    static let documentShardSize = 100
    static let columnShardSize = 2_048

    typealias Term = SearchTokenizer.Term

    /// The published products in the index's order, by title (its UTF-8 bytes): a query's results
    /// are mostly equal in score and go in document order, so that similar titles (one brand, one
    /// place and fruit) share their document and column shards and a page of results needs few.
    struct Corpus: Sendable {
        let plan: SitePlan
        let groups: [ProductGroup]
        let paths: [String]
        /// What the image step published: a result shows its image's smallest copy.
        let images: PublishedImages

        /// The site path of the image a result shows, if any.
        func thumbnail(_ document: Int) -> String? {
            images.cardImage(of: groups[document]).map(images.thumbnail)
        }

        init(_ plan: SitePlan, images: PublishedImages = PublishedImages()) {
            // By the titles' bytes: each title's first 32 bytes as four integers decide almost
            // every comparison, and only titles that share them are compared whole.
            let titles = plan.groups.map { $0.variants[0].title }
            let keys = titles.map(Self.prefixKey)
            let order = plan.groups.indices.sorted { a, b in
                if keys[a] != keys[b] { return keys[a] < keys[b] }
                let (x, y) = (titles[a].utf8, titles[b].utf8)
                return x.elementsEqual(y) ? a < b : x.lexicographicallyPrecedes(y)
            }
            self.plan = plan
            self.images = images
            self.groups = order.map { plan.groups[$0] }
            self.paths = order.map { plan.productPaths[$0] }
        }

        /// The first 32 bytes of `text`, big-endian in four integers (zeros after a shorter text),
        /// so that comparing the integers compares the bytes.
        static func prefixKey(_ text: String) -> (UInt64, UInt64, UInt64, UInt64) {
            var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
            for (index, byte) in text.utf8.prefix(32).enumerated() {
                let shifted = UInt64(byte) << (8 * (7 - UInt64(index % 8)))
                switch index / 8 {
                case 0: words.0 |= shifted
                case 1: words.1 |= shifted
                case 2: words.2 |= shifted
                default: words.3 |= shifted
                }
            }
            return words
        }
    }

    /// The postings of each term: `document << 8 | field mask`, in document order.
    var postings: [Term: [UInt32]] = [:]
    /// The files besides the manifest, by name under `search/x/`; the term shards carry `textHash`
    /// as their input hash (`OutputTree.put(_:_:inputHash:)`).
    var files: [(name: String, bytes: [UInt8], inputHash: UInt64?)] = []
    /// `search/manifest.json`.
    var manifest: [UInt8] = []
    /// The term shards (first term and name of each, in order) and the vocabulary files (the first
    /// character of their words and name), as the manifest lists them.
    struct Terms {
        var shards: [(first: String, name: String)]
        var vocabulary: [(first: String, name: String)]
    }

    /// A hash of every document's text fields in order: the term shards' only input.
    var textHash: UInt64 = 0
    /// Whether the term shards were taken from the previous build (`keptTerms`) rather than made.
    var keptTermShards = false

    /// The index of a plan's published products, with `priceText` as the cards show a price.
    /// `keptTerms` gives the previous build's term shards (first term and name of each) when they
    /// were made from this `textHash` and are still live: a price or stock edit changes no text,
    /// so its build tokenizes nothing. `keptShard` does the same for the document and column
    /// shards (`shards(_:kind:size:global:_:make:)`).
    init(
        plan: SitePlan, images: PublishedImages = PublishedImages(), priceText: @escaping @Sendable (ProductGroup) -> String,
        keptTerms: (UInt64) -> Terms? = { _ in nil }, keptShard: (String, Int, UInt64) -> String? = { _, _, _ in nil }
    ) async {
        let corpus = Corpus(plan, images: images)
        let groups = corpus.groups
        textHash = await Self.textHash(corpus)
        var manifestShards: [(first: String, name: String)] = []
        var vocabulary: [(first: String, name: String)] = []
        if let kept = keptTerms(textHash) {
            manifestShards = kept.shards
            vocabulary = kept.vocabulary
            keptTermShards = true
        } else {
            postings = await Self.postings(corpus)
            let shards = Self.termShards(postings)
            let all = postings
            let encoded = await parallelMap(shards, parallelFrom: 2) { shard in Gzip.compress(Self.encodeTermShard(shard.map { ($0, all[$0]!) })) }
            for (shard, bytes) in zip(shards, encoded) {
                let name = Self.name("t", bytes, ext: "bin")
                files.append((name, bytes, textHash))
                manifestShards.append((shard[0].text, name))
            }
            for (first, bytes) in Self.vocabulary(postings.keys) {
                let name = Self.name("v", bytes, ext: "json")
                files.append((name, bytes, textHash))
                vocabulary.append((first, name))
            }
        }
        let categoryIDs = Dictionary(uniqueKeysWithValues: plan.categories.enumerated().map { ($1.name, $0) })
        let tagIDs = Dictionary(uniqueKeysWithValues: plan.tags.enumerated().map { ($1.name, $0) })
        // Document and column shards, each made again only when what it is made from changed
        // (`keptShard`): a price edit makes one of each.
        let documents = await Self.shards(
            corpus, kind: "d", size: Self.documentShardSize, global: [priceText(ProductGroup([Self.probe(plan, 1_234_568), Self.probe(plan, 1_234_567)]))],
            keptShard
        ) {
            Self.documentShard(corpus, $0, priceText: priceText)
        }
        let columns = await Self.shards(
            corpus, kind: "c", size: Self.columnShardSize, global: plan.categories.map(\.name) + ["\u{0}"] + plan.tags.map(\.name), keptShard
        ) {
            Self.columnShard(corpus, $0, categoryIDs: categoryIDs, tagIDs: tagIDs)
        }
        files += documents.made + columns.made
        manifest = Self.manifest(
            plan: plan, documents: groups.count, terms: Terms(shards: manifestShards, vocabulary: vocabulary), documentShards: documents.names,
            columnShards: columns.names)
    }

    /// A made-up product: the price text of two of them at different prices stands for how every
    /// price is written (the currency's format and the "from" words).
    private static func probe(_ plan: SitePlan, _ minorUnits: Int64) -> Product {
        Product(slug: "probe", sourcePath: "", title: "", sku: "", price: Money(minorUnits: minorUnits, currency: plan.store.currency))
    }

    /// The shards of `size` documents of one kind, made on both cores. A shard's input hash covers
    /// `global` (what every shard of the kind depends on), the base path, its place and its
    /// documents' fingerprints and paths; when `kept` finds the previous build's shard of that
    /// place made from the same input, its name serves again and nothing is made.
    static func shards(
        _ corpus: Corpus, kind: String, size: Int, global: [String], _ kept: (String, Int, UInt64) -> String?,
        make: @escaping @Sendable (Range<Int>) -> [UInt8]
    ) async -> (names: [String], made: [(name: String, bytes: [UInt8], inputHash: UInt64?)]) {
        var start = FieldHasher()
        start.combine("search \(kind) \(format)")
        start.combine(global)
        start.combine(corpus.plan.store.basePath)
        let seed = start
        let ranges = stride(from: 0, to: corpus.groups.count, by: size).map { $0..<min($0 + size, corpus.groups.count) }
        let hashes = await parallelMap(ranges, parallelFrom: 2) { range -> UInt64 in
            var hasher = seed
            hasher.combine(Int64(range.lowerBound))
            for document in range {
                hasher.combine(corpus.paths[document])
                if !corpus.images.images.isEmpty { hasher.combine(corpus.thumbnail(document)) }
                for variant in corpus.groups[document].variants { hasher.combine(Int64(bitPattern: variant.fingerprint)) }
            }
            return hasher.value
        }
        var names = ranges.indices.map { kept(kind, $0, hashes[$0]) }
        let stale = names.indices.filter { names[$0] == nil }
        let made = await parallelMap(stale, parallelFrom: 2) { index in make(ranges[index]) }
        var files: [(name: String, bytes: [UInt8], inputHash: UInt64?)] = []
        for (index, bytes) in zip(stale, made) {
            let name = Self.name(kind, bytes, ext: "json")
            names[index] = name
            files.append((name, bytes, hashes[index]))
        }
        return (names.map { $0! }, files)
    }

    /// Every document's terms on both cores, in runs whose postings are joined in order.
    static func postings(_ corpus: Corpus) async -> [Term: [UInt32]] {
        let groups = corpus.groups
        let runs = await parallelMap(Array(stride(from: 0, to: groups.count, by: 4_096)), parallelFrom: 2) { start in
            var postings: [Term: [UInt32]] = [:]
            var masks: [Term: UInt8] = [:]
            for document in start..<min(start + 4_096, groups.count) {
                Self.terms(of: groups[document].variants[0], into: &masks)
                for (term, mask) in masks { postings[term, default: []].append(UInt32(document) << 8 | UInt32(mask)) }
            }
            return postings
        }
        var postings: [Term: [UInt32]] = [:]
        for run in runs {
            if postings.isEmpty {
                postings = run
                continue
            }
            for (term, list) in run { postings[term, default: []].append(contentsOf: list) }
        }
        return postings
    }

    /// A hash of the text fields `terms(of:into:)` reads, of every document in order (on both cores).
    static func textHash(_ plan: SitePlan) async -> UInt64 {
        await textHash(Corpus(plan))
    }

    static func textHash(_ corpus: Corpus) async -> UInt64 {
        let groups = corpus.groups
        let runs = await parallelMap(Array(stride(from: 0, to: groups.count, by: 4_096)), parallelFrom: 2) { start in
            var hasher = FieldHasher()
            for document in start..<min(start + 4_096, groups.count) {
                let product = groups[document].variants[0]
                hasher.combine(product.title)
                hasher.combine(product.brand)
                hasher.combine(product.categories)
                hasher.combine(product.tags)
                hasher.combine(product.summary)
                hasher.combine(Int64(bitPattern: product.descriptionHash))
            }
            return hasher.value
        }
        var hasher = FieldHasher()
        hasher.combine("search terms \(format)")  // the tokenizer's rules: a change here makes every term shard again
        hasher.combine(Int64(groups.count))
        for run in runs { hasher.combine(Int64(bitPattern: run)) }
        return hasher.value
    }

    /// The words (terms that do not start with Han or Kana) by their first character, each group a
    /// JSON list in UTF-8 order: where the script looks for a misspelt word's candidates, which may
    /// sit in other term shards than the misspelling would.
    static func vocabulary(_ terms: some Sequence<Term>) -> [(first: String, bytes: [UInt8])] {
        var groups: [String: [Term]] = [:]
        for term in terms {
            guard let first = term.text.unicodeScalars.first, !SearchTokenizer.isHanOrKana(first) else { continue }
            groups[String(first), default: []].append(term)
        }
        return groups.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }.map { first, words in
            (first, JSONValue.array(words.sorted(by: <).map { .string($0.text) }).bytes)
        }
    }

    /// A document's terms with the fields each was found in (`masks` is emptied first; it is
    /// passed in so that its storage serves every document of a run).
    static func terms(of product: Product, into masks: inout [Term: UInt8]) {
        masks.removeAll(keepingCapacity: true)
        func add(_ text: String, _ field: Field) {
            SearchTokenizer.forEachTerm(text) { masks[$0, default: 0] |= field.rawValue }
        }
        add(product.title, .title)
        if let brand = product.brand { add(brand, .brand) }
        for category in product.categories { add(category, .category) }
        for tag in product.tags { add(tag, .tag) }
        if let summary = product.summary { add(summary, .summary) }
        add(withoutLinkTargets(product.description), .description)
    }

    /// Markdown with the targets of its links and images left out (`[text](/products/a/)` keeps
    /// `text`): an address's words are not what the product is about.
    static func withoutLinkTargets(_ markdown: String) -> String {
        let hasLink = markdown.utf8.withContiguousStorageIfAvailable { bytes in
            bytes.indices.dropLast().contains { bytes[$0] == UInt8(ascii: "]") && bytes[$0 + 1] == UInt8(ascii: "(") }
        }
        guard hasLink ?? true else { return markdown }
        var out = String.UnicodeScalarView()
        var scalars = markdown.unicodeScalars[...]
        while let first = scalars.first {
            scalars = scalars.dropFirst()
            if first == "]", scalars.first == "(", let close = scalars.firstIndex(of: ")") {
                scalars = scalars[scalars.index(after: close)...]
                out.append(" ")
                continue
            }
            out.append(first)
        }
        return String(out)
    }

    /// The terms in UTF-8 order, cut into runs whose encoded postings reach `termShardBytes`.
    static func termShards(_ postings: [Term: [UInt32]]) -> [[Term]] {
        let terms = postings.keys.sorted(by: <)
        var shards: [[Term]] = []
        var current: [Term] = []
        var bytes = 0
        for term in terms {
            if bytes >= termShardBytes, !current.isEmpty {
                shards.append(current)
                current = []
                bytes = 0
            }
            current.append(term)
            bytes += term.text.utf8.count + 4 + postings[term]!.count * 3
        }
        if !current.isEmpty { shards.append(current) }
        return shards
    }

    /// A term shard: `SFT1`, the number of terms, then per term its UTF-8 length and bytes, the
    /// number of postings and each posting as the gap from the previous document (the first from
    /// 0) and the field mask byte. Numbers are unsigned LEB128 varints.
    static func encodeTermShard(_ terms: [(Term, [UInt32])]) -> [UInt8] {
        var out = Array("SFT1".utf8)
        appendVarint(UInt32(terms.count), to: &out)
        for (term, list) in terms {
            appendVarint(UInt32(term.text.utf8.count), to: &out)
            out.append(contentsOf: term.text.utf8)
            appendVarint(UInt32(list.count), to: &out)
            var previous: UInt32 = 0
            for posting in list {
                let document = posting >> 8
                appendVarint(document - previous, to: &out)
                out.append(UInt8(posting & 0xFF))
                previous = document
            }
        }
        return out
    }

    static func appendVarint(_ value: UInt32, to out: inout [UInt8]) {
        var value = value
        while value >= 0x80 {
            out.append(UInt8(value & 0x7F) | 0x80)
            value >>= 7
        }
        out.append(UInt8(value))
    }

    /// `[[title, url, price text, image or null, lowest price in minor units], …]`.
    static func documentShard(_ corpus: Corpus, _ range: Range<Int>, priceText: @Sendable (ProductGroup) -> String) -> [UInt8] {
        let base = corpus.plan.store.basePath
        var out: [UInt8] = [UInt8(ascii: "[")]
        for document in range {
            let group = corpus.groups[document]
            let shown = group.defaultVariant
            if document > range.lowerBound { out.append(UInt8(ascii: ",")) }
            out.append(UInt8(ascii: "["))
            JSONWriter.string(shown.title, into: &out)
            out.append(UInt8(ascii: ","))
            JSONWriter.string(base + corpus.paths[document], into: &out)
            out.append(UInt8(ascii: ","))
            JSONWriter.string(priceText(group), into: &out)
            out.append(UInt8(ascii: ","))
            if let image = corpus.thumbnail(document) {
                JSONWriter.string(image.hasPrefix("/") ? base + image : image, into: &out)
            } else {
                out.append(contentsOf: "null".utf8)
            }
            out.append(contentsOf: ",\(group.lowestPrice.minorUnits)]".utf8)
        }
        out.append(contentsOf: "]\n".utf8)
        return out
    }

    /// `{"brands":[names used in this shard],"docs":[[price, in stock 0/1, brand or -1,
    /// [category numbers], [tag numbers], day added (days since 1970-01-01) or null], …]}`; category
    /// and tag numbers index the manifest's lists.
    static func columnShard(_ corpus: Corpus, _ range: Range<Int>, categoryIDs: [String: Int], tagIDs: [String: Int]) -> [UInt8] {
        var brands: [String] = []
        var brandIDs: [String: Int] = [:]
        var rows: [UInt8] = []
        for document in range {
            let group = corpus.groups[document]
            let product = group.variants[0]
            var brand = -1
            if let name = product.brand {
                if let known = brandIDs[name] {
                    brand = known
                } else {
                    brand = brands.count
                    brandIDs[name] = brand
                    brands.append(name)
                }
            }
            if document > range.lowerBound { rows.append(UInt8(ascii: ",")) }
            let categories = product.categories.compactMap { categoryIDs[$0] }.map(String.init).joined(separator: ",")
            let tags = product.tags.compactMap { tagIDs[$0] }.map(String.init).joined(separator: ",")
            let day = product.date.map { String($0.daysSinceEpoch) } ?? "null"
            rows.append(contentsOf: "[\(group.lowestPrice.minorUnits),\(group.isInStock ? 1 : 0),\(brand),[\(categories)],[\(tags)],\(day)]".utf8)
        }
        var out = Array(#"{"brands":"#.utf8)
        JSONValue.array(brands.map(JSONValue.string)).write(into: &out)
        out.append(contentsOf: #","docs":["#.utf8)
        out.append(contentsOf: rows)
        out.append(contentsOf: "]}\n".utf8)
        return out
    }

    static func manifest(
        plan: SitePlan, documents: Int, terms: Terms, documentShards: [String], columnShards: [String]
    )
        -> [UInt8]
    {
        let base = plan.store.basePath
        let strings = { (names: [String]) in JSONValue.array(names.map(JSONValue.string)) }
        let taxa = { (taxa: [SitePlan.Taxon]) in JSONValue.array(taxa.map { strings([$0.name, base + $0.sitePath]) }) }
        var out = JSONValue.object([
            ("format", .int(Int64(format))), ("documents", .int(Int64(documents))), ("documentShardSize", .int(Int64(documentShardSize))),
            ("columnShardSize", .int(Int64(columnShardSize))), ("terms", .array(terms.shards.map { strings([$0.first, $0.name]) })),
            ("vocabulary", .object(terms.vocabulary.map { ($0.first, .string($0.name)) })),
            ("documentShards", strings(documentShards)), ("columnShards", strings(columnShards)), ("categories", taxa(plan.categories)),
            ("tags", taxa(plan.tags)),
        ]).bytes
        out.append(UInt8(ascii: "\n"))
        return out
    }

    /// `<kind>-<12 hex digits of the bytes' hash>.<ext>`.
    static func name(_ kind: String, _ bytes: [UInt8], ext: String) -> String {
        kind + "-" + String(FNV1a.hex(bytes.withUnsafeBytes(WordHash.hash)).prefix(12)) + "." + ext
    }
}
