import Foundation

@testable import SiteGenerator

/// The repository root, found from this file's path.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// A scratch folder with a copy of the example shop (or a small shop written by the test).
struct Workspace {
    let root: URL
    var content: String { root.appendingPathComponent("content").path }
    var output: String { root.appendingPathComponent("public").path }
    var siteStatus: String { root.appendingPathComponent("site-status.json").path }
    var theme: String { repositoryRoot.appendingPathComponent("themes/default").path }

    /// A copy of the example shop's content and site status.
    static func exampleShop() throws -> Workspace {
        let workspace = try Workspace(empty: ())
        try FileManager.default.copyItem(at: repositoryRoot.appendingPathComponent("content"), to: workspace.root.appendingPathComponent("content"))
        try FileManager.default.copyItem(
            at: repositoryRoot.appendingPathComponent("site-status.json"), to: workspace.root.appendingPathComponent("site-status.json"))
        return workspace
    }

    /// A small English shop with the given product files.
    static func smallShop(products: [String: String], pages: [String: String] = [:]) throws -> Workspace {
        let workspace = try Workspace(empty: ())
        try workspace.write(
            "content/store.json",
            """
            {"name": "Test Farm", "baseURL": "https://shop.test", "locale": "en", "currency": "TWD",
             "apiURL": "https://api.shop.test", "paymentMethods": ["credit_card", "cash_on_delivery"],
             "shipping": {"flatFee": "150", "freeShippingThreshold": "2000"}}
            """)
        try workspace.write("site-status.json", #"{"status": "open", "message": "", "announcement": ""}"#)
        for (name, text) in products { try workspace.write("content/products/\(name)", text) }
        for (name, text) in pages { try workspace.write("content/pages/\(name)", text) }
        return workspace
    }

    private init(empty: Void) throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("sitegen-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    func write(_ path: String, _ text: String) throws {
        let url = root.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }

    func read(_ path: String) throws -> String {
        try String(contentsOf: URL(fileURLWithPath: output).appendingPathComponent(path), encoding: .utf8)
    }

    /// Options for this workspace. Input stamps are not trusted for an hour, so every build goes
    /// through the incremental machinery (the up-to-date shortcut has its own tests) however slowly
    /// the tests run.
    func options(clean: Bool = false, checkOnly: Bool = false) -> BuildOptions {
        var options = BuildOptions(
            contentDirectory: content, themeDirectory: theme, defaultThemeDirectory: theme, outputDirectory: output, siteStatusFile: siteStatus, clean: clean,
            checkOnly: checkOnly, buildYear: 2026)
        options.racyWindow = 3_600_000_000_000
        return options
    }

    func build(clean: Bool = false) async throws -> BuildReport {
        try await SiteBuilder(options: options(clean: clean)).build()
    }

    /// Every file under the output, relative path to bytes.
    func snapshot() throws -> [String: Data] {
        var files: [String: Data] = [:]
        let base = URL(fileURLWithPath: output)
        guard let enumerator = FileManager.default.enumerator(atPath: output) else { return [:] }
        while let relative = enumerator.nextObject() as? String {
            var isDirectory: ObjCBool = false
            let full = base.appendingPathComponent(relative).path
            if FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory), !isDirectory.boolValue {
                files[relative] = FileManager.default.contents(atPath: full)
            }
        }
        return files
    }

    func cleanUp() {
        try? FileManager.default.removeItem(at: root)
        try? FileManager.default.removeItem(atPath: BuildManifest.location(forOutput: output))
    }
}

extension String {
    /// Every capture of the first group of `pattern`, or every whole match when it has no group.
    func captures(_ pattern: String) -> [String] {
        let regex = try! NSRegularExpression(pattern: pattern, options: [.dotMatchesLineSeparators])
        let group = regex.numberOfCaptureGroups > 0 ? 1 : 0
        return regex.matches(in: self, range: NSRange(startIndex..., in: self)).compactMap { match in
            Range(match.range(at: group), in: self).map { String(self[$0]) }
        }
    }
}
