import Foundation
import StoreModel
import Testing

@testable import SiteGenerator

/// A rebuild whose inputs all carry the stamps the last build recorded stops early; any change to
/// any kind of input makes it build again.
@Suite(.timeLimit(.minutes(2))) struct UpToDateTests {
    static let products = [
        "a.md": BuildBehaviourTests.product("a", price: "100"),
        "b.md": BuildBehaviourTests.product("b", price: "200", category: "Oil"),
    ]

    /// Builds with stamps trusted as soon as the clock has moved on (the real window is 2 s).
    static func build(_ workspace: Workspace, clean: Bool = false) async throws -> BuildReport {
        try await Task.sleep(for: .milliseconds(20))
        var options = workspace.options(clean: clean)
        options.racyWindow = 0
        return try await SiteBuilder(options: options).build()
    }

    @Test func aRebuildWithNothingChangedParsesAndWritesNothing() async throws {
        let workspace = try Workspace.smallShop(products: Self.products, pages: ["faq.md": "---\ntitle: FAQ\n---\nAsk."])
        defer { workspace.cleanUp() }
        let first = try await Self.build(workspace)
        #expect(first.fullBuild)
        #expect(first.parsedFiles == 2)
        let before = try workspace.snapshot()
        let second = try await Self.build(workspace)
        #expect(second.upToDate)
        #expect(second.parsedFiles == 0, "both products come from the content cache")
        #expect(second.written == 0)
        #expect(second.rendered == 0)
        #expect(second.products == 2)
        #expect("\(second)".contains("up to date"))
        #expect(try workspace.snapshot() == before)
    }

    @Test func everyKindOfInputChangeIsBuilt() async throws {
        let workspace = try Workspace.smallShop(products: Self.products, pages: ["faq.md": "---\ntitle: FAQ\n---\nAsk."])
        defer { workspace.cleanUp() }
        _ = try await Self.build(workspace)
        let changes: [(String, () throws -> Void, () throws -> Bool)] = [
            (
                "product", { try workspace.write("content/products/a.md", BuildBehaviourTests.product("a", price: "555")) },
                { try workspace.read("products/a/index.html").contains("NT$555") }
            ),
            (
                "new product", { try workspace.write("content/products/c.md", BuildBehaviourTests.product("c", price: "300")) },
                { try workspace.read("products/c/index.html").contains("NT$300") }
            ),
            (
                "page", { try workspace.write("content/pages/faq.md", "---\ntitle: FAQ\n---\nAsk us anything.") },
                { try workspace.read("pages/faq/index.html").contains("Ask us anything.") }
            ),
            (
                "store settings",
                {
                    let store = try String(contentsOfFile: workspace.content + "/store.json", encoding: .utf8)
                    try workspace.write("content/store.json", store.replacingOccurrences(of: "Test Farm", with: "Hill Farm"))
                }, { try workspace.read("index.html").contains("Hill Farm") }
            ),
            (
                "site status", { try workspace.write("site-status.json", #"{"status": "closed", "message": "Back soon", "announcement": ""}"#) },
                { try workspace.read("site-status.json").contains("Back soon") }
            ),
            (
                "static file", { try workspace.write("content/static/hello.txt", "hi") },
                { try workspace.read("hello.txt") == "hi" }
            ),
            (
                "removed product", { try FileManager.default.removeItem(atPath: workspace.content + "/products/b.md") },
                { !FileManager.default.fileExists(atPath: workspace.output + "/products/b/index.html") }
            ),
        ]
        for (name, change, isVisible) in changes {
            try change()
            let report = try await Self.build(workspace)
            #expect(!report.upToDate, "after a \(name) change")
            #expect(report.written > 0, "after a \(name) change")
            #expect(try isVisible(), "the \(name) change is in the output")
            #expect(try await Self.build(workspace).upToDate, "and the build after it has nothing to do")
        }
    }

    @Test func aMissingOutputOrCleanBuildIsRebuiltInFull() async throws {
        let workspace = try Workspace.smallShop(products: Self.products)
        defer { workspace.cleanUp() }
        _ = try await Self.build(workspace)
        try FileManager.default.removeItem(atPath: workspace.output)
        let rebuilt = try await Self.build(workspace)
        #expect(!rebuilt.upToDate)
        #expect(rebuilt.fullBuild)
        #expect(FileManager.default.fileExists(atPath: workspace.output + "/products/a/index.html"))
        let clean = try await Self.build(workspace, clean: true)
        #expect(clean.fullBuild)
        #expect(clean.parsedFiles == 2, "--clean does not trust the content cache either")
    }

    @Test func freshlyWrittenFilesAreNotTrusted() async throws {
        let workspace = try Workspace.smallShop(products: Self.products)
        defer { workspace.cleanUp() }
        _ = try await workspace.build()
        let again = try await workspace.build()
        #expect(!again.upToDate, "files written within the racy window may still change without a new stamp")
        #expect(again.parsedFiles == 2)
    }
}
