/// One problem found in the content, reported as `file:line: field: what is wrong`.
public struct ContentIssue: Error, Sendable, Hashable, CustomStringConvertible, Comparable {
    /// The file, relative to the content directory's parent when possible.
    public var file: String
    /// The 1-based line, or 0 when the problem concerns the whole file.
    public var line: Int
    /// The field concerned, or `nil` for problems of the file itself.
    public var field: String?
    /// What is wrong, in plain words.
    public var message: String

    /// Creates an issue.
    public init(file: String, line: Int, field: String?, message: String) {
        self.file = file
        self.line = line
        self.field = field
        self.message = message
    }

    /// `content/products/hass.md:4: price: "12,80" is not a decimal number such as 1280 or 19.99`
    public var description: String {
        let location = line > 0 ? "\(file):\(line)" : file
        if let field { return "\(location): \(field): \(message)" }
        return "\(location): \(message)"
    }

    public static func < (lhs: ContentIssue, rhs: ContentIssue) -> Bool {
        (lhs.file, lhs.line, lhs.field ?? "", lhs.message) < (rhs.file, rhs.line, rhs.field ?? "", rhs.message)
    }
}

/// The content is invalid; every problem found is listed.
public struct ContentError: Error, Sendable, CustomStringConvertible {
    /// All problems, sorted by file and line.
    public var issues: [ContentIssue]

    /// Creates the error from its problems.
    public init(issues: [ContentIssue]) {
        self.issues = issues.sorted()
    }

    /// One problem per line.
    public var description: String {
        issues.map(\.description).joined(separator: "\n")
    }
}

/// A problem found by a parser before the file name is known.
/// A syntax error in a content file (or a JSON text): its line and what is wrong.
public struct ParseProblem: Error, Sendable {
    /// The 1-based line.
    public var line: Int
    /// What is wrong.
    public var message: String
}
