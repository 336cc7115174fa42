import Yams

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
    static let maximumValues = 40_000

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
            let quoted =
                scalar.style == .singleQuoted || scalar.style == .doubleQuoted
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
