import Dispatch

/// The validated shop: settings, products and pages. Both the generator and the order API price
/// from this one type, so the pages and the API agree by construction.
public struct Catalog: Sendable {
    /// The shop's settings.
    public let store: StoreConfig
    /// Every product, drafts included, in display order (weight, title, SKU). A product with
    /// options is here once per variant: each has its own SKU, price and stock, and one file's
    /// variants stand together in their listed order (`groupSKU`, `variantPosition`).
    public let products: [Product]
    /// Every plain page, in footer order (weight, title).
    public let pages: [Page]
    /// A hash of everything that `catalog.json` publishes; it changes when any price changes.
    public let version: String
    let indexBySKU: [String: Int]
    /// The offsets of `products` in SKU order, as the version hashes them.
    let skuOrder: [Int]

    /// Creates a catalog; products and pages are sorted, the version is computed.
    public init(store: StoreConfig, products: [Product], pages: [Page]) {
        self.store = store
        let order = Self.displayOrder(products)
        self.products = order.map { products[$0] }
        self.pages = pages.sorted { ($0.weight, $0.title, $0.slug) < ($1.weight, $1.title, $1.slug) }
        // The SKU index, and the SKU order with the version, on two cores (0.1 s each at 270,000 SKUs).
        let sorted = self.products
        nonisolated(unsafe) var index: [String: Int] = [:]
        nonisolated(unsafe) var skuOrder: [Int] = []
        nonisolated(unsafe) var version = ""
        DispatchQueue.concurrentPerform(iterations: sorted.count >= 10_000 ? 2 : 1) { part in
            if part == 1 || sorted.count < 10_000 {
                skuOrder = sorted.indices.sorted { sorted[$0].sku < sorted[$1].sku }
                version = Self.computeVersion(store: store, products: sorted, skuOrder: skuOrder)
            }
            if part == 0 {
                index.reserveCapacity(sorted.count)
                for (offset, product) in sorted.enumerated() { index[product.sku] = offset }
            }
        }
        self.indexBySKU = index
        self.skuOrder = skuOrder
        self.version = version
    }

    /// A catalog whose products are already in display order, with their indexes (`replacing`).
    init(store: StoreConfig, sortedProducts: [Product], pages: [Page], indexBySKU: [String: Int], skuOrder: [Int]) {
        self.store = store
        self.products = sortedProducts
        self.pages = pages
        self.indexBySKU = indexBySKU
        self.skuOrder = skuOrder
        self.version = Self.computeVersion(store: store, products: sortedProducts, skuOrder: skuOrder)
    }

    /// Whether `a` comes before `b` on the shop's pages: by weight, title and SKU, and a product's
    /// variants together in their listed order.
    static func inDisplayOrder(_ a: Product, _ b: Product) -> Bool {
        (a.weight, a.title, a.groupSKU, a.variantPosition) < (b.weight, b.title, b.groupSKU, b.variantPosition)
    }

    /// The offsets of `products` in display order (sorting offsets moves integers, not products).
    /// One file's variants come one after another in their listed order and share a weight, a title
    /// and a group SKU, so each such run is sorted as one: 100,000 runs rather than 270,000
    /// variants. Runs that compare equal (two files with one SKU) leave the order to a sort of
    /// every product, so the result is always that of `inDisplayOrder`.
    static func displayOrder(_ products: [Product]) -> [Int] {
        var runs: [Range<Int>] = []
        runs.reserveCapacity(products.count)
        var start = 0
        while start < products.count {
            let first = products[start]
            var end = start + 1
            while end < products.count, first.isVariant, products[end].variantPosition == products[end - 1].variantPosition + 1,
                products[end].groupSKU == first.groupSKU, products[end].weight == first.weight, products[end].title == first.title
            {
                end += 1
            }
            runs.append(start..<end)
            start = end
        }
        func key(_ run: Range<Int>) -> (Int, String, String) {
            let product = products[run.lowerBound]
            return (product.weight, product.title, product.groupSKU)
        }
        runs.sort { key($0) < key($1) }
        guard !zip(runs, runs.dropFirst()).contains(where: { key($0) == key($1) }) else {
            return products.indices.sorted { inDisplayOrder(products[$0], products[$1]) }
        }
        return runs.flatMap { $0 }
    }

    /// The product with this SKU, drafts included.
    public func product(sku: String) -> Product? {
        indexBySKU[sku].map { products[$0] }
    }

    /// Every product, drafts included, in SKU order.
    public var productsBySKU: [Product] { skuOrder.map { products[$0] } }

    /// The number of different SKUs: fewer than `products.count` when two products share one.
    var distinctSKUCount: Int { indexBySKU.count }

    /// The products a shopper can see (the whole list when there are no drafts, without a copy).
    public var publishedProducts: [Product] {
        products.contains(where: \.draft) ? products.filter { !$0.draft } : products
    }

    /// The pages a shopper can see.
    public var publishedPages: [Page] { pages.filter { !$0.draft } }

    private static func computeVersion(store: StoreConfig, products: [Product], skuOrder: [Int]) -> String {
        var hash = FNV1a.hash64(store.currency.code.utf8)
        for index in skuOrder {
            // The record "\u{1}sku\u{2}price\u{2}compareAt\u{2}draft\u{2}inStock\u{2}title\u{2}slug", hashed
            // piece by piece rather than built as one string per product.
            let product = products[index]
            hash = FNV1a.hash64(string: "\u{1}", seed: hash)
            hash = FNV1a.hash64(string: product.sku, seed: hash)
            hash = FNV1a.hash64(string: "\u{2}", seed: hash)
            hash = FNV1a.hash64(decimal: product.price.minorUnits, seed: hash)
            hash = FNV1a.hash64(string: "\u{2}", seed: hash)
            hash = FNV1a.hash64(decimal: product.compareAtPrice?.minorUnits ?? -1, seed: hash)
            hash = FNV1a.hash64(string: product.draft ? "\u{2}true\u{2}" : "\u{2}false\u{2}", seed: hash)
            hash = FNV1a.hash64(string: product.isInStock ? "true\u{2}" : "false\u{2}", seed: hash)
            hash = FNV1a.hash64(string: product.title, seed: hash)
            hash = FNV1a.hash64(string: "\u{2}", seed: hash)
            hash = FNV1a.hash64(string: product.slug, seed: hash)
            // A variant's option values are published with it; a product without options adds
            // nothing, so its catalog keeps the version it had.
            for value in product.optionValues {
                hash = FNV1a.hash64(string: "\u{3}", seed: hash)
                hash = FNV1a.hash64(string: value, seed: hash)
            }
        }
        return String(FNV1a.hex(hash).prefix(12))
    }
}
