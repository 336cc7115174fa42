/// The front matter of typical content files read on UTF-8 bytes, for catalogs of 100,000 files.
///
/// It accepts only the plainest lines — `key: "quoted"` (without escapes), `key: plain`,
/// `key: [a, "b"]`, blank lines — and `key:` followed by indented `- item` lines, where an item is
/// a scalar, a one-line flow mapping (a variant) or a small block mapping of such values (an
/// option). It returns `nil` for anything else, so that `FrontMatterParser` reads the file as
/// before. For what it accepts it returns exactly the fields `QuickYAML` returns: it splits only
/// at ASCII bytes, and wherever such a byte touches a non-ASCII byte it asks the string whether the
/// split is a character boundary (a combining mark after a quote, say, makes one character that
/// `QuickYAML`, reading characters, would not split).
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
        guard let (lines, bodyOffset) = frontMatterLines(bytes, in: text) else { return nil }
        var fields: [ContentField] = []
        fields.reserveCapacity(16)
        var index = 0
        while index < lines.count {
            let number = index + 2  // line 1 is the opening '---'
            let line = lines[index]
            index += 1
            switch line.field(number: number) {
            case nil: return nil
            case .blank: continue
            case .field(let field): fields.append(field)
            case .listFollows(let key):
                guard let items = blockList(lines, from: &index) else { return nil }
                fields.append(ContentField(key: key, value: ContentValue(.list(items), line: number), line: number))
            }
        }
        return (fields, bodyOffset, lines.count + 3)
    }

    /// The lines between the opening and the closing `---`, and the offset of the body.
    private static func frontMatterLines(_ bytes: UnsafeBufferPointer<UInt8>, in text: String) -> ([Line], Int)? {
        var lines: [Line] = []
        lines.reserveCapacity(32)
        var lineStart = 0
        var opened = false
        let count = bytes.count
        while lineStart < count {
            var lineEnd = lineStart
            while lineEnd < count, bytes[lineEnd] != 0x0A, bytes[lineEnd] != 0x0D { lineEnd += 1 }
            var next = lineEnd
            if next < count { next += (bytes[next] == 0x0D && next + 1 < count && bytes[next + 1] == 0x0A) ? 2 : 1 }
            let line = Line(bytes: bytes, start: lineStart, end: lineEnd, text: text)
            if !opened {
                guard line.isDelimiter else { return nil }
                opened = true
            } else if line.isDelimiter {
                return (lines, next)
            } else {
                lines.append(line)
            }
            lineStart = next
        }
        return nil
    }

    /// The `- item` lines of a block list from `index`, which is left at the first line after
    /// the list. `nil` when the list has a line outside the fast subset, or no item.
    private static func blockList(_ lines: [Line], from index: inout Int) -> [ContentValue]? {
        var items: [ContentValue] = []
        while index < lines.count {
            let line = lines[index]
            if line.isBlank {
                index += 1
                continue
            }
            guard let item = line.itemStart() else { return nil }
            guard let itemText = item else { break }  // an unindented line: the next field
            let number = index + 2
            switch line.bytes[itemText] {
            case 0x7B:
                guard let (map, end) = line.flowMapping(from: itemText, line: number), end == line.contentEnd else { return nil }
                items.append(map)
                index += 1
            default:
                guard let isMapping = line.startsBlockMapping(at: itemText) else { return nil }
                if isMapping {
                    guard let map = blockMapping(lines, from: &index, column: itemText - line.start) else { return nil }
                    items.append(map)
                } else {
                    guard let scalar = line.scalar(from: itemText, line: number) else { return nil }
                    items.append(scalar)
                    index += 1
                }
            }
        }
        return items.isEmpty ? nil : items
    }

    /// A block mapping item: its first member after the dash, the others below at `column`.
    private static func blockMapping(_ lines: [Line], from index: inout Int, column: Int) -> ContentValue? {
        let number = index + 2
        var members: [(key: String, value: ContentValue)] = []
        var memberStart = lines[index].start + column
        while true {
            let line = lines[index]
            guard let member = line.blockMember(from: memberStart, line: index + 2), !members.contains(where: { $0.key == member.key }) else {
                return nil
            }
            members.append(member)
            index += 1
            guard index < lines.count else { break }
            let next = lines[index]
            if next.isBlank { break }
            guard let indent = next.indentation() else { return nil }
            if indent < column { break }
            guard indent == column, next.bytes[next.start + indent] != 0x2D else { return nil }
            memberStart = next.start + indent
        }
        return ContentValue(.map(members), line: number)
    }

    /// One line of front matter, as byte offsets into the file.
    struct Line {
        let bytes: UnsafeBufferPointer<UInt8>
        let start: Int
        let end: Int
        let text: String

        /// What a front matter line holds.
        enum Content {
            case blank
            case field(ContentField)
            /// `key:` alone: a block list follows.
            case listFollows(String)
        }

        /// `---`, optionally followed by spaces and tabs.
        var isDelimiter: Bool {
            guard end - start >= 3, bytes[start] == 0x2D, bytes[start + 1] == 0x2D, bytes[start + 2] == 0x2D else { return false }
            return (start + 3..<end).allSatisfy { bytes[$0] == 0x20 || bytes[$0] == 0x09 }
        }

        /// Whether the line has only spaces and tabs.
        var isBlank: Bool { contentEnd == start }

        /// The end of the line without trailing spaces and tabs.
        var contentEnd: Int {
            var contentEnd = end
            while contentEnd > start, bytes[contentEnd - 1] == 0x20 || bytes[contentEnd - 1] == 0x09 { contentEnd -= 1 }
            return contentEnd
        }

        /// The field on this line; `nil` when the line is outside the fast subset.
        func field(number: Int) -> Content? {
            let contentEnd = contentEnd
            guard splits(at: contentEnd) else { return nil }
            if contentEnd == start { return .blank }
            // The key: ASCII letters, digits, '_' and '-', not starting with '-'.
            var colon = start
            while colon < contentEnd, isKeyByte(bytes[colon]) { colon += 1 }
            guard colon > start, bytes[start] != 0x2D, colon < contentEnd, bytes[colon] == 0x3A else { return nil }
            let key = string(start, colon)
            if colon + 1 == contentEnd { return .listFollows(key) }
            var valueStart = colon + 1
            guard bytes[valueStart] == 0x20 || bytes[valueStart] == 0x09 else { return nil }
            valueStart = skipSpaces(valueStart, contentEnd)
            guard valueStart < contentEnd, splits(at: valueStart) else { return nil }
            let value: ContentValue
            if bytes[valueStart] == 0x5B {
                guard let items = flowList(from: valueStart, to: contentEnd, line: number) else { return nil }
                value = ContentValue(.list(items), line: number)
            } else {
                guard let scalar = scalar(from: valueStart, line: number) else { return nil }
                value = scalar
            }
            return .field(ContentField(key: key, value: value, line: number))
        }

        /// For a `- item` line, the offset where the item's text starts; `.some(nil)` for an
        /// unindented line that is not an item; `nil` for anything else.
        func itemStart() -> Int?? {
            guard let indent = indentation() else { return nil }
            let dash = start + indent
            guard bytes[dash] == 0x2D else { return indent == 0 ? .some(nil) : nil }
            let contentEnd = contentEnd
            guard dash + 1 < contentEnd, bytes[dash + 1] == 0x20 else { return nil }
            let itemText = skipSpaces(dash + 1, contentEnd)
            guard splits(at: itemText) else { return nil }
            return itemText
        }

        /// The number of leading spaces of a line that has content; `nil` for a blank line, a
        /// comment, a tab in the indentation or a first character that is not ASCII.
        func indentation() -> Int? {
            let contentEnd = contentEnd
            var first = start
            while first < contentEnd, bytes[first] == 0x20 { first += 1 }
            guard first < contentEnd, bytes[first] != 0x09, bytes[first] != 0x23, bytes[first] < 0x80 else { return nil }
            return first - start
        }

        func skipSpaces(_ from: Int, _ limit: Int) -> Int {
            var index = from
            while index < limit, bytes[index] == 0x20 || bytes[index] == 0x09 { index += 1 }
            return index
        }

        func isKeyByte(_ byte: UInt8) -> Bool {
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || byte == 0x5F || byte == 0x2D
        }

        /// Whether the file may be cut between bytes `offset - 1` and `offset` as `QuickYAML` cuts
        /// characters: always between two ASCII bytes (no CR or LF occurs inside a line), else
        /// when the string says the offset is a character boundary.
        func splits(at offset: Int) -> Bool {
            guard offset > start, offset < end, bytes[offset - 1] >= 0x80 || bytes[offset] >= 0x80 else { return true }
            let index = text.utf8.index(text.utf8.startIndex, offsetBy: offset)
            return String.Index(index, within: text) != nil
        }

        func string(_ from: Int, _ to: Int) -> String {
            String(decoding: UnsafeBufferPointer(rebasing: bytes[from..<to]), as: UTF8.self)
        }
    }
}
