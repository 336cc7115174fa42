import Foundation
import Logging
import OrderService
import SiteGenerator
import Synchronization

/// Builds the shop into the served directory, one build at a time, and tells the API and the open
/// pages about the result. A failed build leaves the last good site in place.
actor SiteRebuilder {
    private let options: BuildOptions
    private let hub: LiveReloadHub
    private let headers: Mutex<HeaderRules>
    private let logger: Logger
    private var api: OrderAPI?

    init(configuration: ShopServerConfiguration, hub: LiveReloadHub, logger: Logger) {
        options = BuildOptions(
            contentDirectory: configuration.contentDirectory, themeDirectory: configuration.themeDirectory,
            defaultThemeDirectory: configuration.defaultThemeDirectory, outputDirectory: configuration.outputDirectory,
            siteStatusFile: configuration.siteStatusPath, baseURL: configuration.shopURL, apiURL: ShopServerConfiguration.apiPrefix)
        self.hub = hub
        self.logger = logger
        headers = Mutex(HeaderRules())
    }

    /// The API whose catalog follows the content after each good build.
    func attach(_ api: OrderAPI) {
        self.api = api
    }

    /// The CDN headers of the last good build, for `path`.
    nonisolated func headers(forPath path: String) -> [(name: String, value: String)] {
        headers.withLock { $0.headers(forPath: path) }
    }

    /// Builds incrementally. Returns the report, or `nil` when the build failed (already reported).
    @discardableResult
    func build(reason: String) async -> BuildReport? {
        do {
            let report = try await SiteBuilder(options: options, logger: logger).build()
            loadHeaders()
            for warning in report.warnings.prefix(20) { logger.warning("\(warning)") }
            logger.info("built the shop (\(reason)): \(report)")
            if let api {
                do { try await api.reloadCatalog() } catch { logger.error("the order API kept its previous catalog: \(error)") }
            }
            hub.publish(.reload)
            return report
        } catch {
            logger.error("build failed (\(reason)); still serving the last good build:\n\(error)")
            hub.publish(.buildFailed("\(error)"))
            return nil
        }
    }

    /// Whether a previous build left a site to serve.
    nonisolated var hasSite: Bool {
        FileManager.default.fileExists(atPath: options.outputDirectory + "/index.html")
    }

    private func loadHeaders() {
        let text = (try? String(contentsOfFile: options.outputDirectory + "/_headers", encoding: .utf8)) ?? ""
        headers.withLock { $0 = HeaderRules(text: text) }
    }

    /// Reads the headers of a site left by an earlier run (when the first build fails).
    func loadExistingHeaders() {
        loadHeaders()
    }
}
