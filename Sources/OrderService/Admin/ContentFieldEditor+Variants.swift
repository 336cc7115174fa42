import Foundation

/// Rewrites one field of one variant (found by its SKU in the product's `variants` list) and
/// leaves every other byte as it was, as `ContentFieldEditor.edit` does for a product's own field.
///
/// Markdown front matter: a variant written as a flow mapping on one line
/// (`- {sku: A, options: {重量: 1 公斤}, price: 380}`) or as a block (`- sku: A` and its members
/// on the lines below, indented alike). JSON: the variant object in the `variants` array. A field
/// the variant lacks (`draft`) is added in the variant's own style.
extension ContentFieldEditor {
    static func editVariant(_ source: String, isJSON: Bool, sku: String, key: String, value: Value) throws(EditError) -> String {
        isJSON
            ? try editJSONVariant(source, sku: sku, key: key, value: value)
            : try editFrontMatterVariant(source, sku: sku, key: key, value: value)
    }

    // MARK: Markdown front matter

    static func editFrontMatterVariant(_ source: String, sku: String, key: String, value: Value) throws(EditError) -> String {
        let bytes = Array(source.utf8)
        let (lines, closing) = try frontMatterLines(bytes)
        let keyBytes = Array(key.utf8)
        guard let listLine = (1..<closing).first(where: { Array(bytes[lines[$0]]).starts(with: Array("variants:".utf8)) }) else {
            throw EditError(description: "the file lists no variants")
        }
        // The list's items: lines starting `- ` (after indentation) until the next top-level key.
        var items: [(first: Int, column: Int, end: Int)] = []
        var index = listLine + 1
        while index < closing {
            let content = Array(bytes[lines[index]])
            let indent = content.prefix { $0 == UInt8(ascii: " ") }.count
            if indent == 0, content.first.map({ $0 != UInt8(ascii: "#") && $0 != UInt8(ascii: "-") }) ?? false { break }
            if indent < content.count, content[indent] == UInt8(ascii: "-"), indent + 1 < content.count, content[indent + 1] == UInt8(ascii: " ") {
                var column = indent + 1
                while column < content.count, content[column] == UInt8(ascii: " ") { column += 1 }
                if let last = items.indices.last { items[last].end = index }
                items.append((index, column, closing))
            }
            index += 1
        }
        if let last = items.indices.last { items[last].end = index }
        for item in items {
            let line = lines[item.first]
            let content = Array(bytes[line])
            if item.column < content.count, content[item.column] == UInt8(ascii: "{") {
                let (members, close) = try flowMembers(content, from: item.column)
                guard members.contains(where: { $0.key == "sku" && scalar(content, $0.value) == sku }) else { continue }
                if let member = members.first(where: { $0.key == key }),
                    let (span, text) = try valueEdit(in: content, at: member.column, key: keyBytes, value: value, inFlow: true)
                {
                    return splice(bytes, (line.lowerBound + span.lowerBound)..<(line.lowerBound + span.upperBound), text)
                }
                let at = line.lowerBound + close
                return splice(bytes, at..<at, ", \(key): \(value.text)")
            }
            // A block: members at the item's column, on its first line and the lines below.
            var memberLines: [(line: Int, key: String, value: Range<Int>)] = []
            for lineIndex in item.first..<item.end {
                let content = Array(bytes[lines[lineIndex]])
                let indent = content.prefix { $0 == UInt8(ascii: " ") }.count
                guard lineIndex == item.first || indent == item.column else { continue }
                guard let colon = content[item.column...].firstIndex(of: UInt8(ascii: ":")) else { continue }
                let name = String(decoding: content[item.column..<colon], as: UTF8.self).trimmingCharacters(in: .whitespaces)
                var start = colon + 1
                while start < content.count, content[start] == UInt8(ascii: " ") { start += 1 }
                memberLines.append((lineIndex, name, start..<content.count))
            }
            guard memberLines.contains(where: { $0.key == "sku" && scalar(Array(bytes[lines[$0.line]]), $0.value) == sku }) else { continue }
            if let member = memberLines.first(where: { $0.key == key }) {
                let line = lines[member.line]
                guard let (span, text) = try valueEdit(in: Array(bytes[line]), at: item.column, key: keyBytes, value: value, inFlow: false) else {
                    throw EditError(description: "\(key) of \(sku) cannot be read; edit the file by hand")
                }
                return splice(bytes, (line.lowerBound + span.lowerBound)..<(line.lowerBound + span.upperBound), text)
            }
            // After the item's last member: the front matter's closing line always follows.
            let insertAt = lines[(memberLines.last?.line ?? item.first) + 1].lowerBound
            return splice(bytes, insertAt..<insertAt, String(repeating: " ", count: item.column) + "\(key): \(value.text)" + lineEnding(of: source))
        }
        throw EditError(description: "no variant has the SKU \(sku) in this file")
    }

