import Foundation
import Testing

@testable import SiteGenerator

/// Builds the example shop and checks the site as a crawler and a shopper's browser would see it.
@Suite(.timeLimit(.minutes(2))) struct WholeSiteTests {
    @Test func exampleShopIsCompleteConsistentAndLinked() async throws {
        let workspace = try Workspace.exampleShop()
        defer { workspace.cleanUp() }
        let report = try await workspace.build()
        #expect(report.products >= 10)
        let files = try workspace.snapshot()
        // The owner's admin page is published but is not part of the shop: no links to it, not
        // indexable, not in the sitemap.
        let adminPage = String(decoding: try #require(files["admin/index.html"], "the admin page is published"), as: UTF8.self)
        #expect(adminPage.contains("<meta name=\"robots\" content=\"noindex, nofollow\">"))
        #expect(
            adminPage.contains("<script src=\"/assets/admin.") && !adminPage.contains("<script src=\"/assets/site."), "the admin page runs its own script only")
        let htmlFiles = files.keys.filter { $0.hasSuffix(".html") && $0 != "admin/index.html" }
        #expect(htmlFiles.count == report.pages)
        for path in htmlFiles {
            #expect(!String(decoding: files[path]!, as: UTF8.self).contains("href=\"/admin/"), "\(path) does not link the admin page")
        }
        for required in [
            "index.html", "cart/index.html", "checkout/index.html", "order/index.html", "404.html", "catalog.json", "sitemap.xml", "robots.txt", "_headers",
            "site-status.json",
        ] {
            #expect(files[required] != nil, "\(required) is published")
        }

        // Every internal href and src resolves to a published file.
        var broken: [String] = []
        for path in htmlFiles {
            let html = String(decoding: files[path]!, as: UTF8.self)
            for url in html.captures(#"(?:href|src)="([^"]*)""#) where url.hasPrefix("/") && !url.hasPrefix("//") {
                let clean = String(url.prefix { $0 != "?" && $0 != "#" })
                let decoded = (clean.removingPercentEncoding ?? clean).replacingOccurrences(of: "&amp;", with: "&")
                let target = decoded.hasSuffix("/") ? String(decoded.dropFirst()) + "index.html" : String(decoded.dropFirst())
                if files[target] == nil { broken.append("\(path) -> \(url)") }
            }
        }
        #expect(broken.isEmpty, "broken links: \(broken)")

        // The sitemap lists every indexable page, and nothing else.
        let sitemap = String(decoding: files["sitemap.xml"]!, as: UTF8.self)
        let listed = Set(sitemap.captures("<loc>https://shop.example.tw/([^<]*)</loc>").map { ($0.removingPercentEncoding ?? $0) })
        let indexable = Set(
            htmlFiles.filter { path in
                !String(decoding: files[path]!, as: UTF8.self).contains("<meta name=\"robots\" content=\"noindex\">")
            }.map { $0 == "index.html" ? "" : $0.replacingOccurrences(of: "index.html", with: "") })
        #expect(listed == indexable)
        #expect(!listed.contains("cart/"))
        #expect(!listed.contains("admin/"))

        // JSON-LD parses, and each Product's price (each variant's, for a ProductGroup) equals catalog.json's.
        let catalog = try JSONSerialization.jsonObject(with: files["catalog.json"]!) as! [String: Any]
        let catalogVersion = catalog["version"] as! String
        var priceBySKU: [String: String] = [:]
        for entry in catalog["products"] as! [[String: Any]] { priceBySKU[entry["sku"] as! String] = entry["priceDecimal"] as? String }
        var productPages = 0
        var skusOnPages = 0
        for path in htmlFiles {
            let html = String(decoding: files[path]!, as: UTF8.self)
            #expect(html.contains("<meta name=\"catalog-version\" content=\"\(catalogVersion)\">"), "\(path) carries the catalog version")
            #expect(html.contains("<html lang=\"zh-TW\">"))
            let blocks = html.captures(#"<script type="application/ld\+json">(.*?)</script>"#)
            let objects = try blocks.map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
            let products = objects.filter { $0["@type"] as? String == "Product" || $0["@type"] as? String == "ProductGroup" }
            if path.hasPrefix("products/") {
                productPages += 1
                let product = try #require(products.first, "\(path) has Product or ProductGroup JSON-LD")
                // A product with options: each variant is a Product of its own with its offer.
                let variants = product["@type"] as? String == "ProductGroup" ? product["hasVariant"] as! [[String: Any]] : [product]
                #expect(!variants.isEmpty)
                for variant in variants {
                    skusOnPages += 1
                    let offer = variant["offers"] as! [String: Any]
                    let sku = variant["sku"] as! String
                    #expect(offer["price"] as? String == priceBySKU[sku], "\(sku): JSON-LD price equals catalog.json")
                    #expect(offer["priceCurrency"] as? String == "TWD")
                    #expect((offer["url"] as? String)?.hasPrefix("https://shop.example.tw/products/") == true)
                }
                #expect(objects.contains { $0["@type"] as? String == "BreadcrumbList" })
                #expect(html.contains("<link rel=\"canonical\" href=\"https://shop.example.tw/\(path.replacingOccurrences(of: "index.html", with: ""))\">"))
                #expect(html.contains("property=\"og:type\" content=\"product\""))
                #expect(html.contains("product:price:amount"))
            } else {
                #expect(products.isEmpty, "\(path): listing and other pages carry no Product markup")
            }
        }
        #expect(productPages == report.products)
        #expect(priceBySKU.count == skusOnPages, "catalog.json lists every SKU of every product page")
        #expect(skusOnPages > productPages, "the example shop has a product with variants")

        // Hashed assets and their cache headers.
        let headers = String(decoding: files["_headers"]!, as: UTF8.self)
        #expect(headers.contains("/assets/*\n  ! Cache-Control\n  Cache-Control: public, max-age=31536000, immutable"))
        #expect(files.keys.contains { $0.range(of: #"^assets/site\.[0-9a-f]{10}\.css$"#, options: .regularExpression) != nil })
        #expect(String(decoding: files["robots.txt"]!, as: UTF8.self).contains("Sitemap: https://shop.example.tw/sitemap.xml"))
    }

    @Test func productInformationIsInTheHTMLWithoutJavaScript() async throws {
        let workspace = try Workspace.exampleShop()
        defer { workspace.cleanUp() }
        _ = try await workspace.build()
        let html = try workspace.read("products/hass/index.html")
        let text = html.replacingOccurrences(of: "<script[^>]*>.*?</script>", with: "", options: .regularExpression)
        #expect(text.contains("NT$1,080"))
        #expect(text.contains("NT$1,200"), "the sale strikethrough price")
        let soldOut = try workspace.read("products/early-3kg/index.html")
        #expect(soldOut.contains("disabled"), "the add-to-cart button of a sold-out product is disabled")
        #expect(soldOut.contains("OutOfStock"))
    }

    @Test func checkValidatesWithoutWriting() async throws {
        let workspace = try Workspace.exampleShop()
        defer { workspace.cleanUp() }
        let report = try await SiteBuilder(options: workspace.options(checkOnly: true)).build()
        #expect(report.products >= 10)
        #expect(!FileManager.default.fileExists(atPath: workspace.output))
    }
}
