import Foundation
import Testing

@testable import SiteGenerator

/// `catalog.json` is written in pieces of products, and an incremental build copies each piece
/// whose products are unchanged from the live file instead of making it again.
@Suite(.timeLimit(.minutes(2))) struct CatalogPiecesTests {
    /// 40 products in 5 pieces of 8; P0 and P1 sort first, so an edit of P1 changes the first piece.
    static func workspace() throws -> Workspace {
        var products: [String: String] = [:]
        for index in 0..<40 { products["p\(index).md"] = BuildBehaviourTests.product("p\(index)", price: "\(100 + index)") }
        return try Workspace.smallShop(products: products)
    }

    static func build(_ workspace: Workspace, clean: Bool = false) async throws -> BuildReport {
        var options = workspace.options(clean: clean)
        options.catalogPieceSize = 8
        return try await SiteBuilder(options: options).build()
    }

    @Test func aPriceEditGivesTheBytesOfAFullBuild() async throws {
        let workspace = try Self.workspace()
        defer { workspace.cleanUp() }
        _ = try await Self.build(workspace)
        try workspace.write("content/products/p1.md", BuildBehaviourTests.product("p1", price: "999"))
        try workspace.write("content/products/p33.md", BuildBehaviourTests.product("p33", price: "5"))
        let report = try await Self.build(workspace)
        #expect(report.writtenPaths.contains("catalog.json"))
        let incremental = try workspace.read("catalog.json")
        #expect(incremental.contains(#""sku":"SKU-P1","title":"P1","price":999,"#))
        _ = try await Self.build(workspace, clean: true)
        #expect(try workspace.read("catalog.json") == incremental)
    }

    @Test func anUnchangedPieceIsCopiedFromTheLiveFile() async throws {
        let workspace = try Self.workspace()
        defer { workspace.cleanUp() }
        _ = try await Self.build(workspace)
        // A mark of the same length in the last piece (P9 sorts last): only a copy of the live
        // file's piece keeps it, a piece made again would not.
        let live = workspace.output + "/catalog.json"
        let marked = try workspace.read("catalog.json").replacingOccurrences(of: #""title":"P9""#, with: #""title":"Q9""#)
        try Data(marked.utf8).write(to: URL(fileURLWithPath: live))
        try workspace.write("content/products/p1.md", BuildBehaviourTests.product("p1", price: "999"))
        _ = try await Self.build(workspace)
        let kept = try workspace.read("catalog.json")
        #expect(kept.contains(#""title":"Q9""#))
        #expect(kept.contains(#""sku":"SKU-P1","title":"P1","price":999,"#))
        // A live file of another length is not the one the manifest describes: every piece is made.
        try Data((kept + " ").utf8).write(to: URL(fileURLWithPath: live))
        try workspace.write("content/products/p1.md", BuildBehaviourTests.product("p1", price: "998"))
        _ = try await Self.build(workspace)
        let made = try workspace.read("catalog.json")
        #expect(!made.contains(#""title":"Q9""#))
        #expect(made.contains(#""title":"P9""#) && made.contains(#""price":998,"#))
    }
}
