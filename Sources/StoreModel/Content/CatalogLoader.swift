import Foundation

/// Loads and validates a content directory into a `Catalog`.
///
/// Every problem in every file is collected and reported together as a `ContentError`.
/// Files are read and parsed in parallel chunks, one per core.
public struct CatalogLoader: Sendable {
    /// The content directory as the user named it (used in error messages).
    public var contentDirectory: String
    /// How long before a load a file must have been written for its `FileStamp` to be trusted
    /// (see `FileStamp.isSettled(before:window:)`); tests shorten it.
    public var racyWindow: Int64 = FileStamp.racyWindow
    /// Where `load(cacheFile:)` hands the content cache write so that it can return before the
    /// write (a server that wants to be ready sooner runs this queue itself); `nil`, the default for
    /// a command that exits right after loading, writes the cache before returning.
    public var deferredCacheWrites: DeferredWork?

    /// Creates a loader for a content directory.
    public init(contentDirectory: String) {
        self.contentDirectory = contentDirectory
    }

    /// A content file found on disk.
    public struct SourceFile: Sendable, Hashable {
        /// The path relative to the content directory (`products/hass.md`).
        public var relativePath: String
        /// The path to open.
        public var fullPath: String
    }

    /// What a load took from the content cache and what it parsed.
    public struct LoadReport: Sendable {
        /// Product files read and parsed.
        public var parsed = 0
        /// Product files taken from the cache unchanged.
        public var reused = 0
        /// A hash of every product file's path and `FileStamp`: equal for two loads between which no
        /// product file was added, removed or written.
        public var productFilesFingerprint: UInt64 = 0
        /// Product files written so recently that their stamp could still change without a visible
        /// difference; while there are any, the fingerprint must not be trusted.
        public var unsettled = 0
        /// When the load started listing files (`FileStamp.now()`).
        public var scanStart: Int64 = 0
    }

    /// Loads the whole catalog.
    public func load() async throws -> Catalog {
        try await load(cacheFile: nil).catalog
    }

    /// Loads the whole catalog, taking unchanged product files from the `ContentCache` at
    /// `cacheFile` (when given) and writing the cache anew when anything changed.
    public func load(cacheFile: String?) async throws -> (catalog: Catalog, report: LoadReport) {
        var issues: [ContentIssue] = []
        let store: StoreConfig
        switch loadStore() {
        case .success(let config): store = config
        case .failure(let error): throw error
        }
        let scanStart = FileStamp.now()
        // The cache is decoded while the directory is listed and every file is stat-ed.
        async let cached = cacheFile == nil ? nil : ContentCache.read(from: cacheFile!, currency: store.currency)
        let productFiles = try listFiles(in: "products", extensions: ["md", "json"])
        let pageFiles = try listFiles(in: "pages", extensions: ["md"])
        let stamps = await parallelMap(productFiles) { FileStamp(path: $0.fullPath) }
        let cache = await cached

        let loadedProducts = await parallelMap(Array(productFiles.indices)) { index -> ([Product], [ContentIssue], FileStamp?, Bool) in
            let file = productFiles[index]
            let stamp = stamps[index]
            if let stamp, let cached = cache?.products(at: file.relativePath, stamp: stamp, racyWindow: racyWindow) {
                return (cached, [], stamp, true)
            }
            let (products, problems) = self.loadProduct(file, currency: store.currency)
            return (products, problems, stamp, false)
        }
        var products: [Product] = []
        products.reserveCapacity(loadedProducts.count)
        var report = LoadReport()
        report.scanStart = scanStart
        var fingerprint: UInt64 = 0x243F_6A88_85A3_08D3
        var changed: [ContentCache.Entry] = []
        for ((loaded, problems, stamp, reused), file) in zip(loadedProducts, productFiles) {
            if !loaded.isEmpty {
                products.append(contentsOf: loaded)
                if let stamp, !reused { changed.append(.init(relativePath: file.relativePath, stamp: stamp, products: loaded)) }
            }
            issues.append(contentsOf: problems)
            if reused { report.reused += 1 } else { report.parsed += 1 }
            if stamp?.isSettled(before: scanStart, window: racyWindow) != true { report.unsettled += 1 }
            fingerprint = FNV1a.hash64(file.relativePath.utf8, seed: fingerprint)
            (stamp ?? FileStamp(device: 0, inode: 0, size: -1, modified: 0, changed: 0)).hash(into: &fingerprint)
        }
        report.productFilesFingerprint = fingerprint
        var pages: [Page] = []
        for file in pageFiles {
            let (page, problems) = loadPage(file)
            if let page { pages.append(page) }
            issues.append(contentsOf: problems)
        }
        // The catalog indexes products by SKU anyway: when that index has one entry per product and no
        // two neighbours in file order from different files share a slug (`a.json` and `a.md` would be
        // neighbours; one file's variants share theirs), no two files clash, and the search for which
        // ones do is skipped.
        let catalog = issues.isEmpty ? Catalog(store: store, products: products, pages: pages) : nil
        if catalog?.distinctSKUCount != products.count
            || zip(products, products.dropFirst()).contains(where: { $0.slug == $1.slug && $0.sourcePath != $1.sourcePath })
        {
            issues.append(contentsOf: crossFileIssues(products: products, pages: pages))
        }
        guard let catalog, issues.isEmpty else { throw ContentError(issues: issues) }
        if let cacheFile, !changed.isEmpty || cache == nil {
            // A cache that cannot be written only costs the next load its speed.
            let all: @Sendable () -> [ContentCache.Entry] = {
                zip(loadedProducts, productFiles).compactMap { loaded, file -> ContentCache.Entry? in
                    guard !loaded.0.isEmpty, let stamp = loaded.2 else { return nil }
                    return ContentCache.Entry(relativePath: file.relativePath, stamp: stamp, products: loaded.0)
                }
            }
            let currency = store.currency
            let liveCount = loadedProducts.count(where: { !$0.0.isEmpty })
            let changedEntries = changed
            let write: @Sendable () -> Void = {
                try? ContentCache.update(
                    cacheFile, previous: cache, liveCount: liveCount, all: all, changed: changedEntries, scanStart: scanStart, currency: currency)
            }
            if let deferredCacheWrites {
                deferredCacheWrites.schedule(write)
            } else {
                write()
            }
        }
        return (catalog, report)
    }

