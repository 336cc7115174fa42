/// Rewrites one top-level field's value in a product file and leaves every other byte as it was.
///
/// Markdown files: the `key: value` line of the YAML front matter (keeping the value's quoting and
/// any trailing comment). JSON files: the member's value token (keeping string or number form).
/// A field that is missing is added (only `draft` can be missing) in the file's own style.
enum ContentFieldEditor {
    struct EditError: Error, Sendable, CustomStringConvertible {
        var description: String
    }

    /// A new scalar value: `text` is the bare value (`380`, `true`); `preferString` says whether a
    /// newly added or originally quoted value is written as a string.
    struct Value {
        var text: String
        var isBoolean: Bool
    }

    static func edit(_ source: String, isJSON: Bool, key: String, value: Value) throws(EditError) -> String {
        isJSON ? try editJSON(source, key: key, value: value) : try editFrontMatter(source, key: key, value: value)
    }

    // MARK: Markdown front matter

    static func editFrontMatter(_ source: String, key: String, value: Value) throws(EditError) -> String {
        let bytes = Array(source.utf8)
        let (lines, closing) = try frontMatterLines(bytes)
        let keyBytes = Array(key.utf8)
        for lineIndex in 1..<closing {
            let line = lines[lineIndex]
            guard let (span, replacement) = try valueEdit(in: Array(bytes[line]), at: 0, key: keyBytes, value: value, inFlow: false) else { continue }
            return splice(bytes, (line.lowerBound + span.lowerBound)..<(line.lowerBound + span.upperBound), replacement)
        }
        // Not present: add `key: value` just before the closing delimiter, with the file's line ending.
        let insertAt = lines[closing].lowerBound
        return splice(bytes, insertAt..<insertAt, key + ": " + value.text + lineEnding(of: source))
    }

    /// The lines of `bytes` (ranges without their `\n` or `\r\n`) and the index of the front
    /// matter's closing `---`: what both the product and the variant edits work on.
    static func frontMatterLines(_ bytes: [UInt8]) throws(EditError) -> (lines: [Range<Int>], closing: Int) {
        var lines: [Range<Int>] = []
        var start = 0
        for (index, byte) in bytes.enumerated() where byte == UInt8(ascii: "\n") {
            lines.append(start..<(index > start && bytes[index - 1] == UInt8(ascii: "\r") ? index - 1 : index))
            start = index + 1
        }
        if start < bytes.count { lines.append(start..<bytes.count) }
        // `---` and trailing spaces only, as the content's own reader has it.
        func isDelimiter(_ range: Range<Int>) -> Bool {
            var end = range.upperBound
            while end > range.lowerBound, bytes[end - 1] == UInt8(ascii: " ") || bytes[end - 1] == UInt8(ascii: "\t") { end -= 1 }
            return bytes[range.lowerBound..<end].elementsEqual("---".utf8)
        }
        guard let first = lines.first, isDelimiter(first) else { throw EditError(description: "the file has no front matter") }
        guard let closing = lines.indices.dropFirst().first(where: { isDelimiter(lines[$0]) }) else {
            throw EditError(description: "the front matter is never closed")
        }
        return (lines, closing)
    }

    /// `bytes` with `range` replaced by `text`.
    static func splice(_ bytes: [UInt8], _ range: Range<Int>, _ text: String) -> String {
        String(decoding: Array(bytes[..<range.lowerBound]) + Array(text.utf8) + Array(bytes[range.upperBound...]), as: UTF8.self)
    }

    /// The file's own line ending, for a line the edit adds.
    static func lineEnding(of source: String) -> String { source.contains("\r\n") ? "\r\n" : "\n" }

