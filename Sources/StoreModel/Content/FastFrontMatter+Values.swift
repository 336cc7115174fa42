/// The values `FastFrontMatter` reads inside one line: scalars, flow lists, flow mappings and the
/// members of a block mapping item, each the same as `QuickYAML`'s reading or `nil`.
extension FastFrontMatter.Line {
    /// Bytes that may not start a plain scalar.
    private static let plainStarts = ASCIISet("|>{[&*!%@`?'\"")
    /// Bytes that may not occur in a plain item of a flow list.
    private static let listItemSpecials = ASCIISet("[{}#&*!|>\"'")
    /// Bytes that may not occur in a plain key of a flow mapping.
    private static let flowKeySpecials = ASCIISet("[]{},#&*!|>\"'%@`?")
    /// Bytes that may not occur in a plain value of a flow mapping.
    private static let flowValueSpecials = ASCIISet("[]{}#&*!|>\"'%@`?")

    /// A scalar filling the rest of the line: `"text"` without escapes, or a plain scalar.
    func scalar(from first: Int, line number: Int) -> ContentValue? {
        let contentEnd = contentEnd
        if bytes[first] == 0x22 {
            guard let (text, after) = quoted(from: first, limit: contentEnd), after == contentEnd else { return nil }
            return ContentValue(.scalar(text, quoted: true), line: number)
        }
        guard let plain = plain(from: first, to: contentEnd) else { return nil }
        return QuickYAML.isNullWord(plain) ? ContentValue(.null, line: number) : ContentValue(.scalar(plain, quoted: false), line: number)
    }

    /// `"text"` from `open` without backslash escapes; the text and the offset after the closing quote.
    private func quoted(from open: Int, limit: Int) -> (String, Int)? {
        var close = open + 1
        while close < limit, bytes[close] != 0x22 {
            if bytes[close] == 0x5C { return nil }
            close += 1
        }
        guard close < limit, splits(at: open + 1), splits(at: close), splits(at: close + 1) else { return nil }
        return (string(open + 1, close), close + 1)
    }

    /// A plain scalar: no comment, no `: ` (a nested mapping) and no character YAML treats specially first.
    private func plain(from first: Int, to contentEnd: Int) -> String? {
        guard !Self.plainStarts.contains(bytes[first]) else { return nil }
        for index in first..<contentEnd {
            if bytes[index] == 0x23 { return nil }
            if bytes[index] == 0x3A, index + 1 == contentEnd || bytes[index + 1] == 0x20 { return nil }
        }
        return string(first, contentEnd)
    }

    /// `[a, "b", c]` from `open`, ending exactly at `limit`.
    func flowList(from open: Int, to limit: Int, line number: Int) -> [ContentValue]? {
        var index = skipSpaces(open + 1, limit)
        guard splits(at: open + 1), splits(at: index), index < limit else { return nil }
        if bytes[index] == 0x5D { return index + 1 == limit ? [] : nil }
        var items: [ContentValue] = []
        let specials = Self.listItemSpecials
        while true {
            if bytes[index] == 0x22 {
                guard let (text, after) = quoted(from: index, limit: limit) else { return nil }
                items.append(ContentValue(.scalar(text, quoted: true), line: number))
                index = skipSpaces(after, limit)
                guard index < limit, splits(at: index) else { return nil }
            } else {
                let itemStart = index
                while index < limit, bytes[index] != 0x2C, bytes[index] != 0x5D {
                    if specials.contains(bytes[index]) { return nil }
                    if bytes[index] == 0x3A, index + 1 < limit, bytes[index + 1] == 0x20 { return nil }
                    index += 1
                }
                guard index < limit else { return nil }
                var itemEnd = index
                while itemEnd > itemStart, bytes[itemEnd - 1] == 0x20 || bytes[itemEnd - 1] == 0x09 { itemEnd -= 1 }
                guard itemEnd > itemStart, splits(at: itemStart), splits(at: itemEnd), splits(at: index) else { return nil }
                items.append(ContentValue(.scalar(string(itemStart, itemEnd), quoted: false), line: number))
            }
            let separator = bytes[index]
            guard separator == 0x2C || separator == 0x5D, splits(at: index + 1) else { return nil }
            index = skipSpaces(index + 1, limit)
            guard splits(at: index) else { return nil }
            if separator == 0x5D { return index == limit ? items : nil }
            guard index < limit else { return nil }
        }
    }

