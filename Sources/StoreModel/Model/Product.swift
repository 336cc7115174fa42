/// A product as the shop owner wrote it, validated.
///
/// A value type like any other; its fields live in one shared, immutable box, so that copying a
/// product (100,000 of them pass through every build step) costs one reference count, not one per
/// field. Setting a field makes a new box.
public struct Product: Sendable, Hashable {
    /// The fields, kept together.
    @usableFromInline struct Fields: Sendable, Hashable {
        @usableFromInline var slug: String
        @usableFromInline var sourcePath: String
        @usableFromInline var title: String
        @usableFromInline var sku: String
        @usableFromInline var price: Money
        @usableFromInline var compareAtPrice: Money?
        @usableFromInline var stock: Int?
        @usableFromInline var lowStock: Int?
        @usableFromInline var categories: [String]
        @usableFromInline var tags: [String]
        @usableFromInline var images: [String]
        @usableFromInline var summary: String?
        @usableFromInline var brand: String?
        @usableFromInline var gtin: String?
        @usableFromInline var date: CalendarDay? = nil
        @usableFromInline var weight: Int
        @usableFromInline var draft: Bool
        @usableFromInline var description: DescriptionText
        @usableFromInline var descriptionLine: Int
        @usableFromInline var variant: VariantFields? = nil
        @usableFromInline var listing: ListingFields? = nil
    }

    /// What merchant listings add (`nil` when every one is its default).
    @usableFromInline struct ListingFields: Sendable, Hashable {
        @usableFromInline var condition: ItemCondition = .new
        @usableFromInline var saleEnds: CalendarDay? = nil
        @usableFromInline var mpn: String? = nil
        @usableFromInline var returnable: Bool = true

        /// These fields, or `nil` when every one is its default (what `Fields.listing` keeps, so
        /// that a product without them keeps the fingerprint it had).
        var unlessDefault: ListingFields? { self == ListingFields() ? nil : self }
    }

    /// What a variant adds to the product it belongs to (`nil` for a product without options).
    @usableFromInline struct VariantFields: Sendable, Hashable {
        @usableFromInline var options: [ProductOption]
        @usableFromInline var values: [String]
        @usableFromInline var position: Int
        @usableFromInline var groupSKU: String
        @usableFromInline var image: String?
        @usableFromInline var weightGrams: Int?
    }

    /// The shared, immutable storage of a product's fields and their fingerprint.
    @usableFromInline final class Box: Sendable {
        @usableFromInline let fields: Fields
        @usableFromInline let fingerprint: UInt64

        init(_ fields: Fields, fingerprint: UInt64? = nil) {
            self.fields = fields
            self.fingerprint = fingerprint ?? fields.fingerprint
        }
    }

    // Read by the inlinable getters, so that reading a field from another module is a load, not a call.
    @usableFromInline var box: Box

