/// A value read from content (YAML front matter or JSON), with the line it came from.
///
/// Scalars keep their source text, so prices are read exactly and never through floating point.
public struct ContentValue: Sendable, Equatable {
    /// The shapes a content value can take.
    public enum Kind: Sendable, Equatable {
        /// A scalar with its source text. `quoted` is true for quoted YAML scalars and JSON strings.
        case scalar(String, quoted: Bool)
        /// JSON `null` or an empty YAML value.
        case null
        /// A list of values.
        case list([ContentValue])
        /// A mapping, in source order.
        case map([(key: String, value: ContentValue)])

        public static func == (lhs: Kind, rhs: Kind) -> Bool {
            switch (lhs, rhs) {
            case let (.scalar(a, qa), .scalar(b, qb)): a == b && qa == qb
            case (.null, .null): true
            case let (.list(a), .list(b)): a == b
            case let (.map(a), .map(b)): a.count == b.count && zip(a, b).allSatisfy { $0.key == $1.key && $0.value == $1.value }
            default: false
            }
        }
    }

    /// The value itself.
    public var kind: Kind
    /// The 1-based line in the source file where the value starts.
    public var line: Int

    /// Creates a value.
    public init(_ kind: Kind, line: Int) {
        self.kind = kind
        self.line = line
    }

    /// A short name of the value's type for error messages.
    public var typeName: String {
        switch kind {
        case .scalar: "a scalar"
        case .null: "null"
        case .list: "a list"
        case .map: "a mapping"
        }
    }
}

/// A content field together with the line where its key stands.
public struct ContentField: Sendable, Equatable {
    /// The field name.
    public var key: String
    /// The field's value.
    public var value: ContentValue
    /// The 1-based line of the key.
    public var line: Int

    /// Creates a field.
    public init(key: String, value: ContentValue, line: Int) {
        self.key = key
        self.value = value
        self.line = line
    }
}
