import Foundation
import Logging
import StoreModel
import Synchronization

/// Holds the current catalog and swaps it atomically on reload, so requests in flight keep the
/// catalog they started with and no request is dropped.
///
/// It also remembers the prices of the last few catalog versions, so an order made against an older
/// version is refused only when one of its lines really changed price.
public final class CatalogProvider: Sendable {
    private struct State {
        var catalog: Catalog
        var pricesByVersion: [String: [String: Int64]]
        var versionOrder: [String]
    }

    private let state: Mutex<State>
    private let reloadLock = AsyncLock()
    /// The content directory the catalog is loaded from.
    public let contentDirectory: String
    private let store: any OrderStore
    private let logger: Logger
    /// The parsed-content cache (`ContentCache`) that makes restarts and reloads parse only changed files.
    private let contentCacheFile: String?
    /// Content cache writes, deferred so that a load returns first; `ContentCacheWriteService` runs them.
    let cacheWrites = DeferredWork()
    private static let rememberedVersions = 32

    /// Loads the catalog from `contentDirectory` and adds stock rows for its tracked products.
    /// With `contentCacheFile`, unchanged content files are taken from that cache.
    public init(contentDirectory: String, store: any OrderStore, contentCacheFile: String? = nil, logger: Logger) async throws {
        self.contentDirectory = contentDirectory
        self.store = store
        self.logger = logger
        self.contentCacheFile = contentCacheFile
        let catalog = try await Self.load(contentDirectory, cacheFile: contentCacheFile, cacheWrites: cacheWrites, logger: logger)
        do {
            try await store.seedStock(Self.initialStock(catalog))
        } catch StoreError.databaseUnavailable {
            logger.warning("stock rows will be added once the database is reachable")
        }
        store.setLowStockRules(LowStockRule.rules(for: catalog))
        state = Mutex(State(catalog: catalog, pricesByVersion: [catalog.version: Self.prices(catalog)], versionOrder: [catalog.version]))
        logger.info("catalog loaded", metadata: ["version": "\(catalog.version)", "products": "\(catalog.products.count)"])
        store.coordination?.observeCatalogChanges { [weak self] change in self?.reloadAnnounced(change) }
    }

    /// Adds stock rows for the current catalog's tracked products that have none.
    func seedStock() async throws {
        try await store.seedStock(Self.initialStock(current))
    }

    /// Reloads because another instance announced a catalog change (its admin edit, its `SIGHUP`),
    /// without announcing again.
    private func reloadAnnounced(_ change: CatalogChange) {
        Task {
            do {
                try await reloadLock.withLock { _ = try await self.reloadHoldingLock(change, announce: false) }
            } catch {
                logger.error("catalog reload announced by another instance failed; keeping the previous catalog", metadata: ["error": "\(error)"])
            }
        }
    }

    /// The current catalog.
    public var current: Catalog { state.withLock { $0.catalog } }

    /// The unit price (minor units) of each SKU in a remembered catalog version; `nil` for an unknown version.
    public func prices(version: String) -> [String: Int64]? {
        state.withLock { $0.pricesByVersion[version] }
    }

    /// Reloads the catalog from disk, seeds stock rows for new SKUs, then swaps it in.
    ///
    /// On a content error the current catalog stays in place and the error is thrown.
    @discardableResult
    public func reload() async throws -> Catalog {
        try await reloadLock.withLock { try await self.reloadHoldingLock() }
    }

    /// Runs `body` while no reload runs (used by content edits, which end with their own reload).
    public func withReloadLock<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        try await reloadLock.withLock(body)
    }

    /// Reloads while the caller already holds the reload lock. With `announce`, the other
    /// instances on the database are told first, so they reload theirs while this one does (a
    /// reload that finds nothing changed costs them a reload, and nothing else).
    ///
    /// A `.productFile` change reads that one file into the current catalog (what a full load
    /// would give, in milliseconds instead of a second at 100,000 products); when one file cannot
    /// say (a new file, a changed SKU), the whole catalog is loaded.
    func reloadHoldingLock(_ change: CatalogChange = .all, announce: Bool = true) async throws -> Catalog {
        if announce, let coordination = store.coordination {
            do {
                try await coordination.announceCatalogChange(change)
            } catch {
                logger.error("could not announce the catalog reload to the other instances", metadata: ["error": "\(error)"])
            }
        }
        let catalog: Catalog
        let previous = current
        if case .productFile(let path) = change,
            let (patched, products) = try CatalogLoader(contentDirectory: contentDirectory).reloading(productFile: path, in: previous)
        {
            var newlyCounted: [String: Int] = [:]
            for product in products where previous.product(sku: product.sku)?.stock == nil {
                if let stock = product.stock { newlyCounted[product.sku] = stock }
            }
            if !newlyCounted.isEmpty { try await store.seedStock(newlyCounted) }
            catalog = patched
        } else {
            catalog = try await Self.load(contentDirectory, cacheFile: contentCacheFile, cacheWrites: cacheWrites, logger: logger)
            try await store.seedStock(Self.initialStock(catalog))
        }
        store.setLowStockRules(LowStockRule.rules(for: catalog))
        state.withLock { state in
            state.catalog = catalog
            if state.pricesByVersion[catalog.version] == nil {
                state.pricesByVersion[catalog.version] = Self.prices(catalog)
                state.versionOrder.append(catalog.version)
                while state.versionOrder.count > Self.rememberedVersions {
                    state.pricesByVersion[state.versionOrder.removeFirst()] = nil
                }
            }
        }
        logger.info("catalog reloaded", metadata: ["version": "\(catalog.version)", "products": "\(catalog.products.count)"])
        return catalog
    }

    private static func load(_ directory: String, cacheFile: String?, cacheWrites: DeferredWork, logger: Logger) async throws -> Catalog {
        var loader = CatalogLoader(contentDirectory: directory)
        loader.deferredCacheWrites = cacheWrites  // ready first; the cache only speeds up the next start
        let (catalog, report) = try await loader.load(cacheFile: cacheFile)
        logger.debug("content read", metadata: ["parsed": "\(report.parsed)", "cached": "\(report.reused)"])
        return catalog
    }

    static func initialStock(_ catalog: Catalog) -> [String: Int] {
        catalog.products.reduce(into: [:]) { result, product in
            if let stock = product.stock { result[product.sku] = stock }
        }
    }

    static func prices(_ catalog: Catalog) -> [String: Int64] {
        catalog.products.reduce(into: [:]) { $0[$1.sku] = $1.price.minorUnits }
    }
}
