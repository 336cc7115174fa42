/// One product page's products: a product without options alone, or the variants of one product
/// file in their listed order. The rules for showing a product with variants live here, so that
/// cards, the product page and its structured data agree.
public struct ProductGroup: Sendable {
    /// The products, never empty: one file's variants in listed order, or one product.
    public let variants: [Product]

    /// Creates a group; `variants` must not be empty.
    public init(_ variants: [Product]) {
        precondition(!variants.isEmpty, "a product group has at least one product")
        self.variants = variants
    }

    /// The variant a page shows before the shopper chooses: the first in stock, else the first.
    public var defaultVariant: Product { variants.first(where: \.isInStock) ?? variants[0] }

    /// The lowest price: what cards show ("from" it when `hasPriceRange`), sort and filter by.
    public var lowestPrice: Money { variants.dropFirst().reduce(variants[0].price) { $1.price < $0 ? $1.price : $0 } }

    /// Whether the variants have different prices.
    public var hasPriceRange: Bool { variants.contains { $0.price != variants[0].price } }

    /// Whether any variant can be ordered.
    public var isInStock: Bool { variants.contains(where: \.isInStock) }

    /// Whether the group is a product with options (more than a plain product).
    public var hasVariants: Bool { variants[0].isVariant }

    /// `products` (in display order, one file's variants together) as groups: consecutive
    /// variants of one file make one group, any other product a group of its own.
    public static func grouping(_ products: [Product]) -> [ProductGroup] {
        var groups: [ProductGroup] = []
        groups.reserveCapacity(products.count)
        var start = products.startIndex
        while start < products.endIndex {
            var end = start + 1
            if products[start].isVariant {
                while end < products.endIndex, products[end].isVariant, products[end].sourcePath == products[start].sourcePath { end += 1 }
            }
            groups.append(ProductGroup(Array(products[start..<end])))
            start = end
        }
        return groups
    }
}