    /// The file name without extension; the product page is `/products/<slug>/`.
    public var slug: String {
        @inlinable get { box.fields.slug }
        set { update { $0.slug = newValue } }
    }
    /// The content file, relative to the content directory (`products/hass.md`).
    public var sourcePath: String {
        @inlinable get { box.fields.sourcePath }
        set { update { $0.sourcePath = newValue } }
    }
    /// The product name.
    public var title: String {
        @inlinable get { box.fields.title }
        set { update { $0.title = newValue } }
    }
    /// The unique stock-keeping unit: letters, digits, `-` and `_`.
    public var sku: String {
        @inlinable get { box.fields.sku }
        set { update { $0.sku = newValue } }
    }
    /// The selling price.
    public var price: Money {
        @inlinable get { box.fields.price }
        set { update { $0.price = newValue } }
    }
    /// The former price, shown struck through when higher than `price`.
    public var compareAtPrice: Money? {
        @inlinable get { box.fields.compareAtPrice }
        set { update { $0.compareAtPrice = newValue } }
    }
    /// The available stock at or below which the owner is alerted (`stock.low`); `nil` uses the
    /// shop's `lowStockThreshold`.
    public var lowStock: Int? {
        @inlinable get { box.fields.lowStock }
        set { update { $0.lowStock = newValue } }
    }
    /// The initial stock; `nil` means not tracked (always available).
    public var stock: Int? {
        @inlinable get { box.fields.stock }
        set { update { $0.stock = newValue } }
    }
    /// Category names, first one primary.
    public var categories: [String] {
        @inlinable get { box.fields.categories }
        set { update { $0.categories = newValue } }
    }
    /// Tag names.
    public var tags: [String] {
        @inlinable get { box.fields.tags }
        set { update { $0.tags = newValue } }
    }
    /// Image URLs (site paths such as `/images/hass.svg`, or absolute URLs).
    public var images: [String] {
        @inlinable get { box.fields.images }
        set { update { $0.images = newValue } }
    }
    /// A one-sentence summary for cards and meta descriptions.
    public var summary: String? {
        @inlinable get { box.fields.summary }
        set { update { $0.summary = newValue } }
    }
    /// The brand.
    public var brand: String? {
        @inlinable get { box.fields.brand }
        set { update { $0.brand = newValue } }
    }
    /// The GTIN (8, 12, 13 or 14 digits).
    public var gtin: String? {
        @inlinable get { box.fields.gtin }
        set { update { $0.gtin = newValue } }
    }
    /// The day the product was added (`date: 2026-11-20`), which search's "newest" sorts by.
    public var date: CalendarDay? {
        @inlinable get { box.fields.date }
        set { update { $0.date = newValue } }
    }
    /// The item's condition (`condition: used`); new unless the product says otherwise.
    public var condition: ItemCondition {
        get { box.fields.listing?.condition ?? .new }
        set { updateListing { $0.condition = newValue } }
    }
    /// The last day of the sale (`saleEnds: 2026-12-31`), published as the offer's `priceValidUntil`.
    public var saleEnds: CalendarDay? {
        get { box.fields.listing?.saleEnds }
        set { updateListing { $0.saleEnds = newValue } }
    }
    /// The manufacturer part number.
    public var mpn: String? {
        get { box.fields.listing?.mpn }
        set { updateListing { $0.mpn = newValue } }
    }
    /// Whether the shop's return policy applies (`returns: false` for perishables, which the law
    /// usually exempts from the cooling-off period).
    public var returnable: Bool {
        get { box.fields.listing?.returnable ?? true }
        set { updateListing { $0.returnable = newValue } }
    }
    /// Sort order: lower first.
    public var weight: Int {
        @inlinable get { box.fields.weight }
        set { update { $0.weight = newValue } }
    }
    /// Drafts are not published and cannot be ordered.
    public var draft: Bool {
        @inlinable get { box.fields.draft }
        set { update { $0.draft = newValue } }
    }
    /// The Markdown description.
    public var description: String {
        get { box.fields.description.string }
        set { update { $0.description = .text(newValue) } }
    }
    /// A hash of the description's UTF-8 bytes (`WordHash`), read in place while the description
    /// is still in the mapped content cache: the search index's change check reads 100,000 of them.
    public var descriptionHash: UInt64 {
        switch box.fields.description {
        case .text(var text): text.withUTF8 { WordHash.hash(UnsafeRawBufferPointer($0)) }
        case .mapped(let file, let range): WordHash.hash(UnsafeRawBufferPointer(rebasing: file.bytes[range]))
        }
    }
    /// The line of the source file where the description starts.
    public var descriptionLine: Int {
        @inlinable get { box.fields.descriptionLine }
        set { update { $0.descriptionLine = newValue } }
    }

    /// The product's options (`重量: 1 公斤, 3 公斤`), shared by all its variants; empty for a
    /// product without options.
    public var options: [ProductOption] { box.fields.variant?.options ?? [] }
    /// This variant's value for each of `options`, in the same order; empty without options.
    public var optionValues: [String] { box.fields.variant?.values ?? [] }
    /// The options with this variant's values, as an order line keeps them.
    public var chosenOptions: [ChosenOption] {
        guard let variant = box.fields.variant else { return [] }
        return zip(variant.options, variant.values).map { ChosenOption(name: $0.name, value: $1) }
    }
    /// Whether this is one variant of a product with options (its file lists `variants`).
    @inlinable public var isVariant: Bool {
        // A pattern, not `!= nil`, which would copy the variant's fields to compare them.
        if case .some = box.fields.variant { return true }
        return false
    }
    /// The position of this variant in its file's `variants` list; 0 without options.
    public var variantPosition: Int { box.fields.variant?.position ?? 0 }
    /// The SKU of the first variant of this product: the same for all variants of one file, and
    /// the product's own SKU without options. Products sort by it after weight and title, so that
    /// one product's variants stay together, in their listed order.
    public var groupSKU: String { box.fields.variant?.groupSKU ?? sku }
    /// This variant's own image, shown when it is chosen; `nil` shows the product's images.
    public var variantImage: String? { box.fields.variant?.image }
    /// This variant's shipping weight in grams, when given.
    public var weightGrams: Int? { box.fields.variant?.weightGrams }
    /// The image that stands for this product or variant: its own, else the product's first.
    public var primaryImage: String? { variantImage ?? images.first }

    /// A 64-bit hash of every field, computed once when the product is made (or read back with it
    /// from the content cache): products with equal fingerprints are equal, short of a collision.
    @inlinable public var fingerprint: UInt64 { box.fingerprint }

