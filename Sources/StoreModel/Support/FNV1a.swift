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

    /// The 64-bit hash of an integer's decimal digits, continuing from `seed` (the same value as
    /// `hash64(String(value).utf8, seed:)`, without making the string).
    public static func hash64(decimal value: Int64, seed: UInt64 = 0xcbf2_9ce4_8422_2325) -> UInt64 {
        var hash = seed
        if value < 0 {
            hash = (hash ^ UInt64(UInt8(ascii: "-"))) &* 0x0000_0100_0000_01B3
        }
        var magnitude = value.magnitude
        var divisor: UInt64 = 1
        while magnitude / divisor >= 10 { divisor *= 10 }
        while divisor > 0 {
            let digit = magnitude / divisor
            hash = (hash ^ (UInt64(UInt8(ascii: "0")) + digit)) &* 0x0000_0100_0000_01B3
            magnitude -= digit * divisor
            divisor /= 10
        }
        return hash
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
