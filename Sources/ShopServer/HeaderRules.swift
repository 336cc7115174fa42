/// The response headers a CDN would add, read from the built site's `_headers` file
/// (the Cloudflare Pages / Netlify format), so the local server answers like production.
struct HeaderRules: Sendable {
    /// One `path-pattern` block: headers to set and header names to detach (`! Name`).
    struct Rule: Sendable {
        var pattern: String
        var operations: [Operation]
    }

    enum Operation: Sendable {
        case set(name: String, value: String)
        case detach(name: String)
    }

    var rules: [Rule] = []

    /// Parses the file's text. Unknown lines are ignored, as CDNs do.
    init(text: String) {
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: true) {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            if rawLine.first != " " && rawLine.first != "\t" {
                rules.append(Rule(pattern: line, operations: []))
            } else if !rules.isEmpty {
                if line.hasPrefix("!") {
                    rules[rules.count - 1].operations.append(.detach(name: line.dropFirst().trimmingCharacters(in: .whitespaces)))
                } else if let colon = line.firstIndex(of: ":") {
                    let name = line[..<colon].trimmingCharacters(in: .whitespaces)
                    let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                    rules[rules.count - 1].operations.append(.set(name: name, value: value))
                }
            }
        }
    }

    init() {}

    /// The headers for `path`, applying every matching block in order.
    func headers(forPath path: String) -> [(name: String, value: String)] {
        var result: [(name: String, value: String)] = []
        for rule in rules where Self.matches(rule.pattern, path) {
            for operation in rule.operations {
                switch operation {
                case .set(let name, let value):
                    result.append((name, value))
                case .detach(let name):
                    result.removeAll { $0.name.lowercased() == name.lowercased() }
                }
            }
        }
        return result
    }

    /// `/assets/*` matches everything below `/assets/`; other patterns match exactly.
    static func matches(_ pattern: String, _ path: String) -> Bool {
        if pattern.hasSuffix("*") { return path.hasPrefix(pattern.dropLast()) }
        return pattern == path
    }
}
