/// What makes one thing sellable: a product without options has one set of these, and each
/// variant of a product with options has its own. Read and checked in one place for both.
struct Sellable {
    var sku: String
    var price: Money
    var compareAt: Money?
    var stock: Int?
    var lowStock: Int?
    var gtin: String?
    var mpn: String?

    /// The fields a product with variants gives per variant, never for itself.
    static let perVariantKeys = ["sku", "price", "compareAtPrice", "stock", "gtin", "mpn"]

    /// Reads `sku` and `price` (required), `compareAtPrice`, `stock`, `gtin` and `mpn`, reporting each problem.
    static func read(from reader: inout FieldReader, currency: Currency) -> Sellable? {
        let sku = reader.string("sku", required: true, maxLength: 64)
        if let sku, !ProductRules.isValidSKU(sku) {
            reader.issue(reader.line(of: "sku"), "sku", "\"\(sku)\" \(ProductRules.skuCharactersProblem)")
        }
        let price = reader.money("price", currency: currency, required: true)
        if let price, !ProductRules.isValidPrice(price) {
            reader.issue(reader.line(of: "price"), "price", ProductRules.priceProblem)
        }
        let compareAt = reader.money("compareAtPrice", currency: currency)
        if let compareAt, let price, compareAt <= price {
            reader.issue(reader.line(of: "compareAtPrice"), "compareAtPrice", "must be higher than price (\(price.decimalString)) to show a sale")
        }
        let stock = reader.integer("stock", range: ProductRules.stockRange)
        let gtin = reader.string("gtin", maxLength: 14)
        if let gtin, !ProductDecoder.isValidGTIN(gtin) {
            reader.issue(reader.line(of: "gtin"), "gtin", "\"\(gtin)\" is not a valid GTIN-8, 12, 13 or 14 (digits and check digit)")
        }
        let mpn = reader.string("mpn", maxLength: 70)
        guard let sku, let price else { return nil }
        return Sellable(sku: sku, price: price, compareAt: compareAt, stock: stock, gtin: gtin, mpn: mpn)
    }
}

/// A product's `options` and `variants`, validated together (Shopify's model: up to 3 options,
/// and variants that are combinations of their values).
struct VariantList {
    struct Variant {
        var sellable: Sellable
        /// One value per option, in the options' order.
        var values: [String]
        var image: String?
        var weightGrams: Int?
        var draft: Bool
    }

    var options: [ProductOption]
    var variants: [Variant]

    static let maximumOptions = 3
    static let maximumVariants = 2048
    static let variantKeys: Set<String> = [
        "sku", "options", "price", "compareAtPrice", "stock", "lowStock", "gtin", "mpn", "image", "weightGrams", "draft",
    ]

    /// Reads `options` and `variants` from a product's fields; every problem goes to `reader`,
    /// with the field named as `variants[2].price` (counted from 1, as the file reads).
    static func read(from reader: inout FieldReader, currency: Currency) -> VariantList? {
        let options = readOptions(&reader)
        guard let field = reader.fields["variants"] else {
            reader.issue(reader.line(of: "options"), "variants", "is required with options: list each variant with its SKU, options and price")
            return nil
        }
        guard let items = reader.listItems(field, noun: "variants", shape: "each with sku, options and price", maximum: maximumVariants),
            let options
        else { return nil }
        var variants: [Variant] = []
        var firstByCombination: [[String]: Int] = [:]
        var firstBySKU: [String: Int] = [:]
        for (offset, item) in items.enumerated() {
            let name = "variants[\(offset + 1)]"
            guard var variantReader = reader.itemReader(item, name: name, known: variantKeys, members: "sku, options and price") else { continue }
            let sellable = Sellable.read(from: &variantReader, currency: currency)
            let lowStock = variantReader.integer("lowStock", range: ProductRules.stockRange)
            let image = variantReader.string("image", maxLength: 2000)
            if let image, let problem = ProductDecoder.imageURLProblem(image) { variantReader.issue(variantReader.line(of: "image"), "image", problem) }
            let weightGrams = variantReader.integer("weightGrams", range: 0...1_000_000)
            let draft = variantReader.bool("draft") ?? false
            let values = readValues(&variantReader, options: options)
            reader.adopt(variantReader, as: name)
            guard var sellable, let values, variantReader.issues.isEmpty else { continue }
            sellable.lowStock = lowStock
            if let first = firstByCombination[values] {
                reader.issue(item.line, "\(name).options", "\(values.joined(separator: " / ")) is already variants[\(first + 1)]")
                continue
            }
            if let first = firstBySKU[sellable.sku] {
                reader.issue(item.line, "\(name).sku", "\"\(sellable.sku)\" is already the SKU of variants[\(first + 1)]")
                continue
            }
            firstByCombination[values] = offset
            firstBySKU[sellable.sku] = offset
            variants.append(Variant(sellable: sellable, values: values, image: image, weightGrams: weightGrams, draft: draft))
        }
        guard variants.count == items.count else { return nil }
        return VariantList(options: options, variants: variants)
    }

