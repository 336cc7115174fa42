/// Helpers for the site's URL paths.
public enum URLPath {
    /// Turns a category or tag name into a path segment: lowercase, spaces to `-`, and only letters,
    /// digits, `-` and `_` kept (`Gift Boxes` becomes `gift-boxes`, `酪梨` stays `酪梨`).
    public static func slug(_ name: String) -> String {
        var out = ""
        var lastWasDash = false
        for scalar in name.lowercased().unicodeScalars {
            if scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "_" {
                out.unicodeScalars.append(scalar)
                lastWasDash = false
            } else if !lastWasDash, !out.isEmpty {
                out.append("-")
                lastWasDash = true
            }
        }
        while out.hasSuffix("-") { out.removeLast() }
        return out
    }

    /// Percent-encodes one path segment on its UTF-8 bytes, keeping unreserved ASCII.
    public static func encodeSegment(_ segment: String) -> String {
        var out = ""
        out.reserveCapacity(segment.utf8.count)
        for byte in segment.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                out += "%" + String(byte >> 4, radix: 16, uppercase: true) + String(byte & 0xF, radix: 16, uppercase: true)
            }
        }
        return out
    }

    /// Decodes `%XX` escapes; `nil` when the result is not UTF-8.
    public static func decode(_ path: String) -> String? {
        if !path.utf8.contains(UInt8(ascii: "%")) { return path }  // nothing to decode: no copy
        var bytes: [UInt8] = []
        var iterator = Array(path.utf8)[...]
        while let byte = iterator.popFirst() {
            if byte == UInt8(ascii: "%"), iterator.count >= 2,
               let value = UInt8(String(decoding: iterator.prefix(2), as: UTF8.self), radix: 16) {
                bytes.append(value)
                iterator = iterator.dropFirst(2)
            } else {
                bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }
}

/// FNV-1a hashes: fast, stable across runs and platforms, and easy to repeat in JavaScript.
public enum FNV1a {
    /// The 64-bit hash of some bytes, continuing from `seed`.
    public static func hash64<Bytes: Sequence>(_ bytes: Bytes, seed: UInt64 = 0xcbf2_9ce4_8422_2325) -> UInt64 where Bytes.Element == UInt8 {
        var hash = seed
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        return hash
    }

    /// The 64-bit hash of a buffer, continuing from `seed` (the same value as `hash64(_:seed:)`).
    public static func hash64(bytes: UnsafeRawBufferPointer, seed: UInt64 = 0xcbf2_9ce4_8422_2325) -> UInt64 {
        var hash = seed
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        return hash
    }

    /// The 64-bit hash of a string's UTF-8 bytes, continuing from `seed` (the same value as
    /// `hash64(text.utf8, seed:)`, read from the string's contiguous storage).
    public static func hash64(string text: String, seed: UInt64 = 0xcbf2_9ce4_8422_2325) -> UInt64 {
        var text = text
        return text.withUTF8 { hash64(bytes: UnsafeRawBufferPointer($0), seed: seed) }
    }

    /// The 32-bit hash of a string's UTF-8 bytes.
    public static func hash32(_ text: String) -> UInt32 {
        var hash: UInt32 = 0x811c_9dc5
        for byte in text.utf8 {
            hash ^= UInt32(byte)
            hash = hash &* 0x0100_0193
        }
        return hash
    }

    /// Lowercase hexadecimal, zero-padded to 16 digits.
    public static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