    /// The display path of a file inside the content directory.
    public func displayPath(_ relativePath: String) -> String {
        contentDirectory.hasSuffix("/") ? contentDirectory + relativePath : contentDirectory + "/" + relativePath
    }

    /// Loads `store.json` or `store.yml`.
    public func loadStore() -> Result<StoreConfig, ContentError> {
        let fm = FileManager.default
        let candidates = ["store.json", "store.yml", "store.yaml"].filter { fm.fileExists(atPath: displayPath($0)) }
        guard let name = candidates.first else {
            return .failure(
                ContentError(issues: [
                    ContentIssue(file: displayPath("store.json"), line: 0, field: nil, message: "is missing: every shop needs store.json or store.yml")
                ]))
        }
        let file = displayPath(name)
        if candidates.count > 1 {
            return .failure(
                ContentError(issues: [ContentIssue(file: file, line: 0, field: nil, message: "both \(candidates.joined(separator: " and ")) exist; keep one")]))
        }
        let text: String
        switch readText(file) {
        case .success(let value): text = value
        case .failure(let issue): return .failure(ContentError(issues: [issue]))
        }
        let fields: [ContentField]
        do throws(ParseProblem) {
            if name.hasSuffix(".json") {
                let root = try ContentJSON.parse(text)
                guard case .map(let members) = root.kind else {
                    return .failure(ContentError(issues: [ContentIssue(file: file, line: root.line, field: nil, message: "must be a JSON object")]))
                }
                fields = members.map { ContentField(key: $0.key, value: $0.value, line: $0.value.line) }
            } else {
                fields = try YamsBridge.parseMapping(text, firstLine: 1)
            }
        } catch {
            return .failure(ContentError(issues: [ContentIssue(file: file, line: error.line, field: nil, message: error.message)]))
        }
        let (config, issues) = StoreConfigDecoder.decode(fields: fields, file: file)
        guard let config else { return .failure(ContentError(issues: issues)) }
        return .success(config)
    }

