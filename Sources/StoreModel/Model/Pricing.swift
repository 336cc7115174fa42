/// A cart line priced from the catalog; an order keeps its lines in this form.
public struct PricedLine: Sendable, Hashable {
    /// The SKU.
    public var sku: String
    /// The product name at the time of pricing.
    public var title: String
    /// How many.
    public var quantity: Int
    /// The catalog price of one unit.
    public var unitPrice: Money
    /// `unitPrice * quantity`.
    public var lineTotal: Money
    /// The variant's option values at the time of pricing (`重量: 3 公斤`); empty for a product
    /// without options.
    public var options: [ChosenOption]

    /// Creates a line.
    public init(sku: String, title: String, quantity: Int, unitPrice: Money, lineTotal: Money, options: [ChosenOption] = []) {
        self.sku = sku
        self.title = title
        self.quantity = quantity
        self.unitPrice = unitPrice
        self.lineTotal = lineTotal
        self.options = options
    }
}

/// A whole cart priced from the catalog: lines, subtotal, shipping and total.
public struct PricedCart: Sendable, Hashable {
    /// The priced lines, in the cart's order.
    public var lines: [PricedLine]
    /// The sum of the line totals.
    public var subtotal: Money
    /// The shipping fee from the shop's rule.
    public var shipping: Money
    /// `subtotal + shipping`.
    public var total: Money
    /// The catalog version the prices come from.
    public var catalogVersion: String

    /// Creates a priced cart.
    public init(lines: [PricedLine], subtotal: Money, shipping: Money, total: Money, catalogVersion: String) {
        self.lines = lines
        self.subtotal = subtotal
        self.shipping = shipping
        self.total = total
        self.catalogVersion = catalogVersion
    }
}

/// Why a cart line cannot be priced.
public enum LineProblem: Sendable, Hashable {
    /// No product has this SKU.
    case unknownSKU
    /// The product is a draft and cannot be ordered.
    case draft
}

extension Catalog {
    /// Prices a cart from the catalog alone. Client-sent prices play no part.
    ///
    /// Returns the problem of each line that cannot be priced, by line index, when there are any.
    public func price(_ items: [CartItem]) -> Result<PricedCart, PricingError> {
        var lines: [PricedLine] = []
        var problems: [Int: LineProblem] = [:]
        var subtotal = Money.zero(store.currency)
        for (index, item) in items.enumerated() {
            guard let product = product(sku: item.sku) else {
                problems[index] = .unknownSKU
                continue
            }
            if product.draft {
                problems[index] = .draft
                continue
            }
            let total = product.price * item.quantity
            subtotal = subtotal + total
            lines.append(
                PricedLine(
                    sku: product.sku, title: product.title, quantity: item.quantity, unitPrice: product.price, lineTotal: total,
                    options: product.chosenOptions))
        }
        guard problems.isEmpty else { return .failure(PricingError(problems: problems)) }
        let shipping = store.shipping.fee(forSubtotal: subtotal)
        return .success(PricedCart(lines: lines, subtotal: subtotal, shipping: shipping, total: subtotal + shipping, catalogVersion: version))
    }
}

/// Some lines of a cart cannot be priced.
public struct PricingError: Error, Sendable, Hashable {
    /// The problem of each failing line, by its index in the cart.
    public var problems: [Int: LineProblem]
}
