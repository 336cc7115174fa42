import Foundation

/// A fast non-cryptographic checksum over 8-byte words, to notice a damaged cache file.
public enum WordHash {
    /// The hash of a buffer.
    public static func hash(_ buffer: UnsafeRawBufferPointer) -> UInt64 {
        var hash: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(buffer.count)
        var offset = 0
        while offset + 8 <= buffer.count {
            let word = buffer.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            hash = (hash ^ word) &* 0xFF51_AFD7_ED55_8CCD
            hash ^= hash >> 32
            offset += 8
        }
        while offset < buffer.count {
            hash = (hash ^ UInt64(buffer[offset])) &* 0x0000_0100_0000_01B3
            offset += 1
        }
        return hash
    }
}