    /// Creates a product.
    public init(
        slug: String, sourcePath: String, title: String, sku: String, price: Money, compareAtPrice: Money? = nil,
        stock: Int? = nil, lowStock: Int? = nil, categories: [String] = [], tags: [String] = [], images: [String] = [], summary: String? = nil,
        brand: String? = nil, gtin: String? = nil, date: CalendarDay? = nil, weight: Int = 0, draft: Bool = false, description: String = "",
        descriptionLine: Int = 1
    ) {
        box = Box(
            Fields(
                slug: slug, sourcePath: sourcePath, title: title, sku: sku, price: price, compareAtPrice: compareAtPrice,
                stock: stock, lowStock: lowStock, categories: categories, tags: tags, images: images, summary: summary, brand: brand, gtin: gtin,
                date: date, weight: weight, draft: draft, description: .text(description), descriptionLine: descriptionLine))
    }

    /// This product as one variant of a product with `options`: its `values` (one per option),
    /// its place in the file's list, the first variant's SKU, and its own image and weight.
    public func asVariant(
        options: [ProductOption], values: [String], position: Int, groupSKU: String, image: String? = nil, weightGrams: Int? = nil
    ) -> Product {
        var copy = self
        copy.update {
            $0.variant = VariantFields(options: options, values: values, position: position, groupSKU: groupSKU, image: image, weightGrams: weightGrams)
        }
        return copy
    }

    /// Creates a product from fields whose fingerprint is already known (the content cache).
    init(fields: Fields, fingerprint: UInt64) {
        box = Box(fields, fingerprint: fingerprint)
    }

    /// This product with its merchant-listing fields set at once (one new box, not four).
    func withListing(condition: ItemCondition, saleEnds: CalendarDay?, mpn: String?, returnable: Bool) -> Product {
        guard let listing = ListingFields(condition: condition, saleEnds: saleEnds, mpn: mpn, returnable: returnable).unlessDefault else {
            return self
        }
        var copy = self
        copy.update { $0.listing = listing }
        return copy
    }

    private mutating func updateListing(_ change: (inout ListingFields) -> Void) {
        update { fields in
            var listing = fields.listing ?? ListingFields()
            change(&listing)
            fields.listing = listing.unlessDefault
        }
    }

    private mutating func update(_ change: (inout Fields) -> Void) {
        var fields = box.fields
        change(&fields)
        box = Box(fields)
    }

    public static func == (lhs: Product, rhs: Product) -> Bool {
        lhs.box === rhs.box || (lhs.box.fingerprint == rhs.box.fingerprint && lhs.box.fields == rhs.box.fields)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(box.fingerprint)
    }

    /// Whether the product is on sale (a higher former price is given).
    @inlinable public var isOnSale: Bool { compareAtPrice.map { $0 > price } ?? false }

    /// Whether the initial stock allows ordering.
    @inlinable public var isInStock: Bool { stock.map { $0 > 0 } ?? true }

    /// The site path of the product page.
    public var path: String { "/products/\(URLPath.encodeSegment(slug))/" }

    /// The fields a product file may have.
    public static let knownFields: Set<String> = [
        "title", "sku", "price", "compareAtPrice", "stock", "lowStock", "categories", "tags", "images", "summary", "brand",
        "gtin", "date", "weight", "draft", "description", "options", "variants", "condition", "saleEnds", "mpn", "returns",
    ]
}

/// An item's condition, as schema.org names them (`https://schema.org/NewCondition`).
public enum ItemCondition: String, Sendable, Hashable, CaseIterable {
    case new, used, refurbished, damaged

    /// The schema.org URL.
    public var schemaURL: String { "https://schema.org/" + rawValue.prefix(1).uppercased() + rawValue.dropFirst() + "Condition" }
}

/// A product's Markdown description: text, or its bytes in a mapped content cache, decoded each
/// time it is read. Most loads read few descriptions (a rebuild renders only changed pages; the
/// order API shows none), so 100,000 of them need not be copied out of the cache and validated.
@usableFromInline enum DescriptionText: Sendable, Hashable {
    case text(String)
    /// UTF-8 bytes in a content cache file. The file's segments are checksummed and its bytes never
    /// change while mapped (see `MappedFile`).
    case mapped(MappedFile, Range<Int>)

    var string: String {
        switch self {
        case .text(let text): text
        case .mapped(let file, let range): String(decoding: UnsafeRawBufferPointer(rebasing: file.bytes[range]), as: UTF8.self)
        }
    }

    @usableFromInline static func == (lhs: DescriptionText, rhs: DescriptionText) -> Bool {
        lhs.string == rhs.string
    }

    @usableFromInline func hash(into hasher: inout Hasher) {
        hasher.combine(string)
    }
}
