extension Catalog {
    /// This catalog with one product replaced by a new reading of the same file: what a full load
    /// would give when only that file changed, without sorting or indexing every product again.
    ///
    /// `nil` when the change is not one product's own: no product comes from that file, or the
    /// new reading has another SKU (which may clash with another file's). Load the whole catalog then.
    public func replacing(_ product: Product) -> Catalog? {
        guard let offset = indexBySKU[product.sku], products[offset].sourcePath == product.sourcePath,
            !product.isVariant, !products[offset].isVariant
        else { return nil }
        var updated = products
        updated[offset] = product
        let old = products[offset]
        if (old.weight, old.title) == (product.weight, product.title) {
            return Catalog(store: store, sortedProducts: updated, pages: pages, indexBySKU: indexBySKU, skuOrder: skuOrder)
        }
        // The display order moved: sort again, as a load would.
        return Catalog(store: store, products: updated, pages: pages)
    }

    /// This catalog with one file's products (a product without options, or every variant of one
    /// with options) replaced by a new reading of that file: what a full load would give.
    ///
    /// `nil` unless the new reading has exactly the SKUs the file had, each from that file: a
    /// variant added, removed or renamed may clash with another file. Load the whole catalog then.
    public func replacing(file reading: [Product]) -> Catalog? {
        guard let first = reading.first else { return nil }
        guard first.isVariant else { return reading.count == 1 ? replacing(first) : nil }
        // One file's variants sit together in display order (they share weight, title and groupSKU).
        var offsets: [Int] = []
        for product in reading {
            guard let offset = indexBySKU[product.sku], products[offset].sourcePath == product.sourcePath, products[offset].isVariant
            else { return nil }
            offsets.append(offset)
        }
        guard let low = offsets.min(), let high = offsets.max(), high - low + 1 == reading.count, Set(offsets).count == reading.count,
            low == 0 || products[low - 1].sourcePath != first.sourcePath,
            high == products.count - 1 || products[high + 1].sourcePath != first.sourcePath
        else { return nil }
        var updated = products
        var sameOrder = true
        for (product, offset) in zip(reading, offsets) {
            let old = products[offset]
            sameOrder =
                sameOrder
                && (old.weight, old.title, old.groupSKU, old.variantPosition) == (product.weight, product.title, product.groupSKU, product.variantPosition)
            updated[offset] = product
        }
        if sameOrder {
            return Catalog(store: store, sortedProducts: updated, pages: pages, indexBySKU: indexBySKU, skuOrder: skuOrder)
        }
        return Catalog(store: store, products: updated, pages: pages)
    }
}
