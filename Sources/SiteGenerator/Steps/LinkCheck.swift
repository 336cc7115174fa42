import Foundation
import StoreModel

extension BuildContext {
    mutating func addLinks(_ links: [Markdown.Link], source: String, firstLine: Int, fromPath: String) {
        for link in links {
            self.links.append((source: source, line: link.line + firstLine - 1, url: link.url, fromPath: fromPath))
        }
    }

    /// Adds the site paths of files the build publishes besides HTML pages.
    mutating func collectStaticPaths() {
        let fm = FileManager.default
        for (folder, prefix) in [("images", "/images/"), ("static", "/")] {
            let directory = options.contentDirectory + "/" + folder
            guard let enumerator = fm.enumerator(atPath: directory) else { continue }
            while let relative = enumerator.nextObject() as? String { publishedFiles.insert(prefix + relative) }
        }
        publishedFiles.formUnion(["/catalog.json", "/sitemap.xml", "/robots.txt", "/site-status.json", SitePlan.notFoundPath])
        let loader = CatalogLoader(contentDirectory: options.contentDirectory)
        // A product's variants share its images: each file's list is checked once, and each
        // variant's own image with it.
        var checkedFiles = Set<String>()
        for product in catalog?.products ?? [] where !product.draft {
            var images: [(field: String, path: String)] = []
            if checkedFiles.insert(product.sourcePath).inserted { images = product.images.map { ("images", $0) } }
            if let own = product.variantImage { images.append(("image", own)) }
            for (field, image) in images where image.hasPrefix("/") && !publishedFiles.contains(image) {
                report.warnings.append("\(loader.displayPath(product.sourcePath)): \(field): \(image) is not in \(options.contentDirectory)/images/")
            }
        }
    }

    /// Fails the build when a Markdown link points at a page or file the site does not have.
    func verifyLinks() throws {
        guard let plan, !links.isEmpty else { return }
        let targets: [[String]] = links.map { link in
            guard let path = Self.sitePath(of: link.url, from: link.fromPath) else { return [] }
            let decoded = URLPath.decode(path) ?? path
            return [
                path, decoded, decoded.hasSuffix("/") ? decoded : decoded + "/",
                URLPath.decode(path).map { $0.hasSuffix("/index.html") ? String($0.dropLast(10)) : $0 } ?? path,
            ]
        }
        let paths = plan.htmlPaths
        let exists: (String) -> Bool
        if links.count * 8 < paths.count {
            // A few links (an incremental build) and 100,000+ paths: the links' spellings go in a
            // set and the site's paths are looked up in it, rather than the other way round.
            let spellings = targets.joined()
            let wanted = Set(spellings + spellings.map(Self.encodedPath))
            var found: Set<String> = []
            for path in publishedFiles where wanted.contains(path) { found.insert(path) }
            for path in paths where wanted.contains(path) { found.insert(path) }
            exists = { found.contains($0) }
        } else {
            var known = Set(paths)
            known.formUnion(publishedFiles)
            exists = { known.contains($0) }
        }
        let loader = CatalogLoader(contentDirectory: options.contentDirectory)
        var issues: [ContentIssue] = []
        for (link, candidates) in zip(links, targets) where !candidates.isEmpty && !candidates.contains(where: { exists($0) || exists(Self.encodedPath($0)) }) {
            issues.append(
                ContentIssue(file: loader.displayPath(link.source), line: link.line, field: "link", message: "\(link.url) points to a page that does not exist")
            )
        }
        guard issues.isEmpty else { throw BuildError.invalidContent(ContentError(issues: issues)) }
    }

    /// The site path a link points to, or `nil` for links that leave the site (or only jump within the page).
    static func sitePath(of url: String, from page: String) -> String? {
        var target = url
        if let cut = target.firstIndex(where: { $0 == "#" || $0 == "?" }) { target = String(target[..<cut]) }
        if target.isEmpty || target.hasPrefix("//") { return nil }
        if let colon = target.firstIndex(of: ":"), !target[..<colon].contains("/") { return nil }  // has a scheme
        if target.hasPrefix("/") { return target }
        var segments = page.split(separator: "/").map(String.init)
        for part in target.split(separator: "/", omittingEmptySubsequences: false) {
            switch part {
            case ".": continue
            case "..": if !segments.isEmpty { segments.removeLast() }
            default: segments.append(String(part))
            }
        }
        return "/" + segments.filter { !$0.isEmpty }.joined(separator: "/") + (target.hasSuffix("/") ? "/" : "")
    }

    private static func encodedPath(_ path: String) -> String {
        path.split(separator: "/", omittingEmptySubsequences: false).map { URLPath.encodeSegment(String($0)) }.joined(separator: "/")
    }
}
