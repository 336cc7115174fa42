/// One SMTP reply: a three-digit code and its text lines (`250-…` continuations included).
struct SMTPReply: Sendable, Hashable {
    /// The reply code, for example 250.
    var code: Int
    /// The text of each line, without the code and separator.
    var lines: [String]

    /// The lines joined by spaces, for error messages.
    var text: String { lines.joined(separator: " ").trimmingCharacters(in: .whitespaces) }

    /// 2xx and 3xx.
    var isPositive: Bool { (200..<400).contains(code) }
    /// 5xx.
    var isPermanentFailure: Bool { (500..<600).contains(code) }

    /// The EHLO keywords (upper-cased) with their parameters, from every line but the first.
    var capabilities: [String: [String]] {
        var result: [String: [String]] = [:]
        for line in lines.dropFirst() {
            let words = line.split(separator: " ").map(String.init)
            guard let keyword = words.first else { continue }
            result[keyword.uppercased()] = words.dropFirst().map { $0.uppercased() }
        }
        return result
    }
}

/// Turns the bytes a server sends into replies; feed it whatever arrives, in any pieces.
///
/// A reply is lines of `ddd-text` ending with a line `ddd text` (or just `ddd`), all with the
/// same code. Lines end with CRLF (a bare LF is tolerated).
struct SMTPReplyParser: Sendable {
    /// What makes the server's bytes unusable.
    enum ParseError: Error, Hashable, CustomStringConvertible {
        case lineTooLong
        case malformedLine(String)
        case codeChanged(expected: Int, got: Int)

        var description: String {
            switch self {
            case .lineTooLong: "reply line longer than \(SMTPReplyParser.maximumLineLength) octets"
            case .malformedLine(let line): "malformed reply line \(line.prefix(80).debugDescription)"
            case .codeChanged(let expected, let got): "reply code changed from \(expected) to \(got) within a multi-line reply"
            }
        }
    }

    /// Longer lines are a protocol error (RFC 5321 allows 512).
    static let maximumLineLength = 4096

    private var buffer: [UInt8] = []
    private var pending: (code: Int, lines: [String])?

    /// Whether bytes or an unfinished reply are waiting for more input.
    var hasBufferedInput: Bool { !buffer.isEmpty || pending != nil }

    /// Adds bytes and returns the replies they complete, in order.
    mutating func feed(_ bytes: some Sequence<UInt8>) throws(ParseError) -> [SMTPReply] {
        buffer.append(contentsOf: bytes)
        var replies: [SMTPReply] = []
        var start = 0
        while let newline = buffer[start...].firstIndex(of: UInt8(ascii: "\n")) {
            var end = newline
            if end > start && buffer[end - 1] == UInt8(ascii: "\r") { end -= 1 }
            guard end - start <= Self.maximumLineLength else { throw .lineTooLong }
            if let reply = try line(Array(buffer[start..<end])) { replies.append(reply) }
            start = newline + 1
        }
        buffer.removeFirst(start)
        if buffer.count > Self.maximumLineLength { throw .lineTooLong }
        return replies
    }

    private mutating func line(_ bytes: [UInt8]) throws(ParseError) -> SMTPReply? {
        let text = String(decoding: bytes, as: UTF8.self)
        guard bytes.count >= 3, bytes[0...2].allSatisfy({ (0x30...0x39).contains($0) }), (0x32...0x35).contains(bytes[0]),
            bytes.count == 3 || bytes[3] == UInt8(ascii: " ") || bytes[3] == UInt8(ascii: "-")
        else { throw .malformedLine(text) }
        let code = Int(String(decoding: bytes[0...2], as: UTF8.self))!
        let rest = bytes.count > 4 ? String(decoding: bytes[4...], as: UTF8.self) : ""
        if let pending, pending.code != code { throw .codeChanged(expected: pending.code, got: code) }
        var lines = pending?.lines ?? []
        lines.append(rest)
        if bytes.count > 3 && bytes[3] == UInt8(ascii: "-") {
            pending = (code, lines)
            return nil
        }
        pending = nil
        return SMTPReply(code: code, lines: lines)
    }
}
