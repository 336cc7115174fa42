import Foundation

/// Escaping for the places content text lands outside templates.
enum HTMLText {
    /// Escapes `& < > " '` for HTML text and attribute values.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count + 16)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// Removes tags and collapses whitespace: a plain-text excerpt of rendered HTML.
    static func plainText(fromHTML html: String, limit: Int) -> String {
        var out = ""
        var inTag = false
        var lastWasSpace = true
        for character in html {
            if character == "<" { inTag = true; continue }
            if character == ">" { inTag = false; if !lastWasSpace { out.append(" "); lastWasSpace = true }; continue }
            if inTag { continue }
            if character.isWhitespace {
                if !lastWasSpace { out.append(" "); lastWasSpace = true }
            } else {
                out.append(character)
                lastWasSpace = false
            }
            if out.count >= limit { break }
        }
        let decoded = out.replacingEntities()
        return decoded.trimmingCharacters(in: .whitespaces)
    }
}

/// JSON text for JSON-LD and data files, safe inside an HTML `<script>` element: `<`, `>`, `&`
/// and U+2028/9 are written as `\u` escapes, so `</script>` can never close the element.
struct JSONWriter {
    private(set) var text = ""

    /// A JSON string literal.
    static func string(_ value: String) -> String {
        var out = "\""
        out.reserveCapacity(value.utf8.count + 2)
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "<": out += "\\u003c"
            case ">": out += "\\u003e"
            case "&": out += "\\u0026"
            case "\u{2028}": out += "\\u2028"
            case "\u{2029}": out += "\\u2029"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}

/// A JSON value built in Swift and serialised by `JSONWriter` rules, keys in insertion order.
indirect enum JSONValue: Sendable {
    case string(String)
    case int(Int64)
    case bool(Bool)
    case null
    case array([JSONValue])
    case object([(String, JSONValue)])

    /// Compact JSON text, safe inside `<script>`.
    var text: String {
        var out = ""
        write(into: &out)
        return out
    }

    func write(into out: inout String) {
        switch self {
        case .string(let value): out += JSONWriter.string(value)
        case .int(let value): out += String(value)
        case .bool(let value): out += value ? "true" : "false"
        case .null: out += "null"
        case .array(let items):
            out += "["
            for (index, item) in items.enumerated() {
                if index > 0 { out += "," }
                item.write(into: &out)
            }
            out += "]"
        case .object(let members):
            out += "{"
            for (index, member) in members.enumerated() {
                if index > 0 { out += "," }
                out += JSONWriter.string(member.0)
                out += ":"
                member.1.write(into: &out)
            }
            out += "}"
        }
    }
}

extension String {
    /// Decodes the few entities cmark emits.
    func replacingEntities() -> String {
        guard contains("&") else { return self }
        return replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'")
            .replacingOccurrences(of: "&amp;", with: "&")
    }
}
