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

/// Converts YAML that the quick reader declines into content values through Yams.
enum YamsBridge {
    static func parseMapping(_ yaml: String, firstLine: Int) throws(ParseProblem) -> [ContentField] {
        let node: Node?
        do {
            node = try Yams.compose(yaml: yaml)
        } catch let error as YamlError {
            throw problem(from: error, firstLine: firstLine)
        } catch {
            throw ParseProblem(line: firstLine, message: "invalid YAML: \(error)")
        }
        guard let node else { return [] }
        guard case .mapping(let mapping) = node else {
            throw ParseProblem(line: firstLine, message: "the front matter must be a mapping of fields")
        }
        var fields: [ContentField] = []
        var budget = maximumValues
        for (key, value) in mapping {
            guard case .scalar(let scalar) = key else {
                throw ParseProblem(line: line(of: key, firstLine), message: "field names must be plain text")
            }
            fields.append(ContentField(key: scalar.string, value: try convert(value, firstLine, budget: &budget), line: line(of: key, firstLine)))
        }
        return fields
    }

    /// The most values one front matter may hold once YAML aliases are expanded. A few nested
    /// aliases can otherwise stand for billions of values (the "billion laughs"), exhausting memory.
    static let maximumValues = 10_000

    private static func line(of node: Node, _ firstLine: Int) -> Int {
        (node.mark?.line ?? 1) + firstLine - 1
    }

    private static func convert(_ node: Node, _ firstLine: Int, budget: inout Int) throws(ParseProblem) -> ContentValue {
        let line = line(of: node, firstLine)
        budget -= 1
        guard budget >= 0 else {
            throw ParseProblem(line: line, message: "the front matter holds more than \(maximumValues) values (YAML aliases expanding too far?)")
        }
        switch node {
        case .scalar(let scalar):
            let quoted = scalar.style == .singleQuoted || scalar.style == .doubleQuoted
                || scalar.style == .literal || scalar.style == .folded
            if !quoted, ["", "~", "null", "Null", "NULL"].contains(scalar.string) { return ContentValue(.null, line: line) }
            return ContentValue(.scalar(scalar.string, quoted: quoted), line: line)
        case .sequence(let sequence):
            var items: [ContentValue] = []
            for item in sequence { items.append(try convert(item, firstLine, budget: &budget)) }
            return ContentValue(.list(items), line: line)
        case .mapping(let mapping):
            var pairs: [(key: String, value: ContentValue)] = []
            for pair in mapping { pairs.append((key: pair.key.string ?? "", value: try convert(pair.value, firstLine, budget: &budget))) }
            return ContentValue(.map(pairs), line: line)
        case .alias:
            return ContentValue(.null, line: line)
        }
    }

    private static func problem(from error: YamlError, firstLine: Int) -> ParseProblem {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _):
            return ParseProblem(line: mark.line + firstLine - 1, message: "invalid YAML: \(problem)")
        case .composer(_, let problem, let mark, _):
            return ParseProblem(line: mark.line + firstLine - 1, message: "invalid YAML: \(problem)")
        default:
            return ParseProblem(line: firstLine, message: "invalid YAML: \(error)")
        }
    }
}
