/// Comparisons whose time does not depend on where the inputs differ.
public enum ConstantTime {
    /// Whether two strings have the same UTF-8 bytes, comparing every byte of equal-length inputs.
    public static func equals(_ lhs: String, _ rhs: String) -> Bool {
        equals(Array(lhs.utf8), Array(rhs.utf8))
    }

    /// Whether two byte sequences are equal, comparing every byte of equal-length inputs.
    public static func equals(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        guard lhs.count == rhs.count else { return false }
        var difference: UInt8 = 0
        for index in lhs.indices { difference |= lhs[index] ^ rhs[index] }
        return difference == 0
    }
}
