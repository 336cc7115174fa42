import StoreModel

/// schema.org JSON-LD documents.
enum StructuredData {
    static func product(_ product: Product, url: String, description: String, images: [String], store: StoreConfig, ids: MerchantIDs) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("@context", .string("https://schema.org")),
            ("@type", .string("Product")),
            ("name", .string(product.title)),
            ("sku", .string(product.sku)),
            ("url", .string(url)),
        ]
        if !images.isEmpty { members.append(("image", .array(images.map(JSONValue.string)))) }
        if !description.isEmpty { members.append(("description", .string(description))) }
        if let brand = product.brand { members.append(("brand", .object([("@type", .string("Brand")), ("name", .string(brand))]))) }
        if let gtin = product.gtin { members.append(("gtin", .string(gtin))) }
        if let mpn = product.mpn { members.append(("mpn", .string(mpn))) }
        members.append(("offers", offer(product, url: url, store: store, ids: ids, withSKU: true)))
        return .object(members)
    }

    static func breadcrumbs(_ items: [(name: String, url: String)]) -> JSONValue {
        .object([
            ("@context", .string("https://schema.org")),
            ("@type", .string("BreadcrumbList")),
            (
                "itemListElement",
                .array(
                    items.enumerated().map { offset, item in
                        .object([
                            ("@type", .string("ListItem")),
                            ("position", .int(Int64(offset + 1))),
                            ("name", .string(item.name)),
                            ("item", .string(item.url)),
                        ])
                    })
            ),
        ])
    }

    static func website(name: String, url: String) -> JSONValue {
        .object([
            ("@context", .string("https://schema.org")),
            ("@type", .string("WebSite")),
            ("name", .string(name)),
            ("url", .string(url)),
        ])
    }
}

extension StructuredData {
    /// The schema.org property an option stands for (Google's product-variant properties), by its
    /// name in English or Chinese; a weight or volume is a size. `nil` for any other option.
    static func variantProperty(forOption name: String) -> String? {
        // Names are trimmed of ASCII spaces when read; an ideographic space may remain.
        var key = Substring(name)
        while key.first?.isWhitespace == true { key = key.dropFirst() }
        while key.last?.isWhitespace == true { key = key.dropLast() }
        return propertyByOptionName[key.lowercased()]
    }

    /// Option names (lowercase) and the schema.org property each stands for, made once.
    private static let propertyByOptionName: [String: String] = {
        let properties: [(String, [String])] = [
            ("size", ["size", "weight", "volume", "capacity", "尺寸", "尺碼", "大小", "重量", "容量", "規格", "份量", "入數", "count"]),
            ("color", ["color", "colour", "顏色", "颜色", "色"]),
            ("material", ["material", "材質", "材质"]),
            ("pattern", ["pattern", "圖案", "图案"]),
        ]
        var byName: [String: String] = [:]
        for (property, names) in properties {
            for name in names { byName[name] = property }
        }
        return byName
    }()

    /// A product with options as Google's product-variant structured data: a `ProductGroup`
    /// carrying what the variants share (name, description, brand, images), `variesBy`, and each
    /// variant in `hasVariant` as a full `Product` with its own SKU, GTIN, image and offer, whose
    /// `url` is the page with `?variant=SKU`.
    static func productGroup(
        _ group: ProductGroup, url: String, description: String, images: [String], variantURL: (Product) -> String, imageURL: (String) -> String,
        store: StoreConfig, ids: MerchantIDs
    ) -> JSONValue {
        let first = group.variants[0]
        let properties = first.options.map { variantProperty(forOption: $0.name) }
        var members: [(String, JSONValue)] = [
            ("@context", .string("https://schema.org")),
            ("@type", .string("ProductGroup")),
            ("name", .string(first.title)),
            ("url", .string(url)),
            ("productGroupID", .string(first.groupSKU)),
        ]
        let varies = properties.compactMap { $0 }
        if !varies.isEmpty { members.append(("variesBy", .array(varies.map { .string("https://schema.org/" + $0) }))) }
        if !images.isEmpty { members.append(("image", .array(images.map(JSONValue.string)))) }
        if !description.isEmpty { members.append(("description", .string(description))) }
        if let brand = first.brand { members.append(("brand", .object([("@type", .string("Brand")), ("name", .string(brand))]))) }
        let variants: [JSONValue] = group.variants.map { variant in
            var product: [(String, JSONValue)] = [
                ("@type", .string("Product")),
                ("name", .string("\(variant.title) (\(variant.chosenOptions.displayText))")),
                ("sku", .string(variant.sku)),
            ]
            if let gtin = variant.gtin { product.append(("gtin", .string(gtin))) }
            if let mpn = variant.mpn { product.append(("mpn", .string(mpn))) }
            if let image = variant.primaryImage { product.append(("image", .string(imageURL(image)))) }
            for (property, value) in zip(properties, variant.optionValues) {
                if let property { product.append((property, .string(value))) }
            }
            product.append(("offers", offer(variant, url: variantURL(variant), store: store, ids: ids)))
            return .object(product)
        }
        members.append(("hasVariant", .array(variants)))
        return .object(members)
    }

    /// One product's `Offer`: price, currency, availability, URL, condition (and the SKU, for a
    /// product whose `Product` node is not its own), with the merchant-listing members.
    static func offer(_ product: Product, url: String, store: StoreConfig, ids: MerchantIDs, withSKU: Bool = false) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("@type", .string("Offer")),
            ("price", .string(product.price.decimalString)),
            ("priceCurrency", .string(product.price.currency.code)),
            ("availability", .string(product.isInStock ? "https://schema.org/InStock" : "https://schema.org/OutOfStock")),
            ("url", .string(url)),
            ("itemCondition", .string(product.condition.schemaURL)),
        ]
        if withSKU { members.append(("sku", .string(product.sku))) }
        return .object(members + listingMembers(of: product, store: store, ids: ids))
    }
}
