import Foundation
import Testing

@testable import SiteGenerator

/// Key pages of the example shop compared byte for byte with reviewed copies in `Golden/`.
/// After an intended change, run with `UPDATE_GOLDEN=1` and review the diff.
@Suite(.timeLimit(.minutes(2))) struct GoldenPageTests {
    static let pages = [
        "index.html", "products/hass/index.html", "products/early-3kg/index.html", "products/leaf-tea/index.html", "pages/shipping/index.html",
        "cart/index.html", "checkout/index.html",
        "order/index.html", "404.html", "search/index.html", "robots.txt", "_headers",
    ]
    static let goldenDirectory = repositoryRoot.appendingPathComponent("Tests/SiteGeneratorTests/Golden")

    @Test func keyPagesMatchTheirGoldenCopies() async throws {
        let workspace = try Workspace.exampleShop()
        defer { workspace.cleanUp() }
        _ = try await workspace.build()
        let update = ProcessInfo.processInfo.environment["UPDATE_GOLDEN"] == "1"
        for page in Self.pages {
            let actual = try workspace.read(page)
            let golden = Self.goldenDirectory.appendingPathComponent(page.replacingOccurrences(of: "/", with: "__"))
            if update {
                try FileManager.default.createDirectory(at: Self.goldenDirectory, withIntermediateDirectories: true)
                try Data(actual.utf8).write(to: golden)
                continue
            }
            let expected = try String(contentsOf: golden, encoding: .utf8)
            #expect(actual == expected, "\(page) differs from \(golden.lastPathComponent); rerun with UPDATE_GOLDEN=1 after reviewing")
        }
    }
}
