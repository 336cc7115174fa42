/// A line-based reader for the flat YAML that content files use: `key: scalar`, `key: [a, b]` and
/// `key:` followed by `- item` lines, where an item is a scalar, a one-line flow mapping
/// (`- {sku: A, options: {重量: 1 公斤}, price: 380}`, a variant) or a small block mapping of such
/// values (`- name: 重量` with `values: [...]` below it, an option). It returns `nil` for anything
/// richer, so that the caller can hand the text to a full YAML parser; it never guesses.
enum QuickYAML {
    static func parse(_ lines: [Substring], firstLine: Int) throws(ParseProblem) -> [ContentField]? {
        var fields: [ContentField] = []
        fields.reserveCapacity(lines.count)
        var index = 0
        while index < lines.count {
            let lineNumber = firstLine + index
            let raw = lines[index]
            index += 1
            let content = raw.trimmingTrailingSpaces()
            if content.isEmpty || content.first == "#" { continue }
            // Indented lines and list items outside a `key:` block are not in the subset.
            guard let first = content.first, first != " ", first != "\t", first != "-" else { return nil }
            guard let colon = content.firstIndex(of: ":") else {
                throw ParseProblem(line: lineNumber, message: "expected 'field: value'")
            }
            let key = content[content.startIndex..<colon]
            guard !key.isEmpty, key.unicodeScalars.allSatisfy(isKeyScalar) else { return nil }
            let afterColon = content[content.index(after: colon)...]
            if let next = afterColon.first, next != " ", next != "\t" { return nil }
            let valueText = afterColon.trimmingLeadingSpaces()

            if valueText.isEmpty || valueText.first == "#" {
                // A block list may follow; anything else indented means a nested structure.
                var items: [ContentValue] = []
                while index < lines.count {
                    let itemLine = lines[index].trimmingTrailingSpaces()
                    let trimmed = itemLine.trimmingLeadingSpaces()
                    if trimmed.isEmpty || trimmed.first == "#" { index += 1; continue }
                    guard trimmed.first == "-" else {
                        if itemLine.first == " " || itemLine.first == "\t" { return nil }
                        break
                    }
                    let afterDash = trimmed.dropFirst()
                    guard afterDash.isEmpty || afterDash.first == " " else { return nil }
                    let itemText = afterDash.trimmingLeadingSpaces()
                    let itemNumber = firstLine + index
                    if itemText.first == "{" {
                        guard let (map, rest) = try flowMapping(itemText, line: itemNumber), rest.isEmpty || rest.first == "#" else { return nil }
                        items.append(map)
                        index += 1
                    } else if let colon = itemText.firstIndex(of: ":"), isBlockKey(itemText[itemText.startIndex..<colon]),
                        itemText.index(after: colon) == itemText.endIndex || itemText[itemText.index(after: colon)] == " "
                    {
                        // A block mapping: its first member after the dash, the others below at the same column.
                        let column = itemLine.count - itemText.count
                        var members: [(key: String, value: ContentValue)] = []
                        var memberText = itemText
                        var memberLine = itemNumber
                        while true {
                            guard let member = try blockMember(memberText, line: memberLine), !members.contains(where: { $0.key == member.key }) else {
                                return nil
                            }
                            members.append(member)
                            index += 1
                            guard index < lines.count else { break }
                            let next = lines[index].trimmingTrailingSpaces()
                            let nextText = next.trimmingLeadingSpaces()
                            if nextText.isEmpty || nextText.first == "#" { break }
                            let nextColumn = next.count - nextText.count
                            if nextColumn < column { break }
                            guard nextColumn == column, nextText.first != "-" else { return nil }
                            memberText = nextText
                            memberLine = firstLine + index
                        }
                        items.append(ContentValue(.map(members), line: itemNumber))
                    } else {
                        guard let item = try scalar(itemText, line: itemNumber) else { return nil }
                        items.append(item)
                        index += 1
                    }
                }
                let value = items.isEmpty ? ContentValue(.null, line: lineNumber) : ContentValue(.list(items), line: lineNumber)
                fields.append(ContentField(key: String(key), value: value, line: lineNumber))
                continue
            }
            if valueText.first == "[" {
                guard let list = try flowList(valueText, line: lineNumber) else { return nil }
                fields.append(ContentField(key: String(key), value: list, line: lineNumber))
                continue
            }
            guard let value = try scalar(valueText, line: lineNumber) else { return nil }
            fields.append(ContentField(key: String(key), value: value, line: lineNumber))
        }
        return fields
    }

    private static func isKeyScalar(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "_" || scalar == "-"
    }

