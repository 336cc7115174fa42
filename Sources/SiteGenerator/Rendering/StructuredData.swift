import StoreModel

/// schema.org JSON-LD documents.
enum StructuredData {
    static func product(_ product: Product, url: String, description: String, images: [String], availability: String) -> JSONValue {
        var offer: [(String, JSONValue)] = [
            ("@type", .string("Offer")),
            ("price", .string(product.price.decimalString)),
            ("priceCurrency", .string(product.price.currency.code)),
            ("availability", .string(availability)),
            ("url", .string(url)),
            ("itemCondition", .string("https://schema.org/NewCondition")),
        ]
        offer.append(("sku", .string(product.sku)))
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
        members.append(("offers", .object(offer)))
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
