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

    /// Product groups per piece of `catalog.json`.
    static let catalogPieceSize = 2048

    /// `catalog.json` in pieces, to be written one after another (`OutputTree.put(_:pieces:)`): a
    /// head with the catalog's version, one piece per 2,048 products, and the tail. A piece whose
    /// products, page paths, currency and place are those of a piece in `kept` (the live file's,
    /// `OutputTree.keptPieces`) is kept from the live file rather than made again, so a one-price
    /// edit makes one piece of 78 MB at 270,000 SKUs.
    static func catalogJSON(
        _ plan: SitePlan, kept: [(piece: BuildManifest.Piece, offset: Int)], pieceSize: Int = catalogPieceSize
    ) async -> [OutputTree.Piece] {
        let store = plan.store
        let currency = store.currency.code
        let prefix = store.absoluteURL(store.basePath)
        let starts = Array(stride(from: 0, to: plan.groups.count, by: pieceSize))
        let keepable = kept.count == starts.count + 2
        let chunks = await parallelMap(Array(starts.enumerated()), parallelFrom: 2) { chunk, start -> OutputTree.Piece in
            let end = min(start + pieceSize, plan.groups.count)
            var hasher = FieldHasher()
            hasher.combine("catalog.json piece 1")  // the format: a change here makes every piece again
            hasher.combine(Int64(pieceSize))
            hasher.combine(prefix)
            hasher.combine(currency)
            hasher.combine(Int64(start))
            for index in start..<end {
                hasher.combine(plan.productPaths[index])
                for product in plan.groups[index].variants { hasher.combine(Int64(bitPattern: product.fingerprint)) }
            }
            let inputHash = hasher.value
            if keepable, kept[chunk + 1].piece.inputHash == inputHash {
                return .kept(kept[chunk + 1].piece, offset: kept[chunk + 1].offset)
            }
            var out: [UInt8] = []
            out.reserveCapacity(pieceSize * 260)
            for index in start..<end {
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
            return .made(out, inputHash: inputHash)
        }
        var head: [UInt8] = []
        head.reserveCapacity(256)
        head.key("version", first: true)
        JSONWriter.string(plan.catalogVersion, into: &head)
        head.key("currency")
        JSONWriter.string(currency, into: &head)
        head.key("currencyExponent")
        head.integer(Int64(store.currency.exponent))
        head.key("products")
        head.append(UInt8(ascii: "["))
        return [.made(head, inputHash: 0)] + chunks + [.made(Array("]}\n".utf8), inputHash: 0)]
    }

    /// The price shards' members, as (group, variant) offsets into the plan in catalog order, with a
    /// hash of what each shard is made from (its products' fingerprints and page paths, the base
    /// path and the currency). A shard whose hash is unchanged has unchanged bytes and is not made
    /// again. One pass, and no product is copied: this runs on every build.
    static func shardMembers(_ plan: SitePlan, count: UInt32) -> [(members: [(group: Int, variant: Int)], inputHash: UInt64)] {
        var members = Array(repeating: [(group: Int, variant: Int)](), count: Int(count))
        var start = FieldHasher()
        start.combine("catalog shard 3")  // the shard's format: a change here makes every shard again
        start.combine(plan.store.basePath)
        start.combine(plan.store.currency.code)
        var hashers = Array(repeating: start, count: Int(count))
        for (index, group) in plan.groups.enumerated() {
            var path = FieldHasher()
            path.combine(plan.productPaths[index])
            for (position, product) in group.variants.enumerated() {
                let shard = Int(FNV1a.hash32(product.sku) % count)
                members[shard].append((index, position))
                hashers[shard].combine(Int64(bitPattern: product.fingerprint))
                hashers[shard].combine(Int64(bitPattern: path.value))
            }
        }
        return zip(members, hashers).map { ($0, $1.value) }
    }

    /// One price shard. Its `version` is a hash of its own products, not the catalog's version: a
    /// one-price edit then changes one shard, and the others stay as they are.
    static func shard(_ members: [(group: Int, variant: Int)], plan: SitePlan) -> [UInt8] {
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
    private static func shardProducts(_ members: [(group: Int, variant: Int)], plan: SitePlan, base: String) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(members.count * 220 + 2)
        out.append(UInt8(ascii: "{"))
        for (position, (index, variant)) in members.enumerated() {
            let product = plan.groups[index].variants[variant]
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
