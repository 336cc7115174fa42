/// A value a template renders: the typed counterpart of the `[String: Any]` trees swift-mustache
/// reads. Building pages from these needs no dynamic casts, and the compiled renderer walks them
/// directly.
enum TemplateValue: Sendable {
    case string(String)
    case int(Int64)
    case bool(Bool)
    case list([TemplateValue])
    case object([String: TemplateValue])

    /// The member named `key` of an object; `nil` for every other kind of value (as swift-mustache
    /// finds no children in strings, numbers, booleans or lists).
    @inline(__always)
    subscript(key: String) -> TemplateValue? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    /// The same tree as the `Any` values swift-mustache renders (for themes the compiled renderer
    /// does not cover).
    var anyValue: Any {
        switch self {
        case .string(let value): value
        case .int(let value): Int(value)
        case .bool(let value): value
        case .list(let items): items.map(\.anyValue)
        case .object(let members): members.mapValues(\.anyValue)
        }
    }
}

extension TemplateValue: ExpressibleByStringLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral {
    init(stringLiteral value: String) { self = .string(value) }
    init(booleanLiteral value: Bool) { self = .bool(value) }
    init(integerLiteral value: Int64) { self = .int(value) }
}

extension TemplateValue {
    /// A string value.
    static func text(_ value: String) -> TemplateValue { .string(value) }
    /// An integer value.
    static func number<I: BinaryInteger>(_ value: I) -> TemplateValue { .int(Int64(value)) }
    /// A list of objects.
    static func objects(_ items: [[String: TemplateValue]]) -> TemplateValue { .list(items.map(TemplateValue.object)) }
}
