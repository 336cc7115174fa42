/// A set of ASCII bytes as a 128-bit mask: one shift and one test per byte, for the readers that
/// scan every byte of 100,000 files.
struct ASCIISet: Sendable {
    private let low: UInt64
    private let high: UInt64

    /// The set of the (ASCII) bytes of `characters`.
    init(_ characters: String) {
        var low: UInt64 = 0
        var high: UInt64 = 0
        for byte in characters.utf8 {
            precondition(byte < 0x80, "ASCIISet holds ASCII only")
            if byte < 64 { low |= 1 << UInt64(byte) } else { high |= 1 << UInt64(byte - 64) }
        }
        self.low = low
        self.high = high
    }

    @inline(__always)
    func contains(_ byte: UInt8) -> Bool {
        byte < 64 ? low & (1 << UInt64(byte)) != 0 : byte < 128 && high & (1 << UInt64(byte &- 64)) != 0
    }
}
