import Foundation

/// Reads what `BinaryWriter` wrote. Every read throws `BinaryReader.Damaged` past the end.
public struct BinaryReader {
    /// The buffer is shorter than its contents claim, or a value is out of range.
    public struct Damaged: Error {}

    private let base: UnsafeRawBufferPointer
    /// The offset of the next byte.
    public private(set) var offset: Int

    /// Reads from `buffer`, which must stay alive while the reader is used.
    public init(_ buffer: UnsafeRawBufferPointer, offset: Int = 0) {
        self.base = buffer
        self.offset = offset
    }

    /// Whether every byte has been read.
    public var isAtEnd: Bool { offset >= base.count }

    /// Reads a varint.
    public mutating func readUInt64() throws(Damaged) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard offset < base.count, shift < 64 else { throw Damaged() }
            let byte = base[offset]
            offset += 1
            result |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return result }
            shift += 7
        }
    }

    /// Reads a zig-zag signed integer.
    public mutating func readInt64() throws(Damaged) -> Int64 {
        let raw = try readUInt64()
        return Int64(bitPattern: raw >> 1) ^ -Int64(bitPattern: raw & 1)
    }

    /// Reads an `Int`.
    public mutating func readInt() throws(Damaged) -> Int { Int(try readInt64()) }

    /// Reads a Boolean.
    public mutating func readBool() throws(Damaged) -> Bool {
        guard offset < base.count, base[offset] <= 1 else { throw Damaged() }
        offset += 1
        return base[offset - 1] == 1
    }

    /// Reads a fixed 8-byte value.
    public mutating func readFixed() throws(Damaged) -> UInt64 {
        guard offset + 8 <= base.count else { throw Damaged() }
        var value: UInt64 = 0
        withUnsafeMutableBytes(of: &value) { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: base[offset..<offset + 8])) }
        offset += 8
        return UInt64(littleEndian: value)
    }

    /// Reads a string; invalid UTF-8 is refused rather than repaired.
    public mutating func readString() throws(Damaged) -> String {
        let slice = UnsafeRawBufferPointer(rebasing: base[try readStringBytes()])
        // `String(decoding:)` is three times faster than `String(validating:)`; it repairs invalid
        // bytes, so a repaired string is told by its bytes no longer being the ones read.
        var text = String(decoding: slice, as: UTF8.self)
        let intact = text.withUTF8 { utf8 in
            utf8.count == slice.count && (slice.isEmpty || memcmp(utf8.baseAddress!, slice.baseAddress!, slice.count) == 0)
        }
        guard intact else { throw Damaged() }
        return text
    }

    /// Skips over a string and returns where its UTF-8 bytes are in the buffer (not validated).
    public mutating func readStringBytes() throws(Damaged) -> Range<Int> {
        let count = try readUInt64()
        guard count <= UInt64(base.count - offset) else { throw Damaged() }
        offset += Int(count)
        return offset - Int(count)..<offset
    }

    /// Reads an optional string.
    public mutating func readOptionalString() throws(Damaged) -> String? {
        try readBool() ? try readString() : nil
    }

    /// Reads a list of strings.
    public mutating func readStrings() throws(Damaged) -> [String] {
        let count = try readUInt64()
        guard count <= UInt64(base.count - offset) else { throw Damaged() }
        var values: [String] = []
        values.reserveCapacity(Int(count))
        for _ in 0..<count { values.append(try readString()) }
        return values
    }

    /// Skips `count` bytes.
    public mutating func skip(_ count: Int) throws(Damaged) {
        guard count >= 0, count <= base.count - offset else { throw Damaged() }
        offset += count
    }
}
