import StoreModel

/// Everything the site will contain, computed once from the catalog: taxonomies, listing pages
/// and the set of URLs that links may point to. No listing is computed twice.
struct SitePlan: Sendable {
    /// A category or tag with its products.
    struct Taxon: Sendable {
        var name: String
        var slug: String
        /// Indices into `products`, in display order.
        var members: [Int]
        var sitePath: String
    }

    /// Which listing a page belongs to.
    enum ListingKind: String, Sendable {
        case home, category, tag
    }

    /// One page of a listing.
    struct ListingPage: Sendable {
        var kind: ListingKind
        /// The heading (shop name, category or tag name).
        var heading: String
        /// The taxon index for category and tag listings.
        var taxon: Int?
        /// 1-based page number.
        var number: Int
        var totalPages: Int
        /// Indices into `products` shown on this page.
        var members: ArraySlice<Int>
        /// The listing's first-page site path (without basePath), e.g. `/categories/x/`.
        var rootPath: String

        /// The site path of page `n` of this listing.
        func path(ofPage n: Int) -> String { n == 1 ? rootPath : "\(rootPath)page/\(n)/" }
        var sitePath: String { path(ofPage: number) }
    }

    let store: StoreConfig
    /// Published products in display order, one per product page: for a product with options,
    /// the variant its page shows first (`ProductGroup.defaultVariant`).
    let products: [Product]
    /// The published products of each page, by the index in `products`: the variants of a
    /// product with options, or the product alone.
    let groups: [ProductGroup]
    /// Each product's site path (`/products/<slug>/`), computed once.
    let productPaths: [String]
    /// Published pages in footer order.
    let pages: [Page]
    let categories: [Taxon]
    let tags: [Taxon]
    let listings: [ListingPage]
    let draftCount: Int
    let catalogVersion: String

    /// Site paths of the fixed pages.
    static let cartPath = "/cart/"
    /// The search page (`SearchIndex`; rendered when the theme has a `search` template).
    static let searchPath = "/search/"
    static let checkoutPath = "/checkout/"
    static let orderPath = "/order/"
    static let adminPath = "/admin/"
    static let notFoundPath = "/404.html"

    init(catalog: Catalog, store: StoreConfig) {
        let groups = ProductGroup.grouping(catalog.publishedProducts)
        let products = groups.map(\.defaultVariant)
        self.init(
            catalog: catalog, store: store, groups: groups, products: products, productPaths: products.map(\.path),
            categories: Self.taxa(products, path: "/categories/") { $0.categories }, tags: Self.taxa(products, path: "/tags/") { $0.tags })
    }

    /// The same plan, with the product paths, categories and tags worked out on every core.
    static func make(catalog: Catalog, store: StoreConfig) async -> SitePlan {
        let groups = ProductGroup.grouping(catalog.publishedProducts)
        let products = groups.map(\.defaultVariant)
        async let categories = taxa(products, path: "/categories/") { $0.categories }
        async let tags = taxa(products, path: "/tags/") { $0.tags }
        let paths = await parallelMap(products) { $0.path }
        return await SitePlan(
            catalog: catalog, store: store, groups: groups, products: products, productPaths: paths, categories: categories, tags: tags)
    }

    private init(
        catalog: Catalog, store: StoreConfig, groups: [ProductGroup], products: [Product], productPaths: [String], categories: [Taxon], tags: [Taxon]
    ) {
        self.store = store
        self.groups = groups
        self.products = products
        self.productPaths = productPaths
        self.pages = catalog.publishedPages
        self.draftCount = catalog.products.count - groups.reduce(0) { $0 + $1.variants.count }
        self.catalogVersion = catalog.version
        self.categories = categories
        self.tags = tags
        var listings: [ListingPage] = []
        let size = store.pageSize
        Self.paginate(kind: .home, heading: store.name, taxon: nil, members: Array(products.indices), rootPath: "/", size: size, into: &listings)
        for (index, taxon) in categories.enumerated() {
            Self.paginate(kind: .category, heading: taxon.name, taxon: index, members: taxon.members, rootPath: taxon.sitePath, size: size, into: &listings)
        }
        for (index, taxon) in tags.enumerated() {
            Self.paginate(kind: .tag, heading: taxon.name, taxon: index, members: taxon.members, rootPath: taxon.sitePath, size: size, into: &listings)
        }
        self.listings = listings
    }

    private static func taxa(_ products: [Product], path: String, names: (Product) -> [String]) -> [Taxon] {
        var bySlug: [String: Int] = [:]
        var slugByName: [String: String] = [:]  // a few names shared by many products: slug each once
        var taxa: [Taxon] = []
        for (index, product) in products.enumerated() {
            for name in names(product) {
                let slug: String
                if let known = slugByName[name] {
                    slug = known
                } else {
                    slug = URLPath.slug(name)
                    slugByName[name] = slug
                }
                if let existing = bySlug[slug] {
                    if taxa[existing].members.last != index { taxa[existing].members.append(index) }
                } else {
                    bySlug[slug] = taxa.count
                    taxa.append(Taxon(name: name, slug: slug, members: [index], sitePath: "\(path)\(URLPath.encodeSegment(slug))/"))
                }
            }
        }
        return taxa.sorted { $0.name < $1.name }
    }

    private static func paginate(
        kind: ListingKind, heading: String, taxon: Int?, members: [Int], rootPath: String, size: Int, into listings: inout [ListingPage]
    ) {
        let total = max(1, (members.count + size - 1) / size)
        for number in 1...total {
            let start = (number - 1) * size
            let slice = members[min(start, members.count)..<min(start + size, members.count)]
            listings.append(ListingPage(kind: kind, heading: heading, taxon: taxon, number: number, totalPages: total, members: slice, rootPath: rootPath))
        }
    }

    /// Every HTML page's site path (without basePath).
    var htmlPaths: [String] {
        var paths = productPaths
        paths += pages.map(\.path)
        paths += listings.map(\.sitePath)
        paths += [Self.cartPath, Self.checkoutPath, Self.orderPath]
        return paths
    }

    /// The file in the output directory that serves a site path (`/x/` is `x/index.html`).
    static func filePath(forSitePath sitePath: String) -> String {
        let decoded = URLPath.decode(sitePath) ?? sitePath
        let trimmed = String(decoded.dropFirst())
        return trimmed.isEmpty || trimmed.hasSuffix("/") ? trimmed + "index.html" : trimmed
    }
}
