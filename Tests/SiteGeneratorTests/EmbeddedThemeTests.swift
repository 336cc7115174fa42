import Foundation
import StoreModel
import Testing

@testable import SiteGenerator

/// The default theme built into the generator: equal to `themes/default`, enough on its own, and
/// overridden file by file by a `themes/default` folder on disk and then by the shop's theme.
@Suite(.timeLimit(.minutes(2))) struct EmbeddedThemeTests {
    /// Every file of `themes/default` that is embedded (templates, partials, e-mails, locales, assets).
    static func themeFilesOnDisk() -> [String: Data] {
        let theme = repositoryRoot.appendingPathComponent("themes/default")
        var files: [String: Data] = [:]
        for folder in ["templates", "emails", "assets", "locales"] {
            let enumerator = FileManager.default.enumerator(atPath: theme.appendingPathComponent(folder).path)
            while let relative = enumerator?.nextObject() as? String {
                let url = theme.appendingPathComponent(folder).appendingPathComponent(relative)
                var isDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue,
                    !relative.split(separator: "/").contains(where: { $0.hasPrefix(".") })
                else { continue }
                files[folder + "/" + relative] = FileManager.default.contents(atPath: url.path)
            }
        }
        return files
    }

    @Test func embeddedCopyEqualsThemesDefault() {
        let disk = Self.themeFilesOnDisk()
        let embedded = EmbeddedTheme.files
        #expect(disk.count > 10)
        let fix = "run scripts/embed-default-theme.py"
        for path in disk.keys.sorted() where embedded[path] != disk[path] {
            Issue.record("themes/default/\(path) is \(embedded[path] == nil ? "not embedded" : "not what is embedded"): \(fix)")
        }
        for path in embedded.keys.sorted() where disk[path] == nil {
            Issue.record("\(path) is embedded but no longer in themes/default: \(fix)")
        }
    }

    /// With no theme folder anywhere, the example shop comes out byte for byte as with `themes/default`.
    @Test func theEmbeddedThemeAloneBuildsTheSameSite() async throws {
        let withFolder = try Workspace.exampleShop()
        let alone = try Workspace.exampleShop()
        defer { withFolder.cleanUp(); alone.cleanUp() }
        _ = try await withFolder.build()
        var options = alone.options()
        let missing = alone.root.appendingPathComponent("themes/default").path
        #expect(!FileManager.default.fileExists(atPath: missing))
        options.themeDirectory = missing
        options.defaultThemeDirectory = missing
        var check = options
        check.checkOnly = true
        let checked = try await SiteBuilder(options: check).build()
        #expect(checked.products > 10)
        _ = try await SiteBuilder(options: options).build()
        let expected = try withFolder.snapshot(), actual = try alone.snapshot()
        #expect(actual.keys.sorted() == expected.keys.sorted())
        for (path, data) in expected where actual[path] != data { Issue.record("\(path) differs without a theme folder") }
    }

    /// The shop's theme wins over a `themes/default` folder on disk, which wins over the embedded theme.
    @Test func overridesGoFileByFile() async throws {
        let workspace = try Workspace.smallShop(
            products: ["mug.md": "---\ntitle: Mug\nsku: MUG-1\nprice: 380\n---\nA mug.\n"],
            pages: ["about.md": "---\ntitle: About\n---\nHello.\n"])
        defer { workspace.cleanUp() }
        try workspace.write("themes/default/templates/page.mustache", "{{<base}}{{$main}}<p>DISK-DEFAULT-PAGE {{content.title}}</p>{{/main}}{{/base}}\n")
        try workspace.write("themes/default/templates/404.mustache", "{{<base}}{{$main}}<p>DISK-DEFAULT-404</p>{{/main}}{{/base}}\n")
        try workspace.write("themes/mine/templates/404.mustache", "{{<base}}{{$main}}<p>MY-THEME-404</p>{{/main}}{{/base}}\n")
        try workspace.write("themes/mine/assets/site.css", "body { color: rebeccapurple; }\n")
        var options = workspace.options()
        options.defaultThemeDirectory = workspace.root.appendingPathComponent("themes/default").path
        options.themeDirectory = workspace.root.appendingPathComponent("themes/mine").path
        _ = try await SiteBuilder(options: options).build()

        #expect(try workspace.read("pages/about/index.html").contains("<p>DISK-DEFAULT-PAGE About</p>"))
        let notFound = try workspace.read("404.html")
        #expect(notFound.contains("MY-THEME-404") && !notFound.contains("DISK-DEFAULT-404"))
        let product = try workspace.read("products/mug/index.html")
        #expect(product.contains("class=\"product\"") && product.contains("NT$380"))  // the embedded product.mustache
        let css = try #require(product.captures(#"href="/assets/(site\.[0-9a-f]+\.css)""#).first)
        #expect(try workspace.read("assets/" + css) == "body { color: rebeccapurple; }\n")
        let js = try #require(product.captures(#"src="/assets/(site\.[0-9a-f]+\.js)""#).first)
        #expect(try workspace.read("assets/" + js).utf8.elementsEqual(EmbeddedTheme.files["assets/site.js"]!))
    }
}
