import CCmark
import Foundation

/// Markdown to HTML through libcmark, in its safe mode: raw HTML is dropped and `javascript:`,
/// `vbscript:`, `file:` and non-image `data:` URLs are removed.
enum Markdown {
    /// The result of rendering one document.
    struct Rendered: Sendable {
        /// The HTML.
        var html: String
        /// Link and image targets as written, each with its line in the document (1-based).
        var links: [Link]
    }

    /// A link or image target found in the document.
    struct Link: Sendable, Hashable {
        var url: String
        var line: Int
        var isImage: Bool
    }

    /// Renders Markdown. Root-relative URLs (`/pages/faq/`) get `basePath` put in front.
    static func render(_ markdown: String, basePath: String) -> Rendered {
        var links: [Link] = []
        let html: String = markdown.withCString { pointer in
            let length = strlen(pointer)
            guard let document = cmark_parse_document(pointer, length, CMARK_OPT_DEFAULT | CMARK_OPT_SOURCEPOS | CMARK_OPT_VALIDATE_UTF8) else { return "" }
            defer { cmark_node_free(document) }
            let iterator = cmark_iter_new(document)
            defer { cmark_iter_free(iterator) }
            var blockLine = 1
            while true {
                let event = cmark_iter_next(iterator)
                if event == CMARK_EVENT_DONE { break }
                guard event == CMARK_EVENT_ENTER, let node = cmark_iter_get_node(iterator) else { continue }
                let type = cmark_node_get_type(node)
                let line = cmark_node_get_start_line(node)
                if line > 0 { blockLine = Int(line) }
                guard type == CMARK_NODE_LINK || type == CMARK_NODE_IMAGE, let raw = cmark_node_get_url(node) else { continue }
                let url = String(cString: raw)
                links.append(Link(url: url, line: lineOf(url, in: markdown, near: blockLine), isImage: type == CMARK_NODE_IMAGE))
                if !basePath.isEmpty, url.hasPrefix("/"), !url.hasPrefix("//") {
                    cmark_node_set_url(node, basePath + url)
                }
            }
            guard let rendered = cmark_render_html(document, CMARK_OPT_DEFAULT) else { return "" }
            defer { free(rendered) }
            return String(cString: rendered)
        }
        return Rendered(html: html, links: links)
    }

    /// Inline nodes carry no source position in cmark: find the line of `](url` from the block's first line on.
    private static func lineOf(_ url: String, in markdown: String, near blockLine: Int) -> Int {
        if let line = asciiLineOf(url, in: markdown, near: blockLine) { return line }
        var line = 1
        for text in markdown.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            if line >= blockLine, text.contains(url) { return line }
            line += 1
        }
        return blockLine
    }

    /// `lineOf` for ASCII text, on bytes: the same lines (split at LF, CR, CR LF, VT and FF, the
    /// ASCII newline characters) and the same matches. `nil` when either string is not ASCII.
    private static func asciiLineOf(_ url: String, in markdown: String, near blockLine: Int) -> Int? {
        let needle = Array(url.utf8)
        guard needle.allSatisfy({ $0 < 0x80 && $0 != 0x0A && $0 != 0x0D }) else { return nil }
        var markdown = markdown
        return markdown.withUTF8 { bytes -> Int? in
            guard bytes.allSatisfy({ $0 < 0x80 }) else { return nil }
            var line = 1
            var start = 0
            var index = 0
            let count = bytes.count
            while true {
                let atEnd = index == count
                let byte: UInt8 = atEnd ? 0 : bytes[index]
                if atEnd || byte == 0x0A || byte == 0x0D || byte == 0x0B || byte == 0x0C {
                    if line >= blockLine, contains(needle, in: UnsafeBufferPointer(rebasing: bytes[start..<index])) { return line }
                    if atEnd { return blockLine }
                    if byte == 0x0D, index + 1 < count, bytes[index + 1] == 0x0A { index += 1 }
                    line += 1
                    start = index + 1
                }
                index += 1
            }
        }
    }

    private static func contains(_ needle: [UInt8], in haystack: UnsafeBufferPointer<UInt8>) -> Bool {
        guard !needle.isEmpty else { return true }
        guard haystack.count >= needle.count else { return false }
        let first = needle[0]
        for start in 0...(haystack.count - needle.count) where haystack[start] == first {
            var matched = true
            for offset in 1..<needle.count where haystack[start + offset] != needle[offset] {
                matched = false
                break
            }
            if matched { return true }
        }
        return false
    }
}
