/// Turns parsed content fields into validated products and pages.
enum ProductDecoder {
    /// A product file's products: the product itself, or one per variant when it lists `variants`.
    static func product(
        fields: [ContentField], body: String, bodyLine: Int, slug: String, sourcePath: String, file: String, currency: Currency
    ) -> ([Product], [ContentIssue]) {
        var reader = FieldReader(file: file, fields: fields, known: Product.knownFields, fallbackLine: 1)
        let title = reader.string("title", required: true, maxLength: 300)
        let hasVariants = reader.fields["variants"] != nil || reader.fields["options"] != nil
        var own: Sellable?
        if hasVariants {
            for key in Sellable.perVariantKeys where reader.fields[key] != nil {
                reader.issue(reader.line(of: key), key, "is given per variant when the product has variants: move it into each of them")
            }
        } else {
            own = Sellable.read(from: &reader, currency: currency)
        }
        let lowStock = reader.integer("lowStock", range: ProductRules.stockRange)
        let categories = reader.stringList("categories")
        let tags = reader.stringList("tags")
        for (key, names) in [("categories", categories), ("tags", tags)] {
            for name in names where URLPath.slug(name).isEmpty {
                reader.issue(reader.line(of: key), key, "\"\(name)\" has no letters or digits to make a URL from")
            }
        }
        let images = reader.stringList("images", maxItems: 20)
        for image in images { if let problem = imageURLProblem(image) { reader.issue(reader.line(of: "images"), "images", problem) } }
        let summary = reader.string("summary", maxLength: 500)
        let brand = reader.string("brand", maxLength: 200)
        let date = reader.day("date")
        let saleEnds = reader.day("saleEnds")
        let returnable = reader.bool("returns") ?? true
        let condition: ItemCondition = reader.choice("condition") ?? .new
        let weight = reader.integer("weight", range: -1_000_000_000...1_000_000_000) ?? 0
        let draft = reader.bool("draft") ?? false
        var description = body
        var descriptionLine = bodyLine
        if reader.fields["description"] != nil {
            if !body.trimmingASCIIWhitespace().isEmpty {
                reader.issue(reader.line(of: "description"), "description", "is given both as a field and as the Markdown body")
            }
            description = reader.string("description", maxLength: 200_000) ?? ""
            descriptionLine = reader.line(of: "description")
        }
        let variants = hasVariants ? VariantList.read(from: &reader, currency: currency) : nil
        guard reader.issues.isEmpty, let title else { return ([], reader.issues) }
        func product(_ sellable: Sellable, draft: Bool) -> Product {
            Product(
                slug: slug, sourcePath: sourcePath, title: title, sku: sellable.sku, price: sellable.price, compareAtPrice: sellable.compareAt,
                stock: sellable.stock, lowStock: sellable.lowStock ?? lowStock, categories: categories, tags: tags, images: images, summary: summary,
                brand: brand, gtin: sellable.gtin, date: date, weight: weight, draft: draft, description: description, descriptionLine: descriptionLine
            ).withListing(condition: condition, saleEnds: saleEnds, mpn: sellable.mpn, returnable: returnable)
        }
        if let own { return ([product(own, draft: draft)], []) }
        guard let variants else { return ([], reader.issues) }
        let groupSKU = variants.variants[0].sellable.sku
        let products = variants.variants.enumerated().map { position, variant in
            product(variant.sellable, draft: draft || variant.draft).asVariant(
                options: variants.options, values: variant.values, position: position, groupSKU: groupSKU, image: variant.image,
                weightGrams: variant.weightGrams)
        }
        return (products, [])
    }

    static func page(fields: [ContentField], body: String, bodyLine: Int, slug: String, sourcePath: String, file: String) -> (Page?, [ContentIssue]) {
        var reader = FieldReader(file: file, fields: fields, known: Page.knownFields, fallbackLine: 1)
        let title = reader.string("title", required: true, maxLength: 300)
        let summary = reader.string("summary", maxLength: 500)
        let weight = reader.integer("weight", range: -1_000_000...1_000_000) ?? 0
        let draft = reader.bool("draft") ?? false
        guard reader.issues.isEmpty, let title else { return (nil, reader.issues) }
        return (Page(slug: slug, sourcePath: sourcePath, title: title, summary: summary, weight: weight, draft: draft, body: body, bodyLine: bodyLine), [])
    }

    static func isValidSlug(_ slug: String) -> Bool {
        !slug.isEmpty && slug.count <= 200
            && slug.unicodeScalars.allSatisfy {
                $0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "-" || $0 == "_"
            }
    }

    /// What is wrong with an image URL, when something is (a product's `images`, a variant's `image`).
    static func imageURLProblem(_ url: String) -> String? {
        isAcceptableImageURL(url) ? nil : "\"\(url)\" must be a site path starting with '/' or an https URL"
    }

    static func isAcceptableImageURL(_ url: String) -> Bool {
        if url.hasPrefix("https://") { return !url.contains(where: { $0 == " " || $0 == "\"" || $0 == "<" || $0 == ">" }) }
        return url.hasPrefix("/") && !url.hasPrefix("//") && !url.contains("..")
            && !url.contains(where: { $0 == "\"" || $0 == "<" || $0 == ">" || $0 == "\\" })
    }

    /// GS1 check digit validation.
    static func isValidGTIN(_ gtin: String) -> Bool {
        let digits = gtin.utf8.map { Int($0) - 48 }
        guard [8, 12, 13, 14].contains(digits.count), digits.allSatisfy({ (0...9).contains($0) }) else { return false }
        var sum = 0
        for (offset, digit) in digits.dropLast().reversed().enumerated() {
            sum += digit * (offset % 2 == 0 ? 3 : 1)
        }
        return (10 - sum % 10) % 10 == digits.last!
    }
}
