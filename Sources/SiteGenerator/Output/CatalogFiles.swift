import StoreModel

/// `catalog.json` and the `catalog/<shard>.json` price files of the cart, written straight into
/// bytes (no value tree per product) in chunks on every core. Members keep the order the JSON
/// schema of these files has always had, so the bytes are those `JSONValue` would write. Both
/// list every SKU: a product with options once per variant, with its product's slug and its
/// option values after the members every product has.
enum CatalogFiles {
    /// A variant's own address: its product page with `?variant=SKU` (SKUs need no escaping).
    static func url(of product: Product, page: String) -> String {
        product.isVariant ? page + "?variant=" + product.sku : page
    }

    /// `catalog.json` in pieces, to be written one after another (`OutputTree.put(_:pieces:)`).
    static func catalogJSON(_ plan: SitePlan) async -> [[UInt8]] {
        let store = plan.store
        let currency = store.currency.code
        let prefix = store.absoluteURL(store.basePath)
        let chunks = await parallelMap(Array(stride(from: 0, to: plan.groups.count, by: 2048)), parallelFrom: 2) { start -> [UInt8] in
            var out: [UInt8] = []
            out.reserveCapacity(2048 * 260)
            for index in start..<min(start + 2048, plan.groups.count) {
                let page = prefix + plan.productPaths[index]  // once per product, not per variant
                for product in plan.groups[index].variants {
                    if !out.isEmpty || index > 0 { out.append(UInt8(ascii: ",")) }
                    out.key("sku", first: true)
                    JSONWriter.string(product.sku, into: &out)
                    out.key("title")
                    JSONWriter.string(product.title, into: &out)
                    out.key("price")
                    out.integer(product.price.minorUnits)
                    out.key("priceDecimal")
                    JSONWriter.string(product.price.decimalString, into: &out)
                    out.key("currency")
                    JSONWriter.string(currency, into: &out)
                    out.key("url")
                    JSONWriter.string(url(of: product, page: page), into: &out)
                    out.key("availability")
                    JSONWriter.string(product.isInStock ? "InStock" : "OutOfStock", into: &out)
                    if let compare = product.compareAtPrice, product.isOnSale {
                        out.key("compareAtPrice")
                        out.integer(compare.minorUnits)
                    }
                    if product.isVariant {
                        out.key("product")
                        JSONWriter.string(product.slug, into: &out)
                        out.key("options")
                        out.append(UInt8(ascii: "{"))
                        // The options and this variant's values, without a `ChosenOption` list per variant.
                        for (position, (option, value)) in zip(product.options, product.optionValues).enumerated() {
                            if position > 0 { out.append(UInt8(ascii: ",")) }
                            JSONWriter.string(option.name, into: &out)
                            out.append(UInt8(ascii: ":"))
                            JSONWriter.string(value, into: &out)
                        }
                        out.append(UInt8(ascii: "}"))
                    }
                    out.append(UInt8(ascii: "}"))
                }
            }
            return out
        }
        var out: [UInt8] = []
        out.reserveCapacity(256)
        out.key("version", first: true)
        JSONWriter.string(plan.catalogVersion, into: &out)
        out.key("currency")
        JSONWriter.string(currency, into: &out)
        out.key("currencyExponent")
        out.integer(Int64(store.currency.exponent))
        out.key("products")
        out.append(UInt8(ascii: "["))
        return [out] + chunks + [Array("]}\n".utf8)]
    }

    /// The price shards' members: each shard's products in catalog order, with a hash of what the
    /// shard is made from (its products' fingerprints and paths, the base path and the currency).
    /// A shard whose hash is unchanged has unchanged bytes and is not made again.
    static func shardMembers(_ plan: SitePlan, count: UInt32) -> [(products: [(Int, Product)], inputHash: UInt64)] {
        var members = Array(repeating: [(Int, Product)](), count: Int(count))
        for (index, group) in plan.groups.enumerated() {
            for product in group.variants { members[Int(FNV1a.hash32(product.sku) % count)].append((index, product)) }
        }
        return members.map { products in
            var hasher = FieldHasher()
            hasher.combine("catalog shard 2")  // the shard's format: a change here makes every shard again
            hasher.combine(plan.store.basePath)
            hasher.combine(plan.store.currency.code)
            for (index, product) in products {
                hasher.combine(Int64(bitPattern: product.fingerprint))
                hasher.combine(plan.productPaths[index])
            }
            return (products, hasher.value)
        }
    }

    /// One price shard. Its `version` is a hash of its own products, not the catalog's version: a
    /// one-price edit then changes one shard, and the others stay as they are.
    static func shard(_ members: [(Int, Product)], plan: SitePlan) -> [UInt8] {
        let products = shardProducts(members, plan: plan, base: plan.store.basePath)
        var out: [UInt8] = []
        out.reserveCapacity(products.count + 96)
        out.key("version", first: true)
        JSONWriter.string(String(FNV1a.hex(products.withUnsafeBytes(WordHash.hash)).prefix(12)), into: &out)  // as the catalog's version reads
        out.key("currency")
        JSONWriter.string(plan.store.currency.code, into: &out)
        out.key("products")
        out.append(contentsOf: products)
        out.append(contentsOf: "}\n".utf8)
        return out
    }

    /// A shard's `products` object: `{"<sku>":{title, priceMinor, price, url, available, …},…}`.
    private static func shardProducts(_ indices: [(Int, Product)], plan: SitePlan, base: String) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(indices.count * 220 + 2)
        out.append(UInt8(ascii: "{"))
        for (position, (index, product)) in indices.enumerated() {
            if position > 0 { out.append(UInt8(ascii: ",")) }
            JSONWriter.string(product.sku, into: &out)
            out.append(contentsOf: ":{".utf8)
            JSONWriter.string("title", into: &out)
            out.append(UInt8(ascii: ":"))
            JSONWriter.string(product.title, into: &out)
            out.key("priceMinor")
            out.integer(product.price.minorUnits)
            out.key("price")
            JSONWriter.string(product.price.formatted, into: &out)
            out.key("url")
            JSONWriter.string(url(of: product, page: base + plan.productPaths[index]), into: &out)
            out.key("available")
            out.append(contentsOf: (product.isInStock ? "true" : "false").utf8)
            if let stock = product.stock {
                out.key("stock")
                out.integer(Int64(stock))
            }
            if let image = product.primaryImage {
                out.key("image")
                JSONWriter.string(image.hasPrefix("/") ? base + image : image, into: &out)
            }
            if product.isVariant {
                // What the cart shows under the title: `3 公斤 / 紅`.
                out.key("options")
                JSONWriter.string(product.chosenOptions.displayText, into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
        out.append(UInt8(ascii: "}"))
        return out
    }
}

private extension Array where Element == UInt8 {
    /// Appends `"key":`, preceded by `{` for the first member of an object and `,` otherwise.
    mutating func key(_ name: StaticString, first: Bool = false) {
        append(first ? UInt8(ascii: "{") : UInt8(ascii: ","))
        append(UInt8(ascii: "\""))
        append(contentsOf: UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
        append(contentsOf: "\":".utf8)
    }

    /// Appends a decimal integer.
    mutating func integer(_ value: Int64) {
        append(contentsOf: String(value).utf8)
    }
}
