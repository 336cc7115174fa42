import Foundation

/// The encodings a MIME message needs: RFC 2047 encoded words, base64 wrapped at 76 columns,
/// CRLF line endings and the RFC 5322 date.
enum MIMEEncoding {
    /// The longest encoded word RFC 2047 allows.
    static let maximumEncodedWordLength = 75
    /// `=?UTF-8?B?` and `?=`.
    private static let encodedWordOverhead = 12
    /// Bytes whose base64 fits in one encoded word: 4 * ceil(n / 3) <= 75 - 12.
    private static let maximumBytesPerWord = (maximumEncodedWordLength - encodedWordOverhead) / 4 * 3

    /// `text` on one line: line breaks (CR, LF, CRLF, U+2028…) and other control characters
    /// but tab become spaces, so a value cannot add header fields.
    static func oneLine(_ text: String) -> String {
        var scalars = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            let control =
                scalar.value < 0x20 && scalar != "\t" || scalar.value == 0x7F || scalar.properties.generalCategory == .lineSeparator
                || scalar.properties.generalCategory == .paragraphSeparator || scalar == "\u{85}"
            scalars.append(control ? " " : scalar)
        }
        return String(scalars)
    }

    /// Whether `text` can go into a header as it is: printable ASCII, no `=?`, and short.
    static func isPlainHeaderText(_ text: String) -> Bool {
        text.utf8.count <= 900 && text.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F } && !text.contains("=?")
    }

    /// `text` as RFC 2047 `B` encoded words, each at most 75 characters, split between characters
    /// (never inside a character's UTF-8 bytes).
    static func encodedWords(_ text: String) -> [String] {
        var words: [String] = []
        var chunk: [UInt8] = []
        func flush() {
            guard !chunk.isEmpty else { return }
            words.append("=?UTF-8?B?" + Data(chunk).base64EncodedString() + "?=")
            chunk.removeAll()
        }
        for character in text {
            var pieces = [Array(String(character).utf8)]
            if pieces[0].count > maximumBytesPerWord {
                pieces = String(character).unicodeScalars.map { Array(String($0).utf8) }
            }
            for piece in pieces {
                if chunk.count + piece.count > maximumBytesPerWord { flush() }
                chunk += piece
            }
        }
        flush()
        return words
    }

    /// A header field's text: plain when it can be, otherwise encoded words folded one per line.
    static func headerText(_ text: String) -> String {
        let clean = oneLine(text)
        if isPlainHeaderText(clean) { return clean }
        return encodedWords(clean).joined(separator: "\r\n ")
    }

    /// A display name for `From` or `To`: atoms as they are, other ASCII quoted, the rest encoded.
    static func displayName(_ name: String) -> String {
        let clean = oneLine(name)
        let atext = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-/=?^_`{|}~ ")
        if isPlainHeaderText(clean) {
            if clean.allSatisfy({ atext.contains($0) }) { return clean }
            return "\"" + clean.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        }
        return encodedWords(clean).joined(separator: "\r\n ")
    }

    /// `bytes` in base64, CRLF after every 76 characters and at the end.
    static func base64Lines(_ bytes: [UInt8]) -> String {
        let encoded = Array(Data(bytes).base64EncodedString().utf8)
        var out = ""
        out.reserveCapacity(encoded.count + encoded.count / 38 + 2)
        var start = 0
        while start < encoded.count {
            let end = min(start + 76, encoded.count)
            out += String(decoding: encoded[start..<end], as: UTF8.self) + "\r\n"
            start = end
        }
        return out
    }

    /// `text` with every line break (`\n`, `\r` or `\r\n`) as CRLF.
    static func crlf(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        // Swift treats "\r\n" as one Character.
        for character in text {
            if character == "\r\n" || character == "\n" || character == "\r" {
                out += "\r\n"
            } else {
                out.append(character)
            }
        }
        return out
    }

    /// The RFC 5322 date in UTC, for example `Sat, 05 Dec 2026 12:02:54 +0000`.
    static func date(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second, .weekday], from: date)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ value: Int?) -> String { value.map { $0 < 10 ? "0\($0)" : "\($0)" } ?? "00" }
        return "\(days[(parts.weekday ?? 1) - 1]), \(two(parts.day)) \(months[(parts.month ?? 1) - 1]) \(parts.year ?? 1970) "
            + "\(two(parts.hour)):\(two(parts.minute)):\(two(parts.second)) +0000"
    }
}
