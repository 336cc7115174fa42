/// Reads typed fields from content values and collects every problem instead of stopping at the first.
struct FieldReader {
    let file: String
    private(set) var fields: [String: ContentField] = [:]
    private(set) var issues: [ContentIssue] = []
    /// The line used for problems about missing fields.
    let fallbackLine: Int

    init(file: String, fields: [ContentField], known: Set<String>, fallbackLine: Int) {
        self.file = file
        self.fallbackLine = fallbackLine
        for field in fields {
            if self.fields[field.key] != nil {
                issue(field.line, field.key, "is given twice")
            } else if !known.contains(field.key) {
                issue(field.line, field.key, "is not a known field (known fields: \(known.sorted().joined(separator: ", ")))")
            }
            self.fields[field.key] = field
        }
    }

    mutating func issue(_ line: Int, _ field: String?, _ message: String) {
        issues.append(ContentIssue(file: file, line: line, field: field, message: message))
    }

    func line(of key: String) -> Int { fields[key]?.line ?? fallbackLine }

    /// A non-empty text; `nil` when absent (reported when required).
    mutating func string(_ key: String, required: Bool = false, maxLength: Int = 10_000) -> String? {
        guard let field = fields[key] else {
            if required { issue(fallbackLine, key, "is required") }
            return nil
        }
        let value = field.value
        switch value.kind {
        case .scalar(let text, _):
            let trimmed = text.trimmingASCIIWhitespace()
            if trimmed.isEmpty {
                if required { issue(field.line, key, "must not be empty") }
                return nil
            }
            if trimmed.count > maxLength {
                issue(field.line, key, "is longer than \(maxLength) characters")
                return nil
            }
            if trimmed.unicodeScalars.contains(where: { $0.value < 0x20 && $0 != "\n" && $0 != "\t" }) {
                issue(field.line, key, "contains control characters")
                return nil
            }
            return trimmed
        case .null:
            if required { issue(field.line, key, "is required") }
            return nil
        default:
            issue(field.line, key, "must be text, not \(value.typeName)")
            return nil
        }
    }

    /// An exact price in major units.
    mutating func money(_ key: String, currency: Currency, required: Bool = false) -> Money? {
        guard let field = fields[key] else {
            if required { issue(fallbackLine, key, "is required") }
            return nil
        }
        guard case .scalar(let text, _) = field.value.kind else {
            if case .null = field.value.kind, !required { return nil }
            issue(field.line, key, "must be a decimal price such as 1280 or 19.99, not \(field.value.typeName)")
            return nil
        }
        do {
            return try Money.parse(text, currency: currency)
        } catch {
            issue(field.line, key, error.description)
            return nil
        }
    }

    /// A whole number within a range.
    mutating func integer(_ key: String, range: ClosedRange<Int>) -> Int? {
        guard let field = fields[key] else { return nil }
        if case .null = field.value.kind { return nil }
        guard case .scalar(let text, _) = field.value.kind, let value = Int(text.trimmingASCIIWhitespace()) else {
            issue(field.line, key, "must be a whole number")
            return nil
        }
        guard range.contains(value) else {
            issue(field.line, key, "must be between \(range.lowerBound) and \(range.upperBound)")
            return nil
        }
        return value
    }

    /// A day written `YYYY-MM-DD`.
    mutating func day(_ key: String) -> CalendarDay? {
        guard let field = fields[key] else { return nil }
        if case .null = field.value.kind { return nil }
        guard case .scalar(let text, _) = field.value.kind, let day = CalendarDay(iso: text.trimmingASCIIWhitespace()) else {
            issue(field.line, key, "must be a day written YYYY-MM-DD, such as 2026-11-20")
            return nil
        }
        return day
    }

