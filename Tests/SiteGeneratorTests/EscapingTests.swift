import Foundation
import Testing

@testable import SiteGenerator

@Suite(.timeLimit(.minutes(2))) struct EscapingTests {
    static let hostileTitle = "</script><script>alert(1)</script>"

    @Test func hostileTitleStaysInertInHTMLAttributesAndJSONLD() async throws {
        let workspace = try Workspace.smallShop(
            products: [
                "evil.md": """
                ---
                title: '\(Self.hostileTitle)'
                sku: EVIL-1
                price: 100
                summary: "\\"><img src=x onerror=alert(2)>"
                categories: ["<b>bold</b>"]
                ---
                Hello <script>alert(3)</script> and <img src=x onerror=alert(4)>.

                [click](javascript:alert(5)) and [ok](/pages/about/)
                """
            ], pages: ["about.md": "---\ntitle: About\n---\nWe grow avocados."])
        defer { workspace.cleanUp() }
        _ = try await workspace.build()
        let html = try workspace.read("products/evil/index.html")
        #expect(!html.contains("<script>alert"), "no script element is opened by content")
        #expect(!html.contains("<img src=x"), "raw HTML in content never reaches the page")
        #expect(!html.contains("javascript:"), "cmark's safe mode drops javascript: links")
        #expect(html.contains("&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;"), "the title is shown as text")
        #expect(html.contains("\\u003c/script\\u003e\\u003cscript\\u003ealert(1)\\u003c/script\\u003e"), "JSON-LD escapes < and >")
        #expect(html.contains("&quot;&gt;&lt;img src=x onerror=alert(2)&gt;"), "attribute values are escaped")
        #expect(html.contains("href=\"/pages/about/\""))
        // Every JSON-LD block still parses and carries the real title.
        for block in html.captures(#"<script type="application/ld\+json">(.*?)</script>"#) {
            let object = try JSONSerialization.jsonObject(with: Data(block.utf8)) as? [String: Any]
            if object?["@type"] as? String == "Product" { #expect(object?["name"] as? String == Self.hostileTitle) }
        }
        let list = try workspace.read("index.html")
        #expect(!list.contains("<script>alert"))
        #expect(!list.contains("<b>bold</b>"))
    }

    @Test func jsonWriterEscapesEverythingThatCouldCloseAScript() {
        #expect(JSONWriter.string("</script>&\u{2028}\"\\\n\u{1}") == #""\u003c/script\u003e\u0026\u2028\"\\\n\u0001""#)
    }

    @Test func markdownSafeModeAndBasePath() {
        let rendered = Markdown.render("<div>x</div>\n\n[a](/pages/faq/) [b](https://x.test) ![i](/images/a.svg) [c](javascript:alert(1))", basePath: "/shop")
        #expect(!rendered.html.contains("<div>"))
        #expect(rendered.html.contains("href=\"/shop/pages/faq/\""))
        #expect(rendered.html.contains("src=\"/shop/images/a.svg\""))
        #expect(rendered.html.contains("href=\"https://x.test\""))
        #expect(!rendered.html.contains("javascript"))
        #expect(rendered.links.map(\.url) == ["/pages/faq/", "https://x.test", "/images/a.svg", "javascript:alert(1)"])
    }
}