    /// Lists the files with the given extensions in a folder of the content directory, sorted.
    /// (Read with `readdir`: Foundation's listing cost a tenth of a rebuild at 100,000 files.)
    public func listFiles(in folder: String, extensions: Set<String>) throws -> [SourceFile] {
        let directory = displayPath(folder)
        guard let stream = opendir(directory) else {
            if errno == ENOENT || errno == ENOTDIR { return [] }
            throw CocoaError(.fileReadUnknown, userInfo: [NSFilePathErrorKey: directory])
        }
        defer { closedir(stream) }
        var names: [String] = []
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            guard !name.hasPrefix("."), let dot = name.utf8.lastIndex(of: UInt8(ascii: ".")),
                extensions.contains(String(name[name.index(after: dot)...]))
            else { continue }
            names.append(name)
        }
        return names.sorted().map { SourceFile(relativePath: folder + "/" + $0, fullPath: directory + "/" + $0) }
    }

    /// Reads, parses and validates one product file: its product, or one per variant.
    public func loadProduct(_ file: SourceFile, currency: Currency) -> ([Product], [ContentIssue]) {
        let display = displayPath(file.relativePath)
        let slug = Self.slug(of: file.relativePath)
        guard ProductDecoder.isValidSlug(slug) else {
            return (
                [],
                [
                    ContentIssue(
                        file: display, line: 0, field: nil,
                        message: "the file name \"\(slug)\" must use only letters, digits, '-' and '_' (it becomes the page URL)")
                ]
            )
        }
        let text: String
        switch readText(display) {
        case .success(let value): text = value
        case .failure(let issue): return ([], [issue])
        }
        do throws(ParseProblem) {
            if file.relativePath.hasSuffix(".json") {
                let root = try ContentJSON.parse(text)
                guard case .map(let members) = root.kind else {
                    return ([], [ContentIssue(file: display, line: root.line, field: nil, message: "must be a JSON object")])
                }
                let fields = members.map { ContentField(key: $0.key, value: $0.value, line: $0.value.line) }
                return ProductDecoder.product(
                    fields: fields, body: "", bodyLine: 1, slug: slug, sourcePath: file.relativePath, file: display, currency: currency)
            }
            let document = try FrontMatterParser.parse(text)
            return ProductDecoder.product(
                fields: document.fields, body: document.body, bodyLine: document.bodyLine, slug: slug,
                sourcePath: file.relativePath, file: display, currency: currency)
        } catch {
            return ([], [ContentIssue(file: display, line: error.line, field: nil, message: error.message)])
        }
    }

    /// Reads, parses and validates one page file.
    public func loadPage(_ file: SourceFile) -> (Page?, [ContentIssue]) {
        let display = displayPath(file.relativePath)
        let slug = Self.slug(of: file.relativePath)
        guard ProductDecoder.isValidSlug(slug) else {
            return (nil, [ContentIssue(file: display, line: 0, field: nil, message: "the file name \"\(slug)\" must use only letters, digits, '-' and '_'")])
        }
        switch readText(display) {
        case .failure(let issue): return (nil, [issue])
        case .success(let text):
            do throws(ParseProblem) {
                let document = try FrontMatterParser.parse(text)
                return ProductDecoder.page(
                    fields: document.fields, body: document.body, bodyLine: document.bodyLine, slug: slug, sourcePath: file.relativePath, file: display)
            } catch {
                return (nil, [ContentIssue(file: display, line: error.line, field: nil, message: error.message)])
            }
        }
    }

    /// Problems that involve more than one file.
    func crossFileIssues(products: [Product], pages: [Page]) -> [ContentIssue] {
        var issues: [ContentIssue] = []
        var firstBySKU: [String: Int] = [:]
        var firstBySlug: [String: Int] = [:]
        firstBySKU.reserveCapacity(products.count)
        firstBySlug.reserveCapacity(products.count)
        // Products arrive in file order, so the sort is usually a check; indices avoid copying products.
        var order = Array(products.indices)
        if !products.indices.dropFirst().allSatisfy({ products[$0 - 1].sourcePath <= products[$0].sourcePath }) {
            order.sort { products[$0].sourcePath < products[$1].sourcePath }
        }
        for index in order {
            let product = products[index]
            if let other = firstBySKU[product.sku] {
                issues.append(
                    ContentIssue(
                        file: displayPath(product.sourcePath), line: 0, field: "sku",
                        message: "\"\(product.sku)\" is already used by \(displayPath(products[other].sourcePath))"))
            } else {
                firstBySKU[product.sku] = index
            }
            if let other = firstBySlug[product.slug], products[other].sourcePath != product.sourcePath {
                issues.append(
                    ContentIssue(
                        file: displayPath(product.sourcePath), line: 0, field: nil,
                        message: "has the same page URL as \(displayPath(products[other].sourcePath))"))
            } else if firstBySlug[product.slug] == nil {
                firstBySlug[product.slug] = index
            }
        }
        return issues
    }

    static func slug(of relativePath: String) -> String {
        let name = relativePath.split(separator: "/").last.map(String.init) ?? relativePath
        guard let dot = name.lastIndex(of: ".") else { return name }
        return String(name[..<dot])
    }

    func readText(_ path: String) -> Result<String, ContentIssue> {
        guard let data = FileManager.default.contents(atPath: path) else {
            return .failure(ContentIssue(file: path, line: 0, field: nil, message: "cannot be read"))
        }
        guard let text = String(data: data, encoding: .utf8) else {
            return .failure(ContentIssue(file: path, line: 0, field: nil, message: "is not valid UTF-8 text"))
        }
        return .success(text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text)
    }
}