    /// Whether `key` is a plain key this reader takes in a block mapping item.
    private static func isBlockKey(_ key: Substring) -> Bool {
        !key.isEmpty && key.unicodeScalars.allSatisfy(isKeyScalar)
    }

    /// One `key: value` member of a block mapping item, the value a scalar, flow list or flow
    /// mapping filling the rest of the line.
    private static func blockMember(_ text: Substring, line: Int) throws(ParseProblem) -> (key: String, value: ContentValue)? {
        guard let colon = text.firstIndex(of: ":"), isBlockKey(text[text.startIndex..<colon]) else { return nil }
        let after = text[text.index(after: colon)...]
        guard after.isEmpty || after.first == " " else { return nil }
        let valueText = after.trimmingLeadingSpaces()
        let key = String(text[text.startIndex..<colon])
        switch valueText.first {
        case nil, "#": return nil  // a nested block: left to Yams
        case "[":
            guard let list = try flowList(valueText, line: line) else { return nil }
            return (key, list)
        case "{":
            guard let (map, rest) = try flowMapping(valueText, line: line), rest.isEmpty || rest.first == "#" else { return nil }
            return (key, map)
        default:
            guard let value = try scalar(valueText, line: line) else { return nil }
            return (key, value)
        }
    }

    /// Reads `{a: 1, "b": "x", c: {d: e}, f: [g]}` at the start of `text` on one line; returns the
    /// mapping and the text after its `}`. `nil` for anything outside this small subset of flow YAML.
    static func flowMapping(_ text: Substring, line: Int) throws(ParseProblem) -> (ContentValue, Substring)? {
        var rest = text.dropFirst().trimmingLeadingSpaces()
        var members: [(key: String, value: ContentValue)] = []
        if rest.first == "}" { return (ContentValue(.map([]), line: line), rest.dropFirst().trimmingLeadingSpaces()) }
        while true {
            // The key: quoted, or plain up to its `: `.
            let key: String
            if rest.first == "\"" || rest.first == "'" {
                guard let (value, after) = try quoted(rest, line: line), after.first == ":" else { return nil }
                key = value
                rest = after
            } else {
                guard let colon = rest.firstIndex(of: ":") else { return nil }
                let plain = rest[rest.startIndex..<colon].trimmingTrailingSpaces()
                if plain.isEmpty || plain.contains(where: { "[]{},#&*!|>\"'%@`?".contains($0) }) || plain.first == "-" { return nil }
                key = String(plain)
                rest = rest[colon...]
            }
            // `:` then a space (in flow YAML `a:b` is one scalar).
            rest = rest.dropFirst()
            guard rest.first == " " else { return nil }
            rest = rest.trimmingLeadingSpaces()
            let value: ContentValue
            switch rest.first {
            case "{":
                guard let (map, after) = try flowMapping(rest, line: line) else { return nil }
                value = map
                rest = after
            case "[":
                guard let end = rest.firstIndex(of: "]"), let list = try flowList(rest[rest.startIndex...end], line: line) else { return nil }
                value = list
                rest = rest[rest.index(after: end)...].trimmingLeadingSpaces()
            case "\"", "'":
                guard let (text, after) = try quoted(rest, line: line) else { return nil }
                value = ContentValue(.scalar(text, quoted: true), line: line)
                rest = after.trimmingLeadingSpaces()
            default:
                guard let end = rest.firstIndex(where: { $0 == "," || $0 == "}" }) else { return nil }
                let plain = rest[rest.startIndex..<end].trimmingTrailingSpaces()
                if plain.isEmpty || plain.contains(where: { "[]{}#&*!|>\"'%@`?".contains($0) }) || plain.contains(": ") || plain.last == ":" {
                    return nil
                }
                value =
                    isNullWord(plain)
                    ? ContentValue(.null, line: line) : ContentValue(.scalar(String(plain), quoted: false), line: line)
                rest = rest[end...]
            }
            guard !members.contains(where: { $0.key == key }) else { return nil }
            members.append((key, value))
            guard let separator = rest.first else { return nil }
            rest = rest.dropFirst().trimmingLeadingSpaces()
            if separator == "}" { return (ContentValue(.map(members), line: line), rest) }
            guard separator == "," else { return nil }
            if rest.first == "}" { return nil }  // a trailing comma: left to Yams
        }
    }

