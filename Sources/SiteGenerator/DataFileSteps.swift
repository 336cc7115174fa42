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
        async let catalog = DataFiles.catalogJSON(plan)
        async let shards = DataFiles.catalogShards(plan, count: catalogShardCount)
        async let sitemaps: [(String, [UInt8])] = {
            let urls = plan.htmlPaths.filter { ![SitePlan.cartPath, SitePlan.checkoutPath, SitePlan.orderPath].contains($0) }
                .map { store.absoluteURL(base + $0) }
            return DataFiles.sitemaps(urls: urls, limit: sitemapLimit, absolute: { store.absoluteURL(base + "/" + $0) })
        }()
        try output.put("catalog.json", await catalog)
        for (index, shard) in await shards.enumerated() {
            try output.put(String(format: "catalog/%02x.json", index), shard)
        }
        for (name, xml) in await sitemaps {
            try output.put(name, xml)
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
    static func catalogJSON(_ plan: SitePlan) -> [UInt8] {
        let store = plan.store
        let products: [JSONValue] = zip(plan.products, plan.productPaths).map { product, path in
            var members: [(String, JSONValue)] = [
                ("sku", .string(product.sku)),
                ("title", .string(product.title)),
                ("price", .int(product.price.minorUnits)),
                ("priceDecimal", .string(product.price.decimalString)),
                ("currency", .string(store.currency.code)),
                ("url", .string(store.absoluteURL(store.basePath + path))),
                ("availability", .string(product.isInStock ? "InStock" : "OutOfStock")),
            ]
            if let compare = product.compareAtPrice, product.isOnSale { members.append(("compareAtPrice", .int(compare.minorUnits))) }
            return .object(members)
        }
        return JSONValue.object([
            ("version", .string(plan.catalogVersion)),
            ("currency", .string(store.currency.code)),
            ("currencyExponent", .int(Int64(store.currency.exponent))),
            ("products", .array(products)),
        ]).bytes + [0x0A]
    }

    static func catalogShards(_ plan: SitePlan, count: UInt32) -> [[UInt8]] {
        var shards = Array(repeating: [(String, JSONValue)](), count: Int(count))
        let base = plan.store.basePath
        for (product, path) in zip(plan.products, plan.productPaths) {
            var entry: [(String, JSONValue)] = [
                ("title", .string(product.title)),
                ("priceMinor", .int(product.price.minorUnits)),
                ("price", .string(product.price.formatted)),
                ("url", .string(base + path)),
                ("available", .bool(product.isInStock)),
            ]
            if let stock = product.stock { entry.append(("stock", .int(Int64(stock)))) }
            if let image = product.images.first { entry.append(("image", .string(image.hasPrefix("/") ? base + image : image))) }
            shards[Int(FNV1a.hash32(product.sku) % count)].append((product.sku, .object(entry)))
        }
        return shards.map { members in
            JSONValue.object([
                ("version", .string(plan.catalogVersion)),
                ("currency", .string(plan.store.currency.code)),
                ("products", .object(members)),
            ]).bytes + [0x0A]
        }
    }

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
