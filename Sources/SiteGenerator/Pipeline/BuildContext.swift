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

/// One named stage of the build, in the manner of Publish's `PublishingStep`.
struct BuildStep: Sendable {
    let name: String
    let body: @Sendable (inout BuildContext) async throws -> Void

    init(_ name: String, _ body: @escaping @Sendable (inout BuildContext) async throws -> Void) {
        self.name = name
        self.body = body
    }
}

/// Why a build stopped.
public enum BuildError: Error, CustomStringConvertible {
    /// The content is invalid; each problem names its file, line and field.
    case invalidContent(ContentError)
    /// The theme cannot be used.
    case theme(String)
    /// A step ran before the step it depends on (a programming error).
    case stepOrder(String)

    public var description: String {
        switch self {
        case .invalidContent(let error): "invalid content:\n\(error.description)"
        case .theme(let message): "theme: \(message)"
        case .stepOrder(let what): "internal: \(what) was not ready"
        }
    }
}
