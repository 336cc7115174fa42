import Foundation
import Logging
import StoreModel

/// The state a build carries from step to step.
struct BuildContext {
    let options: BuildOptions
    let logger: Logger
    let started: ContinuousClock.Instant
    var catalog: Catalog?
    /// What loading took from the content cache.
    var load: CatalogLoader.LoadReport?
    var store: StoreConfig?
    var siteStatus: SiteStatus?
    var siteStatusBytes: Data?
    var theme: Theme?
    var plan: SitePlan?
    var output: OutputTree?
    /// What the image step published (`makeImages`); pages show images through it.
    var images: PublishedImages?
    /// Internal links to check, with the file and line they come from.
    var links: [(source: String, line: Int, url: String, fromPath: String)] = []
    /// Site paths of non-HTML files the build publishes (images, assets, data files).
    var publishedFiles: Set<String> = []
    var report = BuildReport()
    /// `InputFingerprint` of this build's inputs, recorded in the manifest.
    var inputsHash: UInt64 = 0
    /// Set when nothing changed since the last build: the remaining steps are skipped.
    var upToDate = false

    init(options: BuildOptions, logger: Logger) {
        self.options = options
        self.logger = logger
        self.started = .now
    }

    func require<T>(_ value: T?, _ what: String) throws -> T {
        guard let value else { throw BuildError.stepOrder(what) }
        return value
    }
}
