import Foundation
import Testing

@testable import SiteGenerator

/// `storefront new`'s starter shop is valid content that builds into a working site with no theme folder.
@Suite(.timeLimit(.minutes(2))) struct StarterShopTests {
    @Test func theStarterShopPassesCheckAndBuild() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("starter-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        try StarterShop.write(into: root.path)
        for (path, _) in StarterShop.files { #expect(FileManager.default.fileExists(atPath: root.appendingPathComponent(path).path), "\(path)") }
        let output = root.appendingPathComponent("public").path
        defer { try? FileManager.default.removeItem(atPath: BuildManifest.location(forOutput: output)) }
        var options = BuildOptions(
            contentDirectory: root.appendingPathComponent("content").path, themeDirectory: root.appendingPathComponent("themes/default").path,
            defaultThemeDirectory: root.appendingPathComponent("themes/default").path, outputDirectory: output,
            siteStatusFile: root.appendingPathComponent("site-status.json").path, checkOnly: true, buildYear: 2026)
        let checked = try await SiteBuilder(options: options).build()
        #expect(checked.products == 2 && checked.warnings.isEmpty, "\(checked.warnings)")
        options.checkOnly = false
        let built = try await SiteBuilder(options: options).build()
        #expect(built.products == 2 && built.warnings.isEmpty, "\(built.warnings)")
        let read = { (path: String) in try String(contentsOfFile: output + "/" + path, encoding: .utf8) }
        let tote = try read("products/canvas-tote/index.html")
        #expect(tote.contains("US$24.00") && tote.contains("US$29.50"))
        #expect(try read("products/enamel-mug/index.html").contains("US$12.99"))
        #expect(try read("pages/about/index.html").contains("About us"))
        let gitignore = try String(contentsOf: root.appendingPathComponent(".gitignore"), encoding: .utf8)
        #expect(gitignore.contains("/public/") && gitignore.contains("/.data/"))
        let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
        for field in ["name", "description", "baseURL", "locale", "currency", "apiURL", "paymentMethods", "shipping", "contact", "pageSize"] {
            #expect(readme.contains("| `\(field)`"), "README.md does not explain \(field)")
        }
    }

    @Test func neverOverwritesAFile() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("starter-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.createDirectory(at: root.appendingPathComponent("content"), withIntermediateDirectories: true)
        try Data("{\"name\": \"mine\"}".utf8).write(to: root.appendingPathComponent("content/store.json"))
        #expect(throws: StarterShop.WriteError.self) { try StarterShop.write(into: root.path) }
        #expect(try String(contentsOf: root.appendingPathComponent("content/store.json"), encoding: .utf8) == "{\"name\": \"mine\"}")
    }
}
