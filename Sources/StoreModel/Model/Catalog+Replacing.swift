extension Catalog {
    /// This catalog with one product replaced by a new reading of the same file: what a full load
    /// would give when only that file changed, without sorting or indexing every product again.
    ///
    /// `nil` when the change is not one product's own: no product comes from that file, or the
    /// new reading has another SKU (which may clash with another file's), or the file lists
    /// variants (one file, several products). Load the whole catalog then.
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
}
