/// The validated shop: settings, products and pages. Both the generator and the order API price
/// from this one type, so the pages and the API agree by construction.
public struct Catalog: Sendable {
    /// The shop's settings.
    public let store: StoreConfig
    /// Every product, drafts included, in display order (weight, title, SKU).
    public let products: [Product]
    /// Every plain page, in footer order (weight, title).
    public let pages: [Page]
    /// A hash of everything that `catalog.json` publishes; it changes when any price changes.
    public let version: String
    private let indexBySKU: [String: Int]

    /// Creates a catalog; products and pages are sorted, the version is computed.
    public init(store: StoreConfig, products: [Product], pages: [Page]) {
        self.store = store
        // Sorting indices moves integers, not 17-field products.
        let order = products.indices.sorted {
            (products[$0].weight, products[$0].title, products[$0].sku) < (products[$1].weight, products[$1].title, products[$1].sku)
        }
        self.products = order.map { products[$0] }
        self.pages = pages.sorted { ($0.weight, $0.title, $0.slug) < ($1.weight, $1.title, $1.slug) }
        var index: [String: Int] = [:]
        index.reserveCapacity(products.count)
        for (offset, product) in self.products.enumerated() { index[product.sku] = offset }
        self.indexBySKU = index
        self.version = Self.computeVersion(store: store, products: self.products)
    }

    /// The product with this SKU, drafts included.
    public func product(sku: String) -> Product? {
        indexBySKU[sku].map { products[$0] }
    }

    /// The number of different SKUs: fewer than `products.count` when two products share one.
    var distinctSKUCount: Int { indexBySKU.count }

    /// The products a shopper can see (the whole list when there are no drafts, without a copy).
    public var publishedProducts: [Product] {
        products.contains(where: \.draft) ? products.filter { !$0.draft } : products
    }

    /// The pages a shopper can see.
    public var publishedPages: [Page] { pages.filter { !$0.draft } }

    private static func computeVersion(store: StoreConfig, products: [Product]) -> String {
        var hash = FNV1a.hash64(store.currency.code.utf8)
        for index in products.indices.sorted(by: { products[$0].sku < products[$1].sku }) {
            // The record "\u{1}sku\u{2}price\u{2}compareAt\u{2}draft\u{2}inStock\u{2}title\u{2}slug", hashed
            // piece by piece rather than built as one string per product.
            let product = products[index]
            for piece in [
                "\u{1}", product.sku, "\u{2}", String(product.price.minorUnits), "\u{2}", String(product.compareAtPrice?.minorUnits ?? -1),
                "\u{2}", product.draft ? "true" : "false", "\u{2}", product.isInStock ? "true" : "false", "\u{2}", product.title,
                "\u{2}", product.slug,
            ] {
                hash = FNV1a.hash64(string: piece, seed: hash)
            }
        }
        return String(FNV1a.hex(hash).prefix(12))
    }
}
