/// The rules a product's values obey wherever they come from: a content file, an admin edit, a
/// cart or the stock table. Every check of a SKU, a price or a stock count calls these.
public enum ProductRules {
    /// How long a SKU may be, in characters (bytes, as only ASCII is allowed).
    public static let skuLength = 1...64

    /// Says why a SKU with other characters is refused.
    public static let skuCharactersProblem = "may contain only letters, digits, '-' and '_'"

    /// Whether `sku` is 1 to 64 of the ASCII letters, digits, `-` and `_`.
    public static func isValidSKU(_ sku: String) -> Bool {
        skuLength.contains(sku.utf8.count) && sku.utf8.allSatisfy(isSKUByte)
    }

    /// Whether `byte` may appear in a SKU: an ASCII letter or digit, `-` or `_`.
    public static func isSKUByte(_ byte: UInt8) -> Bool {
        (byte >= 48 && byte <= 57) || (byte >= 65 && byte <= 90) || (byte >= 97 && byte <= 122) || byte == 45 || byte == 95
    }

    /// Says why a price of zero is refused.
    public static let priceProblem = "must be greater than zero"

    /// Whether `price` may be a product's price: above zero.
    public static func isValidPrice(_ price: Money) -> Bool { price.minorUnits > 0 }

    /// The units of stock a product may have on hand.
    public static let stockRange = 0...1_000_000_000

    /// Whether `units` is a stock count a product may have.
    public static func isValidStock(_ units: Int) -> Bool { stockRange.contains(units) }
}
