/// A JSON text written byte by byte, the way Foundation's `JSONEncoder` writes with
/// `[.sortedKeys, .withoutEscapingSlashes]`: no spaces; in strings `"` and `\` escaped, `\b \t \n
/// \f \r` for those controls and `\u00xx` (lower-case hex) for the other controls below 0x20, every
/// other byte as is; integers in decimal. The caller writes keys in sorted order.
struct JSONBytes {
    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// The text so far.
    private(set) var bytes: [UInt8] = []

    /// Starts an empty text with room for `capacity` bytes.
    init(capacity: Int = 1024) {
        bytes.reserveCapacity(capacity)
    }

    /// Writes ASCII punctuation or a key as is (`{"id":`); never text from outside.
    mutating func raw(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    /// Writes a string value, quoted and escaped.
    mutating func string(_ text: String) {
        bytes.append(0x22)
        for byte in text.utf8 {
            switch byte {
            case 0x22: bytes.append(contentsOf: [0x5C, 0x22])
            case 0x5C: bytes.append(contentsOf: [0x5C, 0x5C])
            case 0x08: bytes.append(contentsOf: [0x5C, 0x62])
            case 0x09: bytes.append(contentsOf: [0x5C, 0x74])
            case 0x0A: bytes.append(contentsOf: [0x5C, 0x6E])
            case 0x0C: bytes.append(contentsOf: [0x5C, 0x66])
            case 0x0D: bytes.append(contentsOf: [0x5C, 0x72])
            case 0..<0x20:
                bytes.append(contentsOf: [0x5C, 0x75, 0x30, 0x30, Self.hexDigits[Int(byte >> 4)], Self.hexDigits[Int(byte & 0x0F)]])
            default: bytes.append(byte)
            }
        }
        bytes.append(0x22)
    }

    /// Writes a string value, or `null`.
    mutating func string(_ text: String?) {
        if let text { string(text) } else { raw("null") }
    }

    /// Writes an integer.
    mutating func int(_ value: some BinaryInteger) {
        bytes.append(contentsOf: String(value).utf8)
    }

    /// Writes `true` or `false`.
    mutating func bool(_ value: Bool) {
        value ? raw("true") : raw("false")
    }

    /// Writes `key` (the punctuation and quoted key before a value, such as `,"id":`), then the value.
    mutating func member(_ key: StaticString, _ value: String?) {
        raw(key)
        string(value)
    }

    /// Writes `key`, then the integer.
    mutating func member(_ key: StaticString, _ value: some BinaryInteger) {
        raw(key)
        int(value)
    }

    /// Writes `items` as an array, each with `write`.
    mutating func array<T>(_ items: [T], _ write: (inout JSONBytes, T) -> Void) {
        raw("[")
        for (index, item) in items.enumerated() {
            if index > 0 { raw(",") }
            write(&self, item)
        }
        raw("]")
    }
}