    /// When `content` (one line, without its terminator) has the key `key` at `column` followed by
    /// `:`, the byte range of its value and the text to put there: `value` in the old value's
    /// quotes, or bare. In a flow mapping (`inFlow`) a bare value also ends at `,` or `}`.
    static func valueEdit(in content: [UInt8], at column: Int, key: [UInt8], value: Value, inFlow: Bool) throws(EditError) -> (Range<Int>, String)? {
        let name = String(decoding: key, as: UTF8.self)
        guard content.count > column + key.count, Array(content[column..<(column + key.count)]) == key else { return nil }
        var cursor = column + key.count
        while cursor < content.count, content[cursor] == UInt8(ascii: " ") { cursor += 1 }
        guard cursor < content.count, content[cursor] == UInt8(ascii: ":") else { return nil }
        cursor += 1
        while cursor < content.count, content[cursor] == UInt8(ascii: " ") || content[cursor] == UInt8(ascii: "\t") { cursor += 1 }
        let valueStart = cursor
        var valueEnd = content.count
        if valueEnd > valueStart, content[valueEnd - 1] == UInt8(ascii: "\r") { valueEnd -= 1 }
        guard valueStart < valueEnd else { throw EditError(description: "\(name) has no value on its line; edit the file by hand") }
        switch content[valueStart] {
        case UInt8(ascii: "\""), UInt8(ascii: "'"):
            let quote = content[valueStart]
            var end = valueStart + 1
            while end < valueEnd {
                if content[end] == UInt8(ascii: "\\"), quote == UInt8(ascii: "\"") { end += 2; continue }
                if content[end] == quote { break }
                end += 1
            }
            guard end < valueEnd else { throw EditError(description: "\(name)'s quoted value is not closed on its line") }
            let q = String(UnicodeScalar(quote))
            return (valueStart..<(end + 1), q + value.text + q)
        case UInt8(ascii: "["), UInt8(ascii: "{"), UInt8(ascii: "|"), UInt8(ascii: ">"), UInt8(ascii: "&"), UInt8(ascii: "*"), UInt8(ascii: "!"):
            throw EditError(description: "\(name) is not a plain value; edit the file by hand")
        default:
            // A plain scalar ends before a ` #` comment or trailing spaces (and in a flow mapping at `,` or `}`).
            var end = valueStart
            while end < valueEnd {
                if content[end] == UInt8(ascii: "#"), end > valueStart, content[end - 1] == UInt8(ascii: " ") || content[end - 1] == UInt8(ascii: "\t") {
                    break
                }
                if inFlow, content[end] == UInt8(ascii: ",") || content[end] == UInt8(ascii: "}") { break }
                end += 1
            }
            while end > valueStart, content[end - 1] == UInt8(ascii: " ") || content[end - 1] == UInt8(ascii: "\t") { end -= 1 }
            return (valueStart..<end, value.text)
        }
    }

    // MARK: JSON

    static func editJSON(_ source: String, key: String, value: Value) throws(EditError) -> String {
        let bytes = Array(source.utf8)
        var scanner = JSONSpanScanner(bytes: bytes)
        let members: [JSONSpanScanner.Member]
        do {
            members = try scanner.topLevelMembers()
        } catch {
            throw EditError(description: "the file is not a JSON object: \(error.description)")
        }
        if let member = members.last(where: { $0.key == key }) {
            return splice(bytes, member.value, jsonText(value, replacing: member.value, in: bytes))
        }
        guard let last = members.last else { throw EditError(description: "the JSON object is empty") }
        let indent = indentation(of: members[0].keyStart, in: bytes)
        let added = "," + lineEnding(of: source) + indent + "\"" + key + "\": " + jsonText(value, replacing: nil, in: bytes)
        return splice(bytes, last.value.upperBound..<last.value.upperBound, added)
    }

    /// `value` as a JSON token: in the form of the token it replaces (a string stays a string, a
    /// number a number); a new one, or a flag, as a string or a boolean.
    static func jsonText(_ value: Value, replacing old: Range<Int>?, in bytes: [UInt8]) -> String {
        let asString = !value.isBoolean && (old.map { bytes[$0.lowerBound] == UInt8(ascii: "\"") } ?? true)
        return asString ? "\"" + value.text + "\"" : value.text
    }

    private static func indentation(of index: Int, in bytes: [UInt8]) -> String {
        var start = index
        while start > 0, bytes[start - 1] == UInt8(ascii: " ") || bytes[start - 1] == UInt8(ascii: "\t") { start -= 1 }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }
}

