/// One line of a cart: a SKU and a quantity.
public struct CartItem: Sendable, Hashable, Codable {
    /// The product's SKU.
    public var sku: String
    /// How many.
    public var quantity: Int

    /// Creates a line.
    public init(sku: String, quantity: Int) {
        self.sku = sku
        self.quantity = quantity
    }
}
