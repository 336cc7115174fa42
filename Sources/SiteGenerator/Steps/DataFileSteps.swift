import Foundation
import StoreModel

extension BuildSteps {
    /// The number of `catalog/<shard>.json` files the cart reads prices from.
    static let catalogShardCount: UInt32 = 64
    /// URLs per sitemap file (the protocol's limit).
    static let sitemapLimit = 50_000

    static let writeDataFiles = BuildStep("write data files") { context in
        let plan = try context.require(context.plan, "plan")
        let theme = try context.require(context.theme, "theme")
        let output = try context.require(context.output, "output")
        let store = plan.store
        let base = store.basePath
        for asset in theme.assets {
            try output.put("assets/" + asset.hashedName, asset.data)
        }
        try output.put("site-status.json", try context.require(context.siteStatusBytes, "site status"))
        // The three large files are independent: made on both cores at once.
        async let catalog = CatalogFiles.catalogJSON(plan)
        async let shards = CatalogFiles.shards(plan, count: catalogShardCount)
        // The sitemaps change only when pages come or go: their input is the list of URLs.
        let urls = plan.htmlPaths.filter { ![SitePlan.cartPath, SitePlan.checkoutPath, SitePlan.orderPath].contains($0) }
            .map { store.absoluteURL(base + $0) }
        let sitemapHash = urls.reduce(FNV1a.hash64(string: "sitemaps")) { FNV1a.hash64(string: $1 + "\n", seed: $0) }
        let sitemapNames = urls.count > sitemapLimit
            ? (1...(urls.count + sitemapLimit - 1) / sitemapLimit).map { "sitemap-\($0).xml" } + ["sitemap.xml"] : ["sitemap.xml"]
        let sitemapsCurrent = output.areCurrent(sitemapNames, inputHash: sitemapHash)
        async let sitemaps: [(String, [UInt8])] = sitemapsCurrent
            ? [] : DataFiles.sitemaps(urls: urls, limit: sitemapLimit, absolute: { store.absoluteURL(base + "/" + $0) })
        try output.put("catalog.json", await catalog)
        for (index, shard) in await shards.enumerated() {
            try output.put(String(format: "catalog/%02x.json", index), shard)
        }
        for (name, xml) in await sitemaps {
            try output.put(name, xml, inputHash: sitemapHash)
        }
        try output.put("robots.txt", Data(DataFiles.robots(store).utf8))
        try output.put("_headers", Data(DataFiles.headers(store).utf8))
    }

    /// Copies `content/images/` to `/images/` and `content/static/` to the site root.
    static let copyStaticFiles = BuildStep("copy static files") { context in
        let output = try context.require(context.output, "output")
        let fm = FileManager.default
        for (folder, prefix) in [("images", "images/"), ("static", "")] {
            let directory = context.options.contentDirectory + "/" + folder
            guard let enumerator = fm.enumerator(atPath: directory) else { continue }
            while let relative = enumerator.nextObject() as? String {
                let full = directory + "/" + relative
                var isDirectory: ObjCBool = false
                guard fm.fileExists(atPath: full, isDirectory: &isDirectory), !isDirectory.boolValue,
                      !(relative as NSString).lastPathComponent.hasPrefix(".") else { continue }
                guard let data = fm.contents(atPath: full) else { continue }
                try output.put(prefix + relative, data)
            }
        }
    }
}

/// The machine-readable files of the site.
enum DataFiles {
    /// `sitemap.xml`, or a sitemap index with `sitemap-N.xml` files above `limit` URLs.
    static func sitemaps(urls: [String], limit: Int, absolute: (String) -> String) -> [(String, [UInt8])] {
        func urlset(_ urls: ArraySlice<String>) -> [UInt8] {
            var xml = Array("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n".utf8)
            xml.reserveCapacity(urls.count * 64)
            for url in urls {
                xml.append(contentsOf: "<url><loc>".utf8)
                HTMLText.escape(url, into: &xml)
                xml.append(contentsOf: "</loc></url>\n".utf8)
            }
            return xml + Array("</urlset>\n".utf8)
        }
        guard urls.count > limit else { return [("sitemap.xml", urlset(urls[...]))] }
        var files: [(String, [UInt8])] = []
        var index = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n"
        for (number, start) in stride(from: 0, to: urls.count, by: limit).enumerated() {
            let name = "sitemap-\(number + 1).xml"
            files.append((name, urlset(urls[start..<min(start + limit, urls.count)])))
            index += "<sitemap><loc>\(HTMLText.escape(absolute(name)))</loc></sitemap>\n"
        }
        files.append(("sitemap.xml", Array((index + "</sitemapindex>\n").utf8)))
        return files
    }

    static func robots(_ store: StoreConfig) -> String {
        let base = store.basePath
        return """
            User-agent: *
            Allow: \(base)/
            Disallow: \(base)/cart/
            Disallow: \(base)/checkout/
            Disallow: \(base)/order/
            Disallow: \(base)/admin/
            Sitemap: \(store.absoluteURL(base + "/sitemap.xml"))

            """
    }

    /// Cache and security headers in the Cloudflare Pages / Netlify `_headers` format.
    static func headers(_ store: StoreConfig) -> String {
        let base = store.basePath
        let csp = ContentSecurityPolicy.forPages(apiURL: store.apiURL)
        return """
            \(base)/*
              Cache-Control: public, max-age=0, must-revalidate
              Content-Security-Policy: \(csp)
              X-Content-Type-Options: nosniff
              Referrer-Policy: strict-origin-when-cross-origin
              X-Frame-Options: DENY
            \(base)/assets/*
              ! Cache-Control
              Cache-Control: public, max-age=31536000, immutable
            \(base)/site-status.json
              ! Cache-Control
              Cache-Control: public, max-age=15, must-revalidate
            \(base)/catalog.json
              ! Cache-Control
              Cache-Control: public, max-age=60, must-revalidate
            \(base)/catalog/*
              ! Cache-Control
              Cache-Control: public, max-age=60, must-revalidate

            """
    }
}

/// The Content-Security-Policy the theme's pages satisfy: no inline script or style.
public enum ContentSecurityPolicy {
    /// The ECPay checkout hosts the checkout form may post to.
    static let gatewayFormTargets = ["https://payment.ecpay.com.tw", "https://payment-stage.ecpay.com.tw"]

    /// The policy for the storefront's pages given the order API's URL.
    public static func forPages(apiURL: String) -> String {
        var connect = ["'self'"]
        var forms = ["'self'"] + gatewayFormTargets
        if let origin = origin(of: apiURL) {
            connect.append(origin)
            forms.append(origin)
        }
        return [
            "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' https: data:",
            "connect-src \(connect.joined(separator: " "))", "form-action \(forms.joined(separator: " "))",
            "frame-ancestors 'none'", "base-uri 'self'", "object-src 'none'",
        ].joined(separator: "; ")
    }

    static func origin(of url: String) -> String? {
        guard let schemeEnd = url.range(of: "://") else { return nil }
        let rest = url[schemeEnd.upperBound...]
        let host = rest.prefix { $0 != "/" }
        return String(url[..<schemeEnd.upperBound]) + host
    }
}