/// Finds the byte ranges of a JSON object's top-level members without building a tree.
struct JSONSpanScanner {
    struct Member {
        var key: String
        var keyStart: Int
        var value: Range<Int>
    }

    struct Problem: Error, CustomStringConvertible {
        var description: String
    }

    let bytes: [UInt8]
    var index = 0

    init(bytes: [UInt8]) {
        self.bytes = bytes
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { index = 3 }
    }

    mutating func topLevelMembers() throws(Problem) -> [Member] {
        skipSpace()
        return try objectMembers()
    }

    /// The members of the object at the current position (after any space).
    mutating func objectMembers() throws(Problem) -> [Member] {
        try expect(UInt8(ascii: "{"))
        var members: [Member] = []
        skipSpace()
        if peek == UInt8(ascii: "}") { return [] }
        while true {
            skipSpace()
            let keyStart = index
            let keyRange = try skipString()
            let key = Self.decodeKey(Array(bytes[(keyRange.lowerBound + 1)..<(keyRange.upperBound - 1)]))
            skipSpace()
            try expect(UInt8(ascii: ":"))
            skipSpace()
            let valueStart = index
            try skipValue(depth: 0)
            members.append(Member(key: key, keyStart: keyStart, value: valueStart..<index))
            skipSpace()
            if peek == UInt8(ascii: ",") { index += 1; continue }
            try expect(UInt8(ascii: "}"))
            return members
        }
    }

    /// The byte ranges of the elements of the array at the current position.
    mutating func arrayElements() throws(Problem) -> [Range<Int>] {
        try expect(UInt8(ascii: "["))
        var elements: [Range<Int>] = []
        skipSpace()
        if peek == UInt8(ascii: "]") { return [] }
        while true {
            skipSpace()
            let start = index
            try skipValue(depth: 1)
            elements.append(start..<index)
            skipSpace()
            if peek == UInt8(ascii: ",") { index += 1; continue }
            try expect(UInt8(ascii: "]"))
            return elements
        }
    }

    private var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

    private mutating func skipSpace() {
        while let b = peek, b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D { index += 1 }
    }

    private mutating func expect(_ byte: UInt8) throws(Problem) {
        guard peek == byte else { throw Problem(description: "expected '\(String(UnicodeScalar(byte)))' at byte \(index)") }
        index += 1
    }

    private mutating func skipString() throws(Problem) -> Range<Int> {
        let start = index
        try expect(UInt8(ascii: "\""))
        while let b = peek {
            index += 1
            if b == UInt8(ascii: "\\") { index += 1; continue }
            if b == UInt8(ascii: "\"") { return start..<index }
        }
        throw Problem(description: "unterminated string")
    }

    private mutating func skipValue(depth: Int) throws(Problem) {
        guard depth < 64 else { throw Problem(description: "nested too deeply") }
        guard let b = peek else { throw Problem(description: "unexpected end") }
        switch b {
        case UInt8(ascii: "\""): _ = try skipString()
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            let close = b == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: "]")
            index += 1
            skipSpace()
            if peek == close { index += 1; return }
            while true {
                skipSpace()
                if b == UInt8(ascii: "{") {
                    _ = try skipString()
                    skipSpace()
                    try expect(UInt8(ascii: ":"))
                    skipSpace()
                }
                try skipValue(depth: depth + 1)
                skipSpace()
                if peek == UInt8(ascii: ",") { index += 1; continue }
                try expect(close)
                return
            }
        default:
            let start = index
            while let c = peek,
                !(c == UInt8(ascii: ",") || c == UInt8(ascii: "}") || c == UInt8(ascii: "]") || c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D)
            {
                index += 1
            }
            if index == start { throw Problem(description: "expected a value at byte \(start)") }
        }
    }

    private static func decodeKey(_ raw: [UInt8]) -> String {
        guard raw.contains(UInt8(ascii: "\\")) else { return String(decoding: raw, as: UTF8.self) }
        var out: [UInt8] = []
        var i = 0
        while i < raw.count {
            if raw[i] == UInt8(ascii: "\\"), i + 1 < raw.count {
                out.append(raw[i + 1])
                i += 2
            } else {
                out.append(raw[i])
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
