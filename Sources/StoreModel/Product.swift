/// A product as the shop owner wrote it, validated.
public struct Product: Sendable, Hashable {
    /// The file name without extension; the product page is `/products/<slug>/`.
    public var slug: String
    /// The content file, relative to the content directory (`products/hass.md`).
    public var sourcePath: String
    /// The product name.
    public var title: String
    /// The unique stock-keeping unit: letters, digits, `-` and `_`.
    public var sku: String
    /// The selling price.
    public var price: Money
    /// The former price, shown struck through when higher than `price`.
    public var compareAtPrice: Money?
    /// The initial stock; `nil` means not tracked (always available).
    public var stock: Int?
    /// Category names, first one primary.
    public var categories: [String]
    /// Tag names.
    public var tags: [String]
    /// Image URLs (site paths such as `/images/hass.svg`, or absolute URLs).
    public var images: [String]
    /// A one-sentence summary for cards and meta descriptions.
    public var summary: String?
    /// The brand.
    public var brand: String?
    /// The GTIN (8, 12, 13 or 14 digits).
    public var gtin: String?
    /// Sort order: lower first.
    public var weight: Int
    /// Drafts are not published and cannot be ordered.
    public var draft: Bool
    /// The Markdown description.
    public var description: String
    /// The line of the source file where the description starts.
    public var descriptionLine: Int

    /// Creates a product.
    public init(
        slug: String, sourcePath: String, title: String, sku: String, price: Money, compareAtPrice: Money? = nil,
        stock: Int? = nil, categories: [String] = [], tags: [String] = [], images: [String] = [], summary: String? = nil,
        brand: String? = nil, gtin: String? = nil, weight: Int = 0, draft: Bool = false, description: String = "",
        descriptionLine: Int = 1
    ) {
        self.slug = slug
        self.sourcePath = sourcePath
        self.title = title
        self.sku = sku
        self.price = price
        self.compareAtPrice = compareAtPrice
        self.stock = stock
        self.categories = categories
        self.tags = tags
        self.images = images
        self.summary = summary
        self.brand = brand
        self.gtin = gtin
        self.weight = weight
        self.draft = draft
        self.description = description
        self.descriptionLine = descriptionLine
    }

    /// Whether the product is on sale (a higher former price is given).
    public var isOnSale: Bool { compareAtPrice.map { $0 > price } ?? false }

    /// Whether the initial stock allows ordering.
    public var isInStock: Bool { stock.map { $0 > 0 } ?? true }

    /// The site path of the product page.
    public var path: String { "/products/\(URLPath.encodeSegment(slug))/" }

    /// The fields a product file may have.
    public static let knownFields: Set<String> = [
        "title", "sku", "price", "compareAtPrice", "stock", "categories", "tags", "images", "summary", "brand",
        "gtin", "weight", "draft", "description",
    ]
}

/// A plain page such as about, FAQ or shipping.
public struct Page: Sendable, Hashable {
    /// The file name without extension; the page is `/pages/<slug>/`.
    public var slug: String
    /// The content file, relative to the content directory.
    public var sourcePath: String
    /// The page title.
    public var title: String
    /// A sentence for the meta description.
    public var summary: String?
    /// Footer order: lower first.
    public var weight: Int
    /// Drafts are not published.
    public var draft: Bool
    /// The Markdown body.
    public var body: String
    /// The line of the source file where the body starts.
    public var bodyLine: Int

    /// Creates a page.
    public init(slug: String, sourcePath: String, title: String, summary: String? = nil, weight: Int = 0, draft: Bool = false, body: String, bodyLine: Int = 1) {
        self.slug = slug
        self.sourcePath = sourcePath
        self.title = title
        self.summary = summary
        self.weight = weight
        self.draft = draft
        self.body = body
        self.bodyLine = bodyLine
    }

    /// The site path of the page.
    public var path: String { "/pages/\(URLPath.encodeSegment(slug))/" }

    /// The fields a page file may have.
    public static let knownFields: Set<String> = ["title", "summary", "weight", "draft"]
}
