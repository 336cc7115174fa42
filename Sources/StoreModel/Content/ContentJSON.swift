/// A strict JSON reader that keeps each number's source text and each value's line, so that a
/// price such as `19.99` is read exactly and an error can name its line. The order API reads
/// request bodies with it too (`JSONValue.parse`).
public enum ContentJSON {
    static let maximumDepth = 64

    /// Parses one JSON value; text after it, or nesting deeper than 64 levels, is an error.
    public static func parse(_ text: String) throws(ParseProblem) -> ContentValue {
        var reader = Reader(bytes: Array(text.utf8))
        reader.skipWhitespace()
        let value = try reader.value(depth: 0)
        reader.skipWhitespace()
        guard reader.index == reader.bytes.count else { throw reader.problem("unexpected text after the JSON value") }
        return value
    }

    private struct Reader {
        let bytes: [UInt8]
        var index = 0
        var line = 1

        init(bytes: [UInt8]) { self.bytes = bytes }

        func problem(_ message: String) -> ParseProblem { ParseProblem(line: line, message: "invalid JSON: \(message)") }

        mutating func skipWhitespace() {
            while index < bytes.count {
                switch bytes[index] {
                case 0x20, 0x09, 0x0D: index += 1
                case 0x0A: index += 1; line += 1
                default: return
                }
            }
        }

        mutating func value(depth: Int) throws(ParseProblem) -> ContentValue {
            guard depth < ContentJSON.maximumDepth else { throw problem("nested deeper than \(ContentJSON.maximumDepth) levels") }
            guard index < bytes.count else { throw problem("unexpected end of file") }
            let startLine = line
            switch bytes[index] {
            case UInt8(ascii: "{"):
                index += 1
                var members: [(key: String, value: ContentValue)] = []
                skipWhitespace()
                if index < bytes.count, bytes[index] == UInt8(ascii: "}") { index += 1; return ContentValue(.map(members), line: startLine) }
                while true {
                    skipWhitespace()
                    guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw problem("expected a quoted field name") }
                    let keyLine = line
                    let key = try string()
                    skipWhitespace()
                    guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw problem("expected ':' after \"\(key)\"") }
                    index += 1
                    skipWhitespace()
                    var member = try value(depth: depth + 1)
                    if case .scalar = member.kind {} else if case .null = member.kind {} else { member.line = max(member.line, keyLine) }
                    members.append((key: key, value: member))
                    skipWhitespace()
                    guard index < bytes.count else { throw problem("unexpected end of file in an object") }
                    if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                    if bytes[index] == UInt8(ascii: "}") { index += 1; return ContentValue(.map(members), line: startLine) }
                    throw problem("expected ',' or '}'")
                }
            case UInt8(ascii: "["):
                index += 1
                var items: [ContentValue] = []
                skipWhitespace()
                if index < bytes.count, bytes[index] == UInt8(ascii: "]") { index += 1; return ContentValue(.list(items), line: startLine) }
                while true {
                    skipWhitespace()
                    items.append(try value(depth: depth + 1))
                    skipWhitespace()
                    guard index < bytes.count else { throw problem("unexpected end of file in a list") }
                    if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                    if bytes[index] == UInt8(ascii: "]") { index += 1; return ContentValue(.list(items), line: startLine) }
                    throw problem("expected ',' or ']'")
                }
            case UInt8(ascii: "\""):
                return ContentValue(.scalar(try string(), quoted: true), line: startLine)
            case UInt8(ascii: "t"):
                try literal("true")
                return ContentValue(.scalar("true", quoted: false), line: startLine)
            case UInt8(ascii: "f"):
                try literal("false")
                return ContentValue(.scalar("false", quoted: false), line: startLine)
            case UInt8(ascii: "n"):
                try literal("null")
                return ContentValue(.null, line: startLine)
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                return ContentValue(.scalar(try number(), quoted: false), line: startLine)
            default:
                throw problem("unexpected character")
            }
        }

        mutating func literal(_ word: String) throws(ParseProblem) {
            for byte in word.utf8 {
                guard index < bytes.count, bytes[index] == byte else { throw problem("expected \(word)") }
                index += 1
            }
        }

        mutating func number() throws(ParseProblem) -> String {
            let start = index
            if bytes[index] == UInt8(ascii: "-") { index += 1 }
            var digits = 0
            while index < bytes.count, (48...57).contains(bytes[index]) { index += 1; digits += 1 }
            guard digits > 0 else { throw problem("invalid number") }
            if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
                index += 1
                var fraction = 0
                while index < bytes.count, (48...57).contains(bytes[index]) { index += 1; fraction += 1 }
                guard fraction > 0 else { throw problem("invalid number") }
            }
            if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
                index += 1
                if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
                var exponent = 0
                while index < bytes.count, (48...57).contains(bytes[index]) { index += 1; exponent += 1 }
                guard exponent > 0 else { throw problem("invalid number") }
            }
            return String(decoding: bytes[start..<index], as: UTF8.self)
        }

        mutating func string() throws(ParseProblem) -> String {
            index += 1  // opening quote
            var out: [UInt8] = []
            while index < bytes.count {
                let byte = bytes[index]
                switch byte {
                case UInt8(ascii: "\""):
                    index += 1
                    return String(decoding: out, as: UTF8.self)
                case UInt8(ascii: "\\"):
                    index += 1
                    guard index < bytes.count else { throw problem("unterminated string") }
                    let escape = bytes[index]
                    index += 1
                    switch escape {
                    case UInt8(ascii: "\""): out.append(0x22)
                    case UInt8(ascii: "\\"): out.append(0x5C)
                    case UInt8(ascii: "/"): out.append(0x2F)
                    case UInt8(ascii: "b"): out.append(0x08)
                    case UInt8(ascii: "f"): out.append(0x0C)
                    case UInt8(ascii: "n"): out.append(0x0A)
                    case UInt8(ascii: "r"): out.append(0x0D)
                    case UInt8(ascii: "t"): out.append(0x09)
                    case UInt8(ascii: "u"):
                        var code = try hex4()
                        if (0xD800...0xDBFF).contains(code) {
                            guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                                throw problem("unpaired surrogate in \\u escape")
                            }
                            index += 2
                            let low = try hex4()
                            guard (0xDC00...0xDFFF).contains(low) else { throw problem("unpaired surrogate in \\u escape") }
                            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                        }
                        guard let scalar = Unicode.Scalar(code) else { throw problem("invalid \\u escape") }
                        out.append(contentsOf: Array(String(Character(scalar)).utf8))
                    default:
                        throw problem("invalid escape in a string")
                    }
                case 0x00...0x1F:
                    throw problem("control character in a string")
                default:
                    out.append(byte)
                    index += 1
                }
            }
            throw problem("unterminated string")
        }

        mutating func hex4() throws(ParseProblem) -> UInt32 {
            guard index + 4 <= bytes.count,
                let value = UInt32(String(decoding: bytes[index..<index + 4], as: UTF8.self), radix: 16)
            else { throw problem("invalid \\u escape") }
            index += 4
            return value
        }
    }
}
