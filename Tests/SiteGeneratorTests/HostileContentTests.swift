import Foundation
import StoreModel
import Testing

@testable import SiteGenerator

/// Content written to attack the shop's visitors: scripts in every text field, dangerous link
/// schemes in every form Markdown allows, path tricks in tags. Nothing may come out live.
@Suite(.timeLimit(.minutes(2))) struct HostileContentTests {
    static let dangerousLinks = """
        [a](javascript:alert(1)) [b](JaVaScRiPt:alert(2)) [c](jav&#x61;script:alert(3)) [d](vbscript:msgbox(4))
        [e](data:text/html;base64,PHNjcmlwdD5hbGVydCg1KTwvc2NyaXB0Pg==) [f](  javascript:alert(6)) [g](file:///etc/passwd)
        ![h](javascript:alert(8)) <javascript:alert(9)> [i][ref] [j](%6Aavascript:alert(10))

        [ref]: javascript:alert(11)

        <a href="javascript:alert(12)">raw</a> <iframe src="https://evil.example"></iframe> <style>body{display:none}</style>
        <svg onload=alert(13)></svg> <img src=x onerror=alert(14)>
        """

    @Test func scriptsAndDangerousLinksAreNeverEmittedLive() async throws {
        let workspace = try Workspace.smallShop(
            products: [
                "evil.md": """
                ---
                title: "<svg onload=alert(20)>"
                sku: EVIL-2
                price: 100
                summary: "'><script>alert(21)</script>"
                brand: "<iframe src=//evil.example>"
                tags: ["<script>alert(22)</script>", "../../../etc", "a/b"]
                categories: ["\\u202eevil", "x\\"onmouseover=\\"alert(23)"]
                ---
                \(Self.dangerousLinks)
                """
            ],
            pages: ["about.md": "---\ntitle: \"</title><script>alert(24)</script>\"\n---\n\(Self.dangerousLinks)\n"])
        defer { workspace.cleanUp() }
        _ = try await workspace.build()
        let files = try workspace.snapshot()
        #expect(files.keys.allSatisfy { !$0.contains("..") }, "no output escapes the output folder")
        let pages = files.filter { $0.key.hasSuffix(".html") }.mapValues { String(decoding: $0, as: UTF8.self) }
        #expect(pages.count > 5)
        for (path, html) in pages {
            for target in html.captures(#"(?:href|src|action|formaction)\s*=\s*"([^"]*)""#) {
                let lowered = target.lowercased().trimmingCharacters(in: .whitespaces)
                #expect(
                    !lowered.hasPrefix("javascript:") && !lowered.hasPrefix("vbscript:") && !lowered.hasPrefix("data:text") && !lowered.hasPrefix("file:"),
                    "\(path): \(target)")
            }
            #expect(
                html.captures(#"<script(?![^>]*(?:type="application/ld\+json"|src="[^"]*/assets/(?:site|admin)\.[^"/]+\.js"))[^>]*>"#).isEmpty,
                "\(path): only the theme's own scripts and JSON-LD")
            for element in ["<svg", "<iframe", "<style", "<img src=x"] {
                #expect(!html.contains(element), "\(path) contains \(element)")
            }
            // No tag carries an event handler (quoted attribute values, where escaped text lives, are skipped).
            for tag in html.captures(#"(<[a-zA-Z][^>]*>)"#) {
                let outsideQuotes = tag.replacingOccurrences(of: #""[^"]*""#, with: "\"\"", options: .regularExpression)
                #expect(outsideQuotes.range(of: #"\son[a-z]+\s*="#, options: [.regularExpression, .caseInsensitive]) == nil, "\(path): \(tag)")
            }
        }
        let product = try #require(pages["products/evil/index.html"])
        #expect(product.contains("&lt;svg onload=alert(20)&gt;"), "the title is shown as text")
        let about = try #require(pages["pages/about/index.html"])
        #expect(about.contains("&lt;/title&gt;&lt;script&gt;alert(24)&lt;/script&gt;"))
        // JSON-LD carries the hostile strings as inert data that still parses.
        for block in product.captures(#"<script type="application/ld\+json">(.*?)</script>"#) {
            #expect(!block.contains("<"), "JSON-LD never contains a raw <")
            _ = try JSONSerialization.jsonObject(with: Data(block.utf8))
        }
    }

    @Test func hostileShopSettingsAreEscapedOnEveryPage() async throws {
        let workspace = try Workspace.smallShop(products: ["p.md": "---\ntitle: P\nsku: P-1\nprice: 10\n---\nBody\n"])
        defer { workspace.cleanUp() }
        try workspace.write(
            "content/store.json",
            """
            {"name": "</title><script>alert(30)</script>", "description": "\\"><script>alert(31)</script>",
             "baseURL": "https://shop.test", "locale": "en", "currency": "TWD", "apiURL": "https://api.shop.test",
             "paymentMethods": ["cash_on_delivery"], "contact": {"email": "a@b.test\\"><script>alert(32)</script>", "phone": "1", "address": "<b>x</b>"}}
            """)
        try workspace.write("site-status.json", #"{"status": "open", "message": "", "announcement": "<script>alert(33)</script>"}"#)
        _ = try await workspace.build()
        for (path, data) in try workspace.snapshot() where path.hasSuffix(".html") {
            let html = String(decoding: data, as: UTF8.self)
            #expect(!html.contains("<script>alert"), "\(path)")
            #expect(!html.contains("<b>x</b>"), "\(path)")
        }
    }

    @Test func aCategoryWithoutLettersIsRefusedRatherThanMadeAPath() async throws {
        let workspace = try Workspace.smallShop(products: ["dots.md": "---\ntitle: D\nsku: D-1\nprice: 10\ncategories: [\"..\"]\n---\n"])
        defer { workspace.cleanUp() }
        let error = await #expect(throws: (any Error).self) { _ = try await workspace.build() }
        #expect("\(error.map { String(describing: $0) } ?? "")".contains("dots.md:5: categories: \"..\" has no letters or digits"))
    }

    @Test func aJavascriptImageURLInFrontMatterIsRefused() async throws {
        let workspace = try Workspace.smallShop(products: [
            "img.md":
                "---\ntitle: I\nsku: I-1\nprice: 10\nimages: [\"javascript:alert(40)\", \"//evil.example/x.png\", \"/images/../../secret\", \"data:image/svg+xml,<svg onload=alert(41)>\"]\n---\n"
        ])
        defer { workspace.cleanUp() }
        let error = await #expect(throws: (any Error).self) { _ = try await workspace.build() }
        let messages = "\(error.map { String(describing: $0) } ?? "")".split(separator: "\n")
        #expect(messages.filter { $0.contains("img.md:5: images:") }.count == 4, "\(messages)")
        #expect(!FileManager.default.fileExists(atPath: workspace.output + "/products/img/index.html"), "nothing is published")
    }
}
