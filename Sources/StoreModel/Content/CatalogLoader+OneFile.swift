extension CatalogLoader {
    /// `catalog` after one product file changed, reading only that file: the same catalog a full
    /// load would give when nothing else changed. Invalid content throws a `ContentError`, as a
    /// load does. `nil` when one file's reading cannot say (the file is gone, is new, names
    /// another SKU, or adds, removes or renames a variant): load the whole catalog then. The
    /// products are the file's new reading: one, or one per variant.
    public func reloading(productFile relativePath: String, in catalog: Catalog) throws(ContentError) -> (catalog: Catalog, products: [Product])? {
        guard relativePath.hasPrefix("products/"), !relativePath.dropFirst("products/".count).contains("/"),
            relativePath.hasSuffix(".md") || relativePath.hasSuffix(".json"),
            FileStamp(path: displayPath(relativePath)) != nil
        else { return nil }
        let (products, issues) = loadProduct(SourceFile(relativePath: relativePath, fullPath: displayPath(relativePath)), currency: catalog.store.currency)
        guard issues.isEmpty else { throw ContentError(issues: issues) }
        return catalog.replacing(file: products).map { ($0, products) }
    }
}