    /// `options`: 1 to 3, each with a name and its values, names and values each listed once.
    private static func readOptions(_ reader: inout FieldReader) -> [ProductOption]? {
        guard let field = reader.fields["options"] else {
            reader.issue(reader.line(of: "variants"), "options", "is required with variants: name each option and its values")
            return nil
        }
        guard let items = reader.listItems(field, noun: "options", shape: "each with a name and values", maximum: maximumOptions) else { return nil }
        var options: [ProductOption] = []
        for (offset, item) in items.enumerated() {
            let name = "options[\(offset + 1)]"
            guard var optionReader = reader.itemReader(item, name: name, known: ["name", "values"], members: "name and values") else { continue }
            let optionName = optionReader.string("name", required: true, maxLength: 100)
            let values = readOptionValues(&optionReader)
            if let optionName, options.contains(where: { $0.name == optionName }) {
                optionReader.issue(optionReader.line(of: "name"), "name", "\"\(optionName)\" names two options")
            }
            reader.adopt(optionReader, as: name)
            if let optionName, let values, optionReader.issues.isEmpty { options.append(ProductOption(name: optionName, values: values)) }
        }
        return options.count == items.count ? options : nil
    }

    /// An option's `values`: a non-empty list of texts, each listed once.
    private static func readOptionValues(_ reader: inout FieldReader) -> [String]? {
        guard let field = reader.fields["values"] else {
            reader.issue(reader.fallbackLine, "values", "is required: list the option's values")
            return nil
        }
        guard case .list(let items) = field.value.kind, !items.isEmpty else {
            reader.issue(field.line, "values", "must be a list of texts")
            return nil
        }
        var values: [String] = []
        for item in items {
            guard case .scalar(let text, _) = item.kind, !text.trimmingASCIIWhitespace().isEmpty else {
                reader.issue(item.line, "values", "must contain only non-empty texts")
                return nil
            }
            let value = text.trimmingASCIIWhitespace()
            guard value.count <= 100 else {
                reader.issue(item.line, "values", "\"\(value.prefix(20))…\" is longer than 100 characters")
                return nil
            }
            guard !values.contains(value) else {
                reader.issue(item.line, "values", "\"\(value)\" is listed twice")
                return nil
            }
            values.append(value)
        }
        return values
    }

    /// A variant's `options`: a value from each option's list, for every option and no other.
    private static func readValues(_ reader: inout FieldReader, options: [ProductOption]) -> [String]? {
        guard let members = reader.map("options") else {
            if reader.fields["options"] == nil {
                reader.issue(reader.fallbackLine, "options", "is required: give a value for \(options.map { "\"\($0.name)\"" }.joined(separator: ", "))")
            }
            return nil
        }
        var given: [String: String] = [:]
        var problems = false
        for member in members {
            guard let option = options.first(where: { $0.name == member.key }) else {
                reader.issue(member.line, "options", "\"\(member.key)\" is not one of the product's options (\(options.map(\.name).joined(separator: ", ")))")
                problems = true
                continue
            }
            guard case .scalar(let text, _) = member.value.kind else {
                reader.issue(member.line, "options", "\"\(option.name)\" must be one of its values, not \(member.value.typeName)")
                problems = true
                continue
            }
            let value = text.trimmingASCIIWhitespace()
            guard option.values.contains(value) else {
                reader.issue(
                    member.line, "options",
                    "\"\(value)\" is not a value of \"\(option.name)\" (\(option.values.joined(separator: ", ")))")
                problems = true
                continue
            }
            given[option.name] = value
        }
        for option in options where given[option.name] == nil && !members.contains(where: { $0.key == option.name }) {
            reader.issue(reader.line(of: "options"), "options", "names no value for \"\(option.name)\"")
            problems = true
        }
        guard !problems else { return nil }
        return options.map { given[$0.name]! }
    }
}
