import Foundation
import StoreModel

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
            \(base)/search/manifest.json
              ! Cache-Control
              Cache-Control: public, max-age=60, must-revalidate
            \(base)/search/x/*
              ! Cache-Control
              Cache-Control: public, max-age=31536000, immutable

            """
    }
}