    /// `{a: 1, "b": "x", c: {d: e}, f: [g]}` from `open` (a `{`): the mapping, and the offset after
    /// its `}` and any spaces.
    func flowMapping(from open: Int, line number: Int) -> (ContentValue, Int)? {
        let limit = contentEnd
        var index = skipSpaces(open + 1, limit)
        guard splits(at: open + 1), splits(at: index), index < limit, bytes[index] != 0x7D else { return nil }
        var members: [(key: String, value: ContentValue)] = []
        while true {
            guard let (key, colon) = flowKey(from: index, limit: limit) else { return nil }
            // `:` then a space (in flow YAML `a:b` is one scalar).
            guard colon + 1 < limit, bytes[colon + 1] == 0x20 else { return nil }
            index = skipSpaces(colon + 1, limit)
            guard index < limit, splits(at: index) else { return nil }
            let value: ContentValue
            switch bytes[index] {
            case 0x7B:
                guard let (map, after) = flowMapping(from: index, line: number) else { return nil }
                (value, index) = (map, after)
            case 0x5B:
                var close = index
                while close < limit, bytes[close] != 0x5D { close += 1 }
                guard close < limit, let items = flowList(from: index, to: close + 1, line: number) else { return nil }
                value = ContentValue(.list(items), line: number)
                index = skipSpaces(close + 1, limit)
            case 0x22:
                guard let (text, after) = quoted(from: index, limit: limit) else { return nil }
                value = ContentValue(.scalar(text, quoted: true), line: number)
                index = skipSpaces(after, limit)
            default:
                guard let (plain, end) = flowPlain(from: index, limit: limit) else { return nil }
                value = QuickYAML.isNullWord(plain) ? ContentValue(.null, line: number) : ContentValue(.scalar(plain, quoted: false), line: number)
                index = end
            }
            guard index < limit, splits(at: index), !members.contains(where: { $0.key == key }) else { return nil }
            members.append((key, value))
            let separator = bytes[index]
            guard separator == 0x2C || separator == 0x7D, splits(at: index + 1) else { return nil }
            index = skipSpaces(index + 1, limit)
            guard splits(at: index) else { return nil }
            if separator == 0x7D { return (ContentValue(.map(members), line: number), index) }
            guard index < limit, bytes[index] != 0x7D else { return nil }  // a trailing comma: left to the full reader
        }
    }

    /// A flow mapping's key from `first`, quoted or plain: the key and the offset of its `:`.
    private func flowKey(from first: Int, limit: Int) -> (String, Int)? {
        if bytes[first] == 0x22 {
            guard let (key, after) = quoted(from: first, limit: limit), after < limit, bytes[after] == 0x3A else { return nil }
            return (key, after)
        }
        var colon = first
        let specials = Self.flowKeySpecials
        while colon < limit, bytes[colon] != 0x3A {
            if specials.contains(bytes[colon]) { return nil }
            colon += 1
        }
        var keyEnd = colon
        while keyEnd > first, bytes[keyEnd - 1] == 0x20 || bytes[keyEnd - 1] == 0x09 { keyEnd -= 1 }
        guard colon < limit, keyEnd > first, bytes[first] != 0x2D, splits(at: keyEnd), splits(at: colon), splits(at: colon + 1) else { return nil }
        return (string(first, keyEnd), colon)
    }

    /// A plain value in a flow mapping, up to the next `,` or `}`: the text and the offset of that separator.
    private func flowPlain(from first: Int, limit: Int) -> (String, Int)? {
        var end = first
        let specials = Self.flowValueSpecials
        while end < limit, bytes[end] != 0x2C, bytes[end] != 0x7D {
            if specials.contains(bytes[end]) { return nil }
            end += 1
        }
        var plainEnd = end
        while plainEnd > first, bytes[plainEnd - 1] == 0x20 || bytes[plainEnd - 1] == 0x09 { plainEnd -= 1 }
        guard end < limit, plainEnd > first, splits(at: plainEnd), splits(at: end) else { return nil }
        for index in first..<plainEnd where bytes[index] == 0x3A && (index + 1 == plainEnd || bytes[index + 1] == 0x20) { return nil }
        return (string(first, plainEnd), end)
    }

    /// Whether the item text at `first` starts a block mapping (`name: value`): `true` for a plain
    /// ASCII key followed by `:` and a space or the end of the line, `false` for a scalar item, `nil`
    /// when a character outside ASCII leaves it open.
    func startsBlockMapping(at first: Int) -> Bool? {
        let contentEnd = contentEnd
        var index = first
        while index < contentEnd, isKeyByte(bytes[index]) { index += 1 }
        guard index < contentEnd else { return false }
        if bytes[index] >= 0x80 { return nil }
        guard bytes[index] == 0x3A, index > first, splits(at: index + 1) else { return false }
        return index + 1 == contentEnd || bytes[index + 1] == 0x20
    }

    /// One `key: value` member of a block mapping item from `first`, the value a scalar, flow list
    /// or flow mapping filling the rest of the line.
    func blockMember(from first: Int, line number: Int) -> (key: String, value: ContentValue)? {
        let contentEnd = contentEnd
        var colon = first
        while colon < contentEnd, isKeyByte(bytes[colon]) { colon += 1 }
        guard colon > first, colon + 1 < contentEnd, bytes[colon] == 0x3A, bytes[colon + 1] == 0x20 else { return nil }
        let valueStart = skipSpaces(colon + 1, contentEnd)
        guard valueStart < contentEnd, splits(at: valueStart) else { return nil }
        let key = string(first, colon)
        switch bytes[valueStart] {
        case 0x5B:
            guard let items = flowList(from: valueStart, to: contentEnd, line: number) else { return nil }
            return (key, ContentValue(.list(items), line: number))
        case 0x7B:
            guard let (map, end) = flowMapping(from: valueStart, line: number), end == contentEnd else { return nil }
            return (key, map)
        default:
            guard let value = scalar(from: valueStart, line: number) else { return nil }
            return (key, value)
        }
    }
}
