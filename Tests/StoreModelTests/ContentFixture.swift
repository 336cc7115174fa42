import Foundation

@testable import StoreModel

/// A content directory in a fresh temporary folder, removed by `cleanUp()`.
struct ContentFixture {
    let root: URL
    var content: String { root.appendingPathComponent("content").path }

    init(store: String = ContentFixture.defaultStore) throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("storemodel-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("content/products"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: root.appendingPathComponent("content/pages"), withIntermediateDirectories: true)
        try write("content/store.json", store)
    }

    static let defaultStore = """
        {
          "name": "Test Farm",
          "baseURL": "https://shop.test",
          "locale": "en",
          "currency": "TWD",
          "apiURL": "https://api.shop.test",
          "paymentMethods": ["credit_card", "cash_on_delivery"],
          "shipping": {"flatFee": "150", "freeShippingThreshold": "2000"}
        }
        """

    func write(_ path: String, _ text: String) throws {
        let url = root.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }

    /// Loads the content twice through one content cache file (every stamp trusted at once), so
    /// that the second load reads what the first wrote.
    func loadTwiceThroughTheCache() async throws -> (
        first: (catalog: StoreModel.Catalog, report: CatalogLoader.LoadReport), second: (catalog: StoreModel.Catalog, report: CatalogLoader.LoadReport)
    ) {
        let cacheFile = root.appendingPathComponent("content.cache").path
        var loader = CatalogLoader(contentDirectory: content)
        loader.racyWindow = 0
        let first = try await loader.load(cacheFile: cacheFile)
        try await Task.sleep(for: .milliseconds(20))
        return (first, try await loader.load(cacheFile: cacheFile))
    }

    func cleanUp() { try? FileManager.default.removeItem(at: root) }
}
