import Foundation

/// Reads received messages: header fields with folding, RFC 2047 encoded words (`B` and `Q`),
/// `multipart/*` bodies and the base64 and quoted-printable transfer encodings.
enum MIMEParser {
    /// A message or a body part: its header fields (unfolded, not decoded) and its body bytes.
    struct Entity {
        var headers: [(name: String, value: String)]
        var body: [UInt8]

        func header(_ name: String) -> String? {
            headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
        }
    }

    /// Splits `raw` at the first empty line and unfolds the header fields.
    static func entity(_ raw: [UInt8]) -> Entity {
        var headers: [(name: String, value: String)] = []
        var index = 0
        var lines: [String] = []
        while index < raw.count {
            let end = raw[index...].firstIndex(of: UInt8(ascii: "\n")) ?? raw.count
            var line = raw[index..<end]
            if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
            index = min(end + 1, raw.count)
            if line.isEmpty { break }
            let text = String(decoding: line, as: UTF8.self)
            if let first = text.first, first == " " || first == "\t", !lines.isEmpty {
                lines[lines.count - 1] += text
            } else {
                lines.append(text)
            }
        }
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers.append(
                (String(line[..<colon]).trimmingCharacters(in: .whitespaces), String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces)))
        }
        return Entity(headers: headers, body: Array(raw[index...]))
    }

    /// `value` with its RFC 2047 encoded words decoded; white space between two encoded words goes.
    static func decodeWords(_ value: String) -> String {
        var out = ""
        var pendingBytes: [UInt8] = []
        var pendingSpace = ""
        var rest = Substring(value)
        func flushBytes() {
            if !pendingBytes.isEmpty { out += String(decoding: pendingBytes, as: UTF8.self) }
            pendingBytes = []
        }
        while !rest.isEmpty {
            if rest.hasPrefix("=?"), let word = encodedWord(rest) {
                pendingSpace = ""
                pendingBytes += word.bytes
                rest = rest[word.end...]
                continue
            }
            let character = rest.removeFirst()
            if (character == " " || character == "\t") && !pendingBytes.isEmpty {
                pendingSpace.append(character)
                continue
            }
            flushBytes()
            out += pendingSpace
            pendingSpace = ""
            out.append(character)
        }
        flushBytes()
        return out + pendingSpace
    }

    /// One `=?charset?B|Q?text?=` at the start of `text`: its bytes (as UTF-8) and where it ends.
    private static func encodedWord(_ text: Substring) -> (bytes: [UInt8], end: Substring.Index)? {
        let parts = text.dropFirst(2).split(separator: "?", maxSplits: 3, omittingEmptySubsequences: false)
        guard parts.count == 4, parts[3].hasPrefix("="), parts[1].count == 1 else { return nil }
        let charset = parts[0].lowercased().split(separator: "*").first.map(String.init) ?? ""
        let encoded = String(parts[2])
        var bytes: [UInt8]
        switch parts[1].uppercased() {
        case "B":
            guard let data = Data(base64Encoded: encoded) else { return nil }
            bytes = Array(data)
        case "Q": bytes = quotedPrintable(Array(encoded.replacingOccurrences(of: "_", with: " ").utf8))
        default: return nil
        }
        if charset == "iso-8859-1" || charset == "latin1" {
            bytes = Array(String(bytes.map { Character(Unicode.Scalar($0)) }).utf8)
        }
        return (bytes, parts[3].index(after: parts[3].startIndex))
    }

    /// The media type (lower-cased) and its parameters (names lower-cased, quotes removed).
    static func contentType(_ value: String?) -> (type: String, parameters: [String: String]) {
        guard let value else { return ("text/plain", [:]) }
        var pieces: [String] = []
        var current = ""
        var quoted = false
        for character in value {
            if character == "\"" { quoted.toggle() }
            if character == ";" && !quoted {
                pieces.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        pieces.append(current)
        var parameters: [String: String] = [:]
        for piece in pieces.dropFirst() {
            guard let equals = piece.firstIndex(of: "=") else { continue }
            let name = piece[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            var parameter = piece[piece.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            if parameter.hasPrefix("\"") && parameter.hasSuffix("\"") && parameter.count >= 2 { parameter = String(parameter.dropFirst().dropLast()) }
            parameters[name] = parameter
        }
        return (pieces[0].trimmingCharacters(in: .whitespaces).lowercased(), parameters)
    }

    /// The body with its `Content-Transfer-Encoding` undone.
    static func decodeBody(_ body: [UInt8], encoding: String?) -> [UInt8] {
        switch encoding?.lowercased() {
        case "base64":
            let compact = body.filter { !($0 == 13 || $0 == 10 || $0 == 32 || $0 == 9) }
            return Data(base64Encoded: Data(compact)).map(Array.init) ?? body
        case "quoted-printable": return quotedPrintable(body)
        default: return body
        }
    }

    /// Quoted-printable decoding: `=XX` escapes and `=` soft line breaks.
    static func quotedPrintable(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var index = 0
        func hex(_ byte: UInt8) -> UInt8? {
            switch byte {
            case 0x30...0x39: byte - 0x30
            case 0x41...0x46: byte - 0x41 + 10
            case 0x61...0x66: byte - 0x61 + 10
            default: nil
            }
        }
        while index < bytes.count {
            let byte = bytes[index]
            guard byte == UInt8(ascii: "=") else {
                out.append(byte)
                index += 1
                continue
            }
            if index + 2 < bytes.count, let high = hex(bytes[index + 1]), let low = hex(bytes[index + 2]) {
                out.append(high << 4 | low)
                index += 3
            } else if index + 1 < bytes.count, bytes[index + 1] == 10 {
                index += 2
            } else if index + 2 < bytes.count, bytes[index + 1] == 13, bytes[index + 2] == 10 {
                index += 3
            } else {
                out.append(byte)
                index += 1
            }
        }
        return out
    }

    /// The first `text/plain` and `text/html` bodies, decoded to strings with LF line endings.
    static func textBodies(_ entity: Entity) -> (text: String?, html: String?) {
        let (type, parameters) = contentType(entity.header("Content-Type"))
        if type.hasPrefix("multipart/"), let boundary = parameters["boundary"] {
            var text: String?
            var html: String?
            for part in parts(entity.body, boundary: boundary) {
                let found = textBodies(self.entity(part))
                text = text ?? found.text
                html = html ?? found.html
            }
            return (text, html)
        }
        let decoded = decodeBody(entity.body, encoding: entity.header("Content-Transfer-Encoding"))
        var string = String(decoding: decoded, as: UTF8.self)
        if (parameters["charset"] ?? "").lowercased() == "iso-8859-1" { string = String(decoded.map { Character(Unicode.Scalar($0)) }) }
        string = string.replacingOccurrences(of: "\r\n", with: "\n")
        switch type {
        case "text/plain": return (string, nil)
        case "text/html": return (nil, string)
        default: return (nil, nil)
        }
    }

    /// The parts of a multipart body, each without the line break before its next boundary.
    static func parts(_ body: [UInt8], boundary: String) -> [[UInt8]] {
        let delimiter = Array("--\(boundary)".utf8)
        var parts: [[UInt8]] = []
        var current: [UInt8]?
        var index = 0
        while index < body.count {
            let end = body[index...].firstIndex(of: 10) ?? body.count
            var line = Array(body[index..<end])
            if line.last == 13 { line.removeLast() }
            let next = min(end + 1, body.count)
            if line.starts(with: delimiter) {
                let tail = line.dropFirst(delimiter.count)
                if var part = current {
                    if part.last == 10 { part.removeLast() }
                    if part.last == 13 { part.removeLast() }
                    parts.append(part)
                }
                if tail.starts(with: Array("--".utf8)) { return parts }
                current = []
            } else if current != nil {
                current! += body[index..<next]
            }
            index = next
        }
        if let current { parts.append(current) }
        return parts
    }
}