    /// The members of the flow mapping opening at `start` in `content` (one line): each key with
    /// its column and its value's range, and the column of the closing `}`.
    static func flowMembers(_ content: [UInt8], from start: Int) throws(EditError) -> (members: [(key: String, column: Int, value: Range<Int>)], close: Int) {
        var members: [(key: String, column: Int, value: Range<Int>)] = []
        var index = start + 1
        func skipSpaces() { while index < content.count, content[index] == UInt8(ascii: " ") { index += 1 } }
        while true {
            skipSpaces()
            guard index < content.count else { throw EditError(description: "a variant's mapping is not closed on its line; edit the file by hand") }
            if content[index] == UInt8(ascii: "}") { return (members, index) }
            let column = index
            while index < content.count, content[index] != UInt8(ascii: ":") { index += 1 }
            guard index < content.count else { throw EditError(description: "a variant's mapping cannot be read; edit the file by hand") }
            let key = String(decoding: content[column..<index], as: UTF8.self).trimmingCharacters(in: CharacterSet(charactersIn: " \"'"))
            index += 1
            skipSpaces()
            let valueStart = index
            var depth = 0
            var quote: UInt8?
            while index < content.count {
                let byte = content[index]
                if let open = quote {
                    if byte == UInt8(ascii: "\\"), open == UInt8(ascii: "\"") { index += 2; continue }
                    if byte == open { quote = nil }
                } else if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") {
                    quote = byte
                } else if byte == UInt8(ascii: "{") || byte == UInt8(ascii: "[") {
                    depth += 1
                } else if byte == UInt8(ascii: "}") || byte == UInt8(ascii: "]") {
                    if depth == 0 { break }
                    depth -= 1
                } else if byte == UInt8(ascii: ","), depth == 0 {
                    break
                }
                index += 1
            }
            members.append((key, column, valueStart..<index))
            if index < content.count, content[index] == UInt8(ascii: ",") { index += 1 }
        }
    }

    /// A scalar's text without its quotes or a trailing comment.
    static func scalar(_ content: [UInt8], _ range: Range<Int>) -> String {
        var text = String(decoding: content[range], as: UTF8.self)
        if let comment = text.range(of: " #") { text = String(text[..<comment.lowerBound]) }
        text = text.trimmingCharacters(in: .whitespaces)
        if text.count >= 2, let first = text.first, first == "\"" || first == "'", text.last == first { text = String(text.dropFirst().dropLast()) }
        return text
    }

    // MARK: JSON

    static func editJSONVariant(_ source: String, sku: String, key: String, value: Value) throws(EditError) -> String {
        let bytes = Array(source.utf8)
        var scanner = JSONSpanScanner(bytes: bytes)
        do {
            guard let list = try scanner.topLevelMembers().last(where: { $0.key == "variants" }) else {
                throw EditError(description: "the file lists no variants")
            }
            scanner.index = list.value.lowerBound
            for element in try scanner.arrayElements() {
                scanner.index = element.lowerBound
                guard bytes[element.lowerBound] == UInt8(ascii: "{") else { continue }
                let members = try scanner.objectMembers()
                guard let skuMember = members.last(where: { $0.key == "sku" }),
                    String(decoding: bytes[skuMember.value], as: UTF8.self) == "\"\(sku)\""
                else { continue }
                if let member = members.last(where: { $0.key == key }) {
                    return splice(bytes, member.value, jsonText(value, replacing: member.value, in: bytes))
                }
                let last = members.last?.value.upperBound ?? (element.lowerBound + 1)
                return splice(bytes, last..<last, ", \"\(key)\": " + jsonText(value, replacing: nil, in: bytes))
            }
        } catch let problem as JSONSpanScanner.Problem {
            throw EditError(description: "the file is not a JSON object: \(problem.description)")
        } catch let error as EditError {
            throw error
        } catch {
            throw EditError(description: "\(error)")
        }
        throw EditError(description: "no variant has the SKU \(sku) in this file")
    }
}