    /// Reads one scalar that fills the rest of a line (a trailing ` # comment` is allowed).
    /// Returns `nil` for YAML features outside the subset.
    static func scalar(_ text: Substring, line: Int) throws(ParseProblem) -> ContentValue? {
        guard let first = text.first else { return ContentValue(.null, line: line) }
        switch first {
        case "\"", "'":
            guard let (value, rest) = try quoted(text, line: line) else { return nil }
            let tail = rest.trimmingLeadingSpaces()
            guard tail.isEmpty || tail.first == "#" else {
                throw ParseProblem(line: line, message: "unexpected text after the closing quote")
            }
            return ContentValue(.scalar(value, quoted: true), line: line)
        case "|", ">", "{", "[", "&", "*", "!", "%", "@", "`", "?":
            return nil
        default:
            var plain = text
            if let hash = commentStart(plain) { plain = plain[plain.startIndex..<hash].trimmingTrailingSpaces() }
            // `key: value: more` is a nested mapping in YAML.
            if plain.contains(": ") || plain.last == ":" { return nil }
            if isNullWord(plain) { return ContentValue(.null, line: line) }
            return ContentValue(.scalar(String(plain), quoted: false), line: line)
        }
    }

    /// Whether a plain scalar is YAML's null (`~`, `null`, `Null`, `NULL`); the fast reader asks too.
    static func isNullWord(_ plain: some StringProtocol) -> Bool {
        plain == "~" || plain == "null" || plain == "Null" || plain == "NULL"
    }

    /// The start of a ` #` comment in a plain scalar.
    private static func commentStart(_ text: Substring) -> Substring.Index? {
        var previous: Character = " "
        for index in text.indices {
            let c = text[index]
            if c == "#", previous == " " || previous == "\t" { return index }
            previous = c
        }
        return nil
    }

    /// Reads a quoted scalar at the start of `text`; returns its value and the text after it.
    private static func quoted(_ text: Substring, line: Int) throws(ParseProblem) -> (String, Substring)? {
        let quote = text.first!
        var value = ""
        var index = text.index(after: text.startIndex)
        while index < text.endIndex {
            let c = text[index]
            if quote == "'" {
                if c == "'" {
                    let next = text.index(after: index)
                    if next < text.endIndex, text[next] == "'" {
                        value.append("'")
                        index = text.index(after: next)
                        continue
                    }
                    return (value, text[next...])
                }
                value.append(c)
            } else {
                if c == "\"" { return (value, text[text.index(after: index)...]) }
                if c == "\\" {
                    index = text.index(after: index)
                    guard index < text.endIndex else { break }
                    switch text[index] {
                    case "\"": value.append("\"")
                    case "\\": value.append("\\")
                    case "/": value.append("/")
                    case "n": value.append("\n")
                    case "t": value.append("\t")
                    case "r": value.append("\r")
                    case "0": value.append("\0")
                    case "u":
                        let hexStart = text.index(after: index)
                        guard let hexEnd = text.index(hexStart, offsetBy: 4, limitedBy: text.endIndex),
                            let code = UInt32(text[hexStart..<hexEnd], radix: 16),
                            let scalar = Unicode.Scalar(code)
                        else { throw ParseProblem(line: line, message: "invalid \\u escape in a quoted string") }
                        value.unicodeScalars.append(scalar)
                        index = text.index(before: hexEnd)
                    default:
                        return nil
                    }
                } else {
                    value.append(c)
                }
            }
            index = text.index(after: index)
        }
        // An unterminated quote may continue on the next line in YAML: let Yams decide.
        return nil
    }

    /// Reads `[a, "b", c]` on one line.
    private static func flowList(_ text: Substring, line: Int) throws(ParseProblem) -> ContentValue? {
        var rest = text.dropFirst().trimmingLeadingSpaces()
        var items: [ContentValue] = []
        if rest.first == "]" {
            let tail = rest.dropFirst().trimmingLeadingSpaces()
            guard tail.isEmpty || tail.first == "#" else { return nil }
            return ContentValue(.list([]), line: line)
        }
        while true {
            if rest.first == "\"" || rest.first == "'" {
                guard let (value, after) = try quoted(rest, line: line) else { return nil }
                items.append(ContentValue(.scalar(value, quoted: true), line: line))
                rest = after.trimmingLeadingSpaces()
            } else {
                guard let end = rest.firstIndex(where: { $0 == "," || $0 == "]" }) else { return nil }
                let item = rest[rest.startIndex..<end].trimmingTrailingSpaces()
                if item.isEmpty || item.contains(where: { "[{}#&*!|>\"'".contains($0) }) || item.contains(": ") { return nil }
                items.append(ContentValue(.scalar(String(item), quoted: false), line: line))
                rest = rest[end...]
            }
            guard let separator = rest.first else { return nil }
            rest = rest.dropFirst().trimmingLeadingSpaces()
            if separator == "]" {
                guard rest.isEmpty || rest.first == "#" else { return nil }
                return ContentValue(.list(items), line: line)
            }
            guard separator == "," else { return nil }
        }
    }
}
