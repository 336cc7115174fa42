import Yams

/// A content file split into its front matter fields and its Markdown body.
public struct FrontMatterDocument: Sendable {
    /// The front matter fields, in source order.
    public var fields: [ContentField]
    /// The Markdown after the closing `---`.
    public var body: String
    /// The 1-based line on which the body starts.
    public var bodyLine: Int
}

/// Reads YAML front matter.
///
/// The common shape of product files (`key: scalar`, flow lists and block lists) is read by a
/// small line-based reader that builds no generic tree, which matters at 100,000 files. Anything
/// richer (nested mappings, block scalars, anchors) is handed to Yams, with the same line numbers.
public enum FrontMatterParser {
    /// Splits and parses a file. Throws a `ParseProblem` with a line number.
    static func parse(_ text: String) throws(ParseProblem) -> FrontMatterDocument {
        if let document = FastFrontMatter.parse(text) { return document }
        return try parseLines(text)
    }

    /// The general reader: lines by characters, `QuickYAML`, then Yams.
    static func parseLines(_ text: String) throws(ParseProblem) -> FrontMatterDocument {
        var lines: [Substring] = []
        lines.reserveCapacity(64)
        var rest = Substring(text)
        // The opening delimiter must be the very first line.
        guard rest.hasPrefix("---") else {
            throw ParseProblem(line: 1, message: "the file must start with a '---' line that opens the front matter")
        }
        var closing: Int? = nil
        var bodyStart = rest.endIndex
        while !rest.isEmpty {
            // "\r\n" is one Character in Swift, so Windows line endings are matched explicitly.
            let end = rest.firstIndex(where: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }) ?? rest.endIndex
            let line = rest[rest.startIndex..<end]
            rest = end == rest.endIndex ? rest[end...] : rest[rest.index(after: end)...]
            if !lines.isEmpty, line.trimmingTrailingSpaces() == "---" {
                closing = lines.count
                bodyStart = rest.startIndex
                break
            }
            lines.append(line)
        }
        guard let closing else {
            throw ParseProblem(line: 1, message: "the front matter opened on line 1 is never closed with '---'")
        }
        guard lines[0].trimmingTrailingSpaces() == "---" else {
            throw ParseProblem(line: 1, message: "the first line must be exactly '---'")
        }
        let yamlLines = Array(lines[1..<closing])
        let fields: [ContentField]
        if let quick = try QuickYAML.parse(yamlLines, firstLine: 2) {
            fields = quick
        } else {
            fields = try YamsBridge.parseMapping(yamlLines.joined(separator: "\n"), firstLine: 2)
        }
        return FrontMatterDocument(fields: fields, body: String(text[bodyStart...]), bodyLine: closing + 2)
    }
}

extension Substring {
    func trimmingTrailingSpaces() -> Substring {
        var s = self
        while let last = s.last, last == " " || last == "\t" { s = s.dropLast() }
        return s
    }

    func trimmingLeadingSpaces() -> Substring {
        var s = self
        while let first = s.first, first == " " || first == "\t" { s = s.dropFirst() }
        return s
    }
}
