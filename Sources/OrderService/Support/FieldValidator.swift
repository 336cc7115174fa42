import Foundation

/// Collects field problems while reading a JSON object.
struct FieldValidator {
    var problems: [String: String] = [:]

    mutating func fail(_ field: String, _ message: String) {
        if problems[field] == nil { problems[field] = message }
    }

    /// A string field: trimmed, within `length`, without control characters (line breaks allowed when `multiline`).
    mutating func string(_ value: JSONValue?, _ field: String, required: Bool, length: ClosedRange<Int>, multiline: Bool = false) -> String? {
        guard let value, value != .null else {
            if required { fail(field, "is required") }
            return nil
        }
        guard case .string(let raw) = value else {
            fail(field, "must be a string, not \(value.typeName)")
            return nil
        }
        let text = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        if text.unicodeScalars.contains(where: { Self.isForbidden($0, multiline: multiline) }) {
            fail(field, "contains control characters")
            return nil
        }
        if text.isEmpty, required {
            fail(field, "is required")
            return nil
        }
        if !text.isEmpty, !length.contains(text.count) {
            fail(field, "must be \(length.lowerBound) to \(length.upperBound) characters long")
            return nil
        }
        if text.count > length.upperBound {
            fail(field, "must be at most \(length.upperBound) characters long")
            return nil
        }
        return text
    }

    /// An integer field within `range`.
    mutating func integer(_ value: JSONValue?, _ field: String, range: ClosedRange<Int>) -> Int? {
        guard let value, value != .null else {
            fail(field, "is required")
            return nil
        }
        guard case .integer(let number) = value else {
            fail(field, "must be a whole number, not \(value.typeName)")
            return nil
        }
        guard number >= Int64(range.lowerBound), number <= Int64(range.upperBound) else {
            fail(field, "must be between \(range.lowerBound) and \(range.upperBound)")
            return nil
        }
        return Int(number)
    }

    static func isForbidden(_ scalar: Unicode.Scalar, multiline: Bool) -> Bool {
        if multiline, scalar == "\n" || scalar == "\r" || scalar == "\t" { return false }
        switch scalar.value {
        case 0..<0x20, 0x7F, 0x80..<0xA0, 0x2028, 0x2029: return true
        default: return false
        }
    }
}
