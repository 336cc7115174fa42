/// The front matter of typical content files read on UTF-8 bytes, for catalogs of 100,000 files.
///
/// It accepts only the plainest lines — `key: "quoted"` (without escapes), `key: plain`,
/// `key: [a, b]` (plain items), blank lines — and returns `nil` for anything else, so that
/// `FrontMatterParser` reads the file as before. For what it accepts it returns exactly the fields
/// `QuickYAML` returns: it splits only at ASCII bytes, and wherever such a byte touches a non-ASCII
/// byte it asks the string whether the split is a character boundary (a combining mark after a
/// quote, say, makes one character that `QuickYAML`, reading characters, would not split).
enum FastFrontMatter {
    static func parse(_ text: String) -> FrontMatterDocument? {
        var storage = text
        let result: (fields: [ContentField], bodyOffset: Int, bodyLine: Int)? = storage.withUTF8 { bytes in
            parse(bytes, in: text)
        }
        guard let result else { return nil }
        let bodyStart = text.utf8.index(text.utf8.startIndex, offsetBy: result.bodyOffset)
        return FrontMatterDocument(fields: result.fields, body: String(text[bodyStart...]), bodyLine: result.bodyLine)
    }

    private static func parse(_ bytes: UnsafeBufferPointer<UInt8>, in text: String) -> (fields: [ContentField], bodyOffset: Int, bodyLine: Int)? {
        var fields: [ContentField] = []
        fields.reserveCapacity(16)
        var lineStart = 0
        var lineIndex = 0  // 0 is the opening '---'
        let count = bytes.count
        while lineStart < count {
            var lineEnd = lineStart
            while lineEnd < count, bytes[lineEnd] != 0x0A, bytes[lineEnd] != 0x0D { lineEnd += 1 }
            var next = lineEnd
            if next < count { next += (bytes[next] == 0x0D && next + 1 < count && bytes[next + 1] == 0x0A) ? 2 : 1 }
            let line = Line(bytes: bytes, start: lineStart, end: lineEnd, text: text)
            if lineIndex == 0 {
                guard line.isDelimiter else { return nil }
            } else if line.isDelimiter {
                return (fields, next, lineIndex + 2)
            } else {
                guard let field = line.field(number: lineIndex + 1) else { return nil }
                if let field { fields.append(field) }
            }
            lineIndex += 1
            lineStart = next
        }
        return nil
    }

    /// One line of front matter, as byte offsets into the file.
    private struct Line {
        let bytes: UnsafeBufferPointer<UInt8>
        let start: Int
        let end: Int
        let text: String

        /// `---`, optionally followed by spaces and tabs.
        var isDelimiter: Bool {
            guard end - start >= 3, bytes[start] == 0x2D, bytes[start + 1] == 0x2D, bytes[start + 2] == 0x2D else { return false }
            return (start + 3..<end).allSatisfy { bytes[$0] == 0x20 || bytes[$0] == 0x09 }
        }

        /// The field on this line: `.some(nil)` for a blank line, `nil` when the line is outside
        /// the fast subset.
        func field(number: Int) -> ContentField?? {
            var contentEnd = end
            while contentEnd > start, bytes[contentEnd - 1] == 0x20 || bytes[contentEnd - 1] == 0x09 { contentEnd -= 1 }
            guard splits(at: contentEnd) else { return nil }
            if contentEnd == start { return .some(nil) }
            // The key: ASCII letters, digits, '_' and '-', not starting with '-'.
            var colon = start
            while colon < contentEnd, isKeyByte(bytes[colon]) { colon += 1 }
            guard colon > start, bytes[start] != 0x2D, colon < contentEnd, bytes[colon] == 0x3A else { return nil }
            var valueStart = colon + 1
            guard valueStart < contentEnd, bytes[valueStart] == 0x20 || bytes[valueStart] == 0x09 else { return nil }
            while valueStart < contentEnd, bytes[valueStart] == 0x20 || bytes[valueStart] == 0x09 { valueStart += 1 }
            guard valueStart < contentEnd, splits(at: valueStart) else { return nil }
            let key = string(start, colon)
            let value: ContentValue
            switch bytes[valueStart] {
            case 0x22:
                guard let quoted = quoted(from: valueStart, to: contentEnd) else { return nil }
                value = ContentValue(.scalar(quoted, quoted: true), line: number)
            case 0x5B:
                guard let items = flowList(from: valueStart, to: contentEnd, line: number) else { return nil }
                value = ContentValue(.list(items), line: number)
            default:
                guard let plain = plain(from: valueStart, to: contentEnd) else { return nil }
                value =
                    ["~", "null", "Null", "NULL"].contains(plain)
                    ? ContentValue(.null, line: number) : ContentValue(.scalar(plain, quoted: false), line: number)
            }
            return .some(ContentField(key: key, value: value, line: number))
        }

