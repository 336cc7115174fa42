import StoreModel

/// What a build did.
public struct BuildReport: Sendable, CustomStringConvertible {
    /// Published products.
    public var products: Int = 0
    /// Products left out as drafts.
    public var drafts: Int = 0
    /// HTML pages in the site.
    public var pages: Int = 0
    /// Pages rendered through the theme (pages whose inputs had not changed are skipped).
    public var rendered: Int = 0
    /// Product files parsed (the others came unchanged from the content cache).
    public var parsedFiles: Int = 0
    /// Files written (new or changed).
    public var written: Int = 0
    /// Files whose bytes were already right and were left alone.
    public var unchanged: Int = 0
    /// Files removed because their page no longer exists.
    public var removed: Int = 0
    /// Paths written, relative to the output directory (for incremental-build checks).
    public var writtenPaths: [String] = []
    /// Whether every input was as the last build left it, so nothing was rendered or written.
    public var upToDate: Bool = false
    /// Whether the whole output was rebuilt in a fresh directory and swapped in.
    public var fullBuild: Bool = false
    /// Images encoded in this build (the others came from the image cache).
    public var encodedImages: Int = 0
    /// Non-fatal findings, such as a product image that does not exist.
    public var warnings: [String] = []
    /// The catalog version.
    public var catalogVersion: String = ""
    /// Seconds the build took.
    public var seconds: Double = 0

    /// `14 products (1 draft), 42 pages: 42 rendered, 40 files written, 2 unchanged, 0 removed in 0.31 s (…)`
    public var description: String {
        let draftNote = drafts > 0 ? " (\(drafts) draft\(drafts == 1 ? "" : "s") skipped)" : ""
        let time = (seconds * 100).rounded() / 100
        if upToDate {
            return "\(products) products\(draftNote): up to date, 0 files written, \(parsedFiles) product files parsed in \(time) s (catalog \(catalogVersion))"
        }
        return
            "\(products) products\(draftNote), \(pages) pages: \(rendered) rendered, \(written) files written, \(unchanged) unchanged, \(removed) removed, \(encodedImages) images encoded, \(parsedFiles) product files parsed in \(time) s (catalog \(catalogVersion)\(fullBuild ? ", full build" : ""))"
    }
}