    /// One of `Choice`'s cases, by its raw value (`condition: used`); a text naming none of them is
    /// reported with the ones it may be.
    mutating func choice<Choice: RawRepresentable & CaseIterable>(_ key: String, maxLength: Int = 20) -> Choice? where Choice.RawValue == String {
        guard let text = string(key, maxLength: maxLength) else { return nil }
        guard let choice = Choice(rawValue: text) else {
            issue(line(of: key), key, "\"\(text)\" is not one of \(Choice.allCases.map(\.rawValue).joined(separator: ", "))")
            return nil
        }
        return choice
    }

    /// `true` or `false`.
    mutating func bool(_ key: String) -> Bool? {
        guard let field = fields[key] else { return nil }
        if case .null = field.value.kind { return nil }
        guard case .scalar(let text, _) = field.value.kind else {
            issue(field.line, key, "must be true or false, not \(field.value.typeName)")
            return nil
        }
        switch text {
        case "true", "True", "TRUE", "yes": return true
        case "false", "False", "FALSE", "no": return false
        default:
            issue(field.line, key, "must be true or false")
            return nil
        }
    }

    /// A list of texts; a single text is read as a list of one.
    mutating func stringList(_ key: String, maxItems: Int = 100) -> [String] {
        guard let field = fields[key] else { return [] }
        var values: [ContentValue]
        switch field.value.kind {
        case .null: return []
        case .scalar: values = [field.value]
        case .list(let items): values = items
        case .map:
            issue(field.line, key, "must be a list of text, not a mapping")
            return []
        }
        if values.count > maxItems {
            issue(field.line, key, "has more than \(maxItems) items")
            values = Array(values.prefix(maxItems))
        }
        var out: [String] = []
        for value in values {
            guard case .scalar(let text, _) = value.kind else {
                issue(value.line, key, "must contain only text items, not \(value.typeName)")
                continue
            }
            let trimmed = text.trimmingASCIIWhitespace()
            if trimmed.isEmpty {
                issue(value.line, key, "contains an empty item")
            } else if !out.contains(trimmed) {
                out.append(trimmed)
            }
        }
        return out
    }

    /// A nested mapping's fields.
    mutating func map(_ key: String) -> [ContentField]? {
        guard let field = fields[key] else { return nil }
        if case .null = field.value.kind { return nil }
        guard case .map(let members) = field.value.kind else {
            issue(field.line, key, "must be a mapping, not \(field.value.typeName)")
            return nil
        }
        return members.map { ContentField(key: $0.key, value: $0.value, line: $0.value.line) }
    }

    /// The items of `field`, a list of 1 to `maximum` `noun` (`variants`), each as `shape` says
    /// (`each with sku, options and price`); `nil` after saying what is wrong.
    mutating func listItems(_ field: ContentField, noun: String, shape: String, maximum: Int) -> [ContentValue]? {
        guard case .list(let items) = field.value.kind, !items.isEmpty else {
            issue(field.line, field.key, "must be a list of \(noun), \(shape)")
            return nil
        }
        guard items.count <= maximum else {
            issue(field.line, field.key, "has \(items.count) \(noun); a product may have at most \(maximum)")
            return nil
        }
        return items
    }

    /// A reader of `item`, the mapping `name` (`variants[2]`) with the `known` fields (`members`
    /// names them for a message); `nil` after saying the item is not a mapping.
    mutating func itemReader(_ item: ContentValue, name: String, known: Set<String>, members: String) -> FieldReader? {
        guard case .map(let pairs) = item.kind else {
            issue(item.line, name, "must be a mapping with \(members), not \(item.typeName)")
            return nil
        }
        return FieldReader(
            file: file, fields: pairs.map { ContentField(key: $0.key, value: $0.value, line: $0.value.line) }, known: known, fallbackLine: item.line)
    }

    /// Takes the problems of `inner`, the reader of the item `name`, with their fields named
    /// under it (`variants[2].price`).
    mutating func adopt(_ inner: FieldReader, as name: String) {
        for problem in inner.issues {
            issue(problem.line, problem.field.map { "\(name).\($0)" } ?? name, problem.message)
        }
    }
}