        /// `"text"` filling the rest of the line, without backslash escapes.
        private func quoted(from open: Int, to contentEnd: Int) -> String? {
            var close = open + 1
            while close < contentEnd, bytes[close] != 0x22 {
                if bytes[close] == 0x5C { return nil }
                close += 1
            }
            guard close == contentEnd - 1, splits(at: open + 1), splits(at: close) else { return nil }
            return string(open + 1, close)
        }

        /// A plain scalar: no comment, no `: ` (a nested mapping) and no character YAML treats specially first.
        private func plain(from first: Int, to contentEnd: Int) -> String? {
            guard !"|>{[&*!%@`?'".utf8.contains(bytes[first]) else { return nil }
            for index in first..<contentEnd {
                if bytes[index] == 0x23 { return nil }
                if bytes[index] == 0x3A, index + 1 == contentEnd || bytes[index + 1] == 0x20 { return nil }
            }
            return string(first, contentEnd)
        }

        /// `[a, b, c]` with plain items, filling the rest of the line.
        private func flowList(from open: Int, to contentEnd: Int, line number: Int) -> [ContentValue]? {
            var index = skipSpaces(open + 1, contentEnd)
            guard splits(at: open + 1), splits(at: index), index < contentEnd else { return nil }
            if bytes[index] == 0x5D { return index + 1 == contentEnd ? [] : nil }
            var items: [ContentValue] = []
            while true {
                let itemStart = index
                while index < contentEnd, bytes[index] != 0x2C, bytes[index] != 0x5D {
                    if "[{}#&*!|>\"'".utf8.contains(bytes[index]) { return nil }
                    if bytes[index] == 0x3A, index + 1 < contentEnd, bytes[index + 1] == 0x20 { return nil }
                    index += 1
                }
                guard index < contentEnd else { return nil }
                var itemEnd = index
                while itemEnd > itemStart, bytes[itemEnd - 1] == 0x20 || bytes[itemEnd - 1] == 0x09 { itemEnd -= 1 }
                guard itemEnd > itemStart, splits(at: itemStart), splits(at: itemEnd), splits(at: index), splits(at: index + 1) else { return nil }
                items.append(ContentValue(.scalar(string(itemStart, itemEnd), quoted: false), line: number))
                let separator = bytes[index]
                index = skipSpaces(index + 1, contentEnd)
                guard splits(at: index) else { return nil }
                if separator == 0x5D { return index == contentEnd ? items : nil }
            }
        }

        private func skipSpaces(_ from: Int, _ limit: Int) -> Int {
            var index = from
            while index < limit, bytes[index] == 0x20 || bytes[index] == 0x09 { index += 1 }
            return index
        }

        private func isKeyByte(_ byte: UInt8) -> Bool {
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || byte == 0x5F || byte == 0x2D
        }

        /// Whether the file may be cut between bytes `offset - 1` and `offset` as `QuickYAML` cuts
        /// characters: always between two ASCII bytes (no CR or LF occurs inside a line), else
        /// when the string says the offset is a character boundary.
        private func splits(at offset: Int) -> Bool {
            guard offset > start, offset < end, bytes[offset - 1] >= 0x80 || bytes[offset] >= 0x80 else { return true }
            let index = text.utf8.index(text.utf8.startIndex, offsetBy: offset)
            return String.Index(index, within: text) != nil
        }

        private func string(_ from: Int, _ to: Int) -> String {
            String(decoding: UnsafeBufferPointer(rebasing: bytes[from..<to]), as: UTF8.self)
        }
    }
}
