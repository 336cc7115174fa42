import StoreModel

/// What a product with options adds to its card and its page: the "from" price, the picker, the
/// list of variants that works without JavaScript, and the `ProductGroup` structured data.
extension PageRenderer {
    /// A card for a product with options: its lowest price ("from" it when the prices differ),
    /// sold out only when every variant is, and a link to choose the options instead of a button.
    func variantCard(_ index: Int, _ group: ProductGroup) -> TemplateValue {
        let shown = group.defaultVariant
        let lowest = group.lowestPrice
        let onSale = !group.hasPriceRange && shown.isOnSale
        var card: [String: TemplateValue] = [
            "title": .string(shown.title), "url": .string(basePath + plan.productPaths[index]), "price": .string(priceText(group)),
            "priceMinor": .int(lowest.minorUnits), "onSale": .bool(onSale), "soldOut": .bool(!group.isInStock), "sku": .string(shown.sku),
            "hasVariants": .bool(true),
        ]
        if onSale, let compare = shown.compareAtPrice { card["compareAtPrice"] = .string(compare.formatted) }
        if let image = images.cardImage(of: group) { card["image"] = picture(image, alt: "", place: .card) }
        if let summary = shown.summary { card["summary"] = .string(summary) }
        return .object(card)
    }

    /// The group's price as cards show it: `from NT$380` when the variants' prices differ.
    func priceText(_ group: ProductGroup) -> String {
        Self.priceText(group, from: priceFrom)
    }

    /// `priceText` with the theme's "from" words given (the search index writes it too).
    static func priceText(_ group: ProductGroup, from: (before: String, after: String)) -> String {
        let lowest = group.lowestPrice.formatted
        guard group.hasPriceRange else { return lowest }
        return from.before + lowest + from.after
    }

    /// The product page's picker and variant list: `options` (one control each, the shown
    /// variant's value selected) and `variants` (each with its price, availability and link).
    func variantView(_ group: ProductGroup, pageURL: String) -> [String: TemplateValue] {
        let shown = group.defaultVariant
        let options: [TemplateValue] = shown.options.enumerated().map { position, option in
            .object([
                "name": .string(option.name), "id": .string("option-\(position + 1)"), "position": .number(position),
                "values": .list(option.values.map { .object(["value": .string($0), "selected": .bool($0 == shown.optionValues[position])]) }),
            ])
        }
        let variants: [TemplateValue] = group.variants.map { variant in
            var view: [String: TemplateValue] = [
                "sku": .string(variant.sku), "label": .string(variant.chosenOptions.displayText), "url": .string(CatalogFiles.url(of: variant, page: pageURL)),
                "price": .string(variant.price.formatted), "priceMinor": .int(variant.price.minorUnits), "onSale": .bool(variant.isOnSale),
                "inStock": .bool(variant.isInStock), "soldOut": .bool(!variant.isInStock), "shown": .bool(variant.sku == shown.sku),
                "values": .string(JSONValue.array(variant.optionValues.map(JSONValue.string)).text),
            ]
            if variant.isOnSale, let compare = variant.compareAtPrice { view["compareAtPrice"] = .string(compare.formatted) }
            if let image = variant.variantImage, images.isShown(image) { view["image"] = .string(imageURL(image)) }
            if let gtin = variant.gtin { view["gtin"] = .string(gtin) }
            return .object(view)
        }
        return ["hasVariants": .bool(true), "options": .list(options), "variants": .list(variants), "optionsText": .string(shown.chosenOptions.displayText)]
    }
}
