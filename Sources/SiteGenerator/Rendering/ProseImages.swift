import Foundation
import StoreModel

/// Images in a Markdown text (a page or a product description) made responsive: each `<img>` that
/// cmark wrote for an image the image step published becomes a `<picture>` with its copies,
/// `sizes` for the text column, `width`, `height` and `loading="lazy"`. Others stay as written.
enum ProseImages {
    /// `html` (cmark's output) with its published images offered in every width and format.
    static func rewrite(_ html: String, basePath: String, images: PublishedImages) -> String {
        guard !images.images.isEmpty, html.contains("<img src=\"") else { return html }
        var out = ""
        var rest = Substring(html)
        while let start = rest.range(of: "<img src=\"") {
            out += rest[..<start.lowerBound]
            guard let end = rest[start.upperBound...].range(of: ">") else { break }
            let tag = rest[start.lowerBound..<end.upperBound]
            rest = rest[end.upperBound...]
            guard let replacement = picture(String(tag), basePath: basePath, images: images) else {
                out += tag
                continue
            }
            out += replacement
        }
        return out + rest
    }

    /// The `<picture>` for one cmark `<img src="…" alt="…"( title="…")? />`, or `nil`.
    private static func picture(_ tag: String, basePath: String, images: PublishedImages) -> String? {
        guard let src = attribute("src", of: tag) else { return nil }
        let site = basePath.isEmpty ? src : (src.hasPrefix(basePath + "/") ? String(src.dropFirst(basePath.count)) : src)
        guard let image = images[URLPath.decode(site) ?? site] ?? images[site], let responsive = image.responsive(url: { basePath + $0 }) else {
            return nil
        }
        let alt = attribute("alt", of: tag) ?? ""
        let title = attribute("title", of: tag).map { " title=\"\($0)\"" } ?? ""
        let sizes = ImagePlan.Place.prose.sizes
        var html = "<picture>"
        for source in responsive.sources { html += "<source type=\"\(source.type)\" srcset=\"\(source.srcset)\" sizes=\"\(sizes)\">" }
        let size = image.width.flatMap { w in image.height.map { " width=\"\(w)\" height=\"\($0)\"" } } ?? ""
        html += "<img src=\"\(responsive.src)\" srcset=\"\(responsive.srcset)\" sizes=\"\(sizes)\"\(size) alt=\"\(alt)\"\(title)"
        html += " loading=\"lazy\" decoding=\"async\"></picture>"
        return html
    }

    /// An attribute's value as written (still escaped) in a tag cmark wrote.
    private static func attribute(_ name: String, of tag: String) -> String? {
        guard let start = tag.range(of: " \(name)=\"") else { return nil }
        guard let end = tag[start.upperBound...].firstIndex(of: "\"") else { return nil }
        return String(tag[start.upperBound..<end])
    }

    /// Whether `text` contains `/images/`, on its bytes: asked of every product description in
    /// every build, where Foundation's `contains` took 0.8 s at 100,000 products.
    static func mentionsImages(_ text: String) -> Bool {
        var text = text
        let needle = Array("/images/".utf8)
        return text.withUTF8 { bytes in
            guard bytes.count >= needle.count else { return false }
            var index = 0
            let last = bytes.count - needle.count
            while index <= last {
                if bytes[index] == 0x2F {  // "/"
                    var match = true
                    for offset in 1..<needle.count where bytes[index + offset] != needle[offset] {
                        match = false
                        break
                    }
                    if match { return true }
                }
                index += 1
            }
            return false
        }
    }

    /// The `/images/…` paths a Markdown text may show (for a page's input hash): every run of
    /// characters after `/images/` up to a space, `)` or quote.
    static func referencedPaths(_ markdown: String) -> [String] {
        guard mentionsImages(markdown) else { return [] }
        var paths: [String] = []
        var rest = Substring(markdown)
        while let start = rest.range(of: "/images/") {
            let tail = rest[start.lowerBound...]
            let end = tail.firstIndex { $0 == " " || $0 == ")" || $0 == "\"" || $0 == "\n" || $0 == ">" } ?? tail.endIndex
            paths.append(String(tail[..<end]))
            rest = tail[end...]
        }
        return paths
    }
}
