import Foundation

/// JSON text for JSON-LD and data files, safe inside an HTML `<script>` element: `<`, `>`, `&`
/// and U+2028/9 are written as `\u` escapes, so `</script>` can never close the element.
struct JSONWriter {
    /// A JSON string literal.
    static func string(_ value: String) -> String {
        var out: [UInt8] = []
        string(value, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends a JSON string literal. Every character that is escaped is ASCII except U+2028 and
    /// U+2029 (E2 80 A8 / E2 80 A9 in UTF-8), so the work is done on bytes.
    static func string(_ value: String, into out: inout [UInt8]) {
        var value = value
        out.append(0x22)
        value.withUTF8 { bytes in
            out.reserveCapacity(out.count + bytes.count + 2)
            var runStart = 0
            var index = 0
            let count = bytes.count
            while index < count {
                let byte = bytes[index]
                var length = 1
                let replacement: StaticString
                switch byte {
                case 0x22: replacement = "\\\""
                case 0x5C: replacement = "\\\\"
                case 0x0A: replacement = "\\n"
                case 0x0D: replacement = "\\r"
                case 0x09: replacement = "\\t"
                case 0x3C: replacement = "\\u003c"
                case 0x3E: replacement = "\\u003e"
                case 0x26: replacement = "\\u0026"
                case 0xE2 where index + 2 < count && bytes[index + 1] == 0x80 && (bytes[index + 2] == 0xA8 || bytes[index + 2] == 0xA9):
                    replacement = bytes[index + 2] == 0xA8 ? "\\u2028" : "\\u2029"
                    length = 3
                case 0..<0x20:
                    out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
                    out.append(contentsOf: "\\u00".utf8)
                    out.append(hexDigits[Int(byte >> 4)])
                    out.append(hexDigits[Int(byte & 0x0F)])
                    index += 1
                    runStart = index
                    continue
                default:
                    index += 1
                    continue
                }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
                out.append(contentsOf: UnsafeBufferPointer(start: replacement.utf8Start, count: replacement.utf8CodeUnitCount))
                index += length
                runStart = index
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart...]))
        }
        out.append(0x22)
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)
}
