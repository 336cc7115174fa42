import Foundation

/// Escaping for the places content text lands outside templates.
enum HTMLText {
    /// Escapes `& < > " '` for HTML text and attribute values.
    static func escape(_ text: String) -> String {
        var out: [UInt8] = []
        escape(text, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends `text` escaped for HTML. The five characters are ASCII, so replacing their bytes is
    /// the same as replacing their scalars.
    static func escape(_ text: String, into out: inout [UInt8]) {
        var text = text
        text.withUTF8 { bytes in
            out.reserveCapacity(out.count + bytes.count + 16)
            var runStart = 0
            for index in 0..<bytes.count {
                let replacement: StaticString
                switch bytes[index] {
                case 0x26: replacement = "&amp;"
                case 0x3C: replacement = "&lt;"
                case 0x3E: replacement = "&gt;"
                case 0x22: replacement = "&quot;"
                case 0x27: replacement = "&#39;"
                default: continue
                }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
                out.append(contentsOf: UnsafeBufferPointer(start: replacement.utf8Start, count: replacement.utf8CodeUnitCount))
                runStart = index + 1
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart...]))
        }
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
    /// A JSON string literal.
    static func string(_ value: String) -> String {
        var out: [UInt8] = []
        string(value, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends a JSON string literal. Every character that is escaped is ASCII except U+2028 and
    /// U+2029 (E2 80 A8 / E2 80 A9 in UTF-8), so the work is done on bytes.
    static func string(_ value: String, into out: inout [UInt8]) {
        var value = value
        out.append(0x22)
        value.withUTF8 { bytes in
            out.reserveCapacity(out.count + bytes.count + 2)
            var runStart = 0
            var index = 0
            let count = bytes.count
            while index < count {
                let byte = bytes[index]
                var length = 1
                let replacement: StaticString
                switch byte {
                case 0x22: replacement = "\\\""
                case 0x5C: replacement = "\\\\"
                case 0x0A: replacement = "\\n"
                case 0x0D: replacement = "\\r"
                case 0x09: replacement = "\\t"
                case 0x3C: replacement = "\\u003c"
                case 0x3E: replacement = "\\u003e"
                case 0x26: replacement = "\\u0026"
                case 0xE2 where index + 2 < count && bytes[index + 1] == 0x80 && (bytes[index + 2] == 0xA8 || bytes[index + 2] == 0xA9):
                    replacement = bytes[index + 2] == 0xA8 ? "\\u2028" : "\\u2029"
                    length = 3
                case 0..<0x20:
                    out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
                    out.append(contentsOf: "\\u00".utf8)
                    out.append(hexDigits[Int(byte >> 4)])
                    out.append(hexDigits[Int(byte & 0x0F)])
                    index += 1
                    runStart = index
                    continue
                default:
                    index += 1
                    continue
                }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
                out.append(contentsOf: UnsafeBufferPointer(start: replacement.utf8Start, count: replacement.utf8CodeUnitCount))
                index += length
                runStart = index
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart...]))
        }
        out.append(0x22)
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)
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
        String(decoding: bytes, as: UTF8.self)
    }

    /// Compact JSON as UTF-8 bytes.
    var bytes: [UInt8] {
        var out: [UInt8] = []
        write(into: &out)
        return out
    }

    func write(into out: inout [UInt8]) {
        switch self {
        case .string(let value): JSONWriter.string(value, into: &out)
        case .int(let value): out.append(contentsOf: String(value).utf8)
        case .bool(let value): out.append(contentsOf: (value ? "true" : "false").utf8)
        case .null: out.append(contentsOf: "null".utf8)
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                item.write(into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            for (index, member) in members.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                JSONWriter.string(member.0, into: &out)
                out.append(UInt8(ascii: ":"))
                member.1.write(into: &out)
            }
            out.append(UInt8(ascii: "}"))
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
