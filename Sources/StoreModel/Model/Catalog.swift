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
        // Sorting indices moves integers, not 17-field products.
        let order = products.indices.sorted { Self.inDisplayOrder(products[$0], products[$1]) }
        self.products = order.map { products[$0] }
        self.pages = pages.sorted { ($0.weight, $0.title, $0.slug) < ($1.weight, $1.title, $1.slug) }
        var index: [String: Int] = [:]
        index.reserveCapacity(products.count)
        for (offset, product) in self.products.enumerated() { index[product.sku] = offset }
        self.indexBySKU = index
        let sorted = self.products
        self.skuOrder = sorted.indices.sorted { sorted[$0].sku < sorted[$1].sku }
        self.version = Self.computeVersion(store: store, products: sorted, skuOrder: skuOrder)
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
