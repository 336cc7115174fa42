import StoreModel

/// The contact a shopper names to look an order up: its e-mail in any case, or its phone number
/// compared on digits only (at least 6).
struct OrderContact: Sendable, Hashable {
    /// The order's e-mail, lower-cased.
    let email: String
    /// The order's phone number, digits only.
    let phoneDigits: String

    /// The contact of `customer`.
    init(_ customer: Customer) {
        email = customer.email.lowercased()
        phoneDigits = customer.phone.filter(\.isASCIIDigit)
    }

    /// Whether `given`, as the shopper typed it, names this contact: trimmed of spaces and tabs,
    /// it is the e-mail in any case, or it has the phone's digits (at least 6). Plain ASCII input
    /// (every real e-mail and phone) is read on bytes and compared byte for byte in constant time;
    /// anything else by `String` rules.
    func matches(_ given: String) -> Bool {
        var given = given
        if let answer = given.withUTF8({ matchesASCII($0) }) { return answer }
        let contact = given.trimmingCharacters(in: .whitespaces)
        let digits = contact.filter(\.isASCIIDigit)
        let emailMatches = !contact.isEmpty && Self.equal(contact.lowercased(), email)
        let phoneMatches = digits.count >= 6 && Self.equal(digits, phoneDigits)
        return emailMatches || phoneMatches
    }

    /// `matches` for ASCII text, `nil` for anything else. In ASCII the whitespace `trimmingCharacters(in: .whitespaces)`
    /// removes is space and tab, lower-casing is per byte, and a digit is one byte.
    private func matchesASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool? {
        guard bytes.allSatisfy({ $0 < 0x80 }) else { return nil }
        let isBlank = { (byte: UInt8) in byte == 0x20 || byte == 0x09 }
        guard let first = bytes.firstIndex(where: { !isBlank($0) }), let last = bytes.lastIndex(where: { !isBlank($0) }) else {
            return false  // empty after trimming: no e-mail, no digits
        }
        let contact = UnsafeBufferPointer(rebasing: bytes[first...last])
        let lowered = contact.lazy.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }
        let digits = contact.lazy.filter { $0 >= 0x30 && $0 <= 0x39 }
        let emailMatches = ConstantTime.equal(lowered, email.utf8)
        let phoneMatches = digits.count >= 6 && ConstantTime.equal(digits, phoneDigits.utf8)
        return emailMatches || phoneMatches
    }

    private static func equal(_ a: String, _ b: String) -> Bool {
        guard a.utf8.allSatisfy({ $0 < 0x80 }), b.utf8.allSatisfy({ $0 < 0x80 }) else { return a == b }
        return ConstantTime.equal(a.utf8, b.utf8)
    }
}

/// Comparisons whose time does not depend on where the inputs differ.
enum ConstantTime {
    /// Whether `a` and `b` hold the same bytes, looking at every byte of the longer one.
    static func equal<A: Collection<UInt8>, B: Collection<UInt8>>(_ a: A, _ b: B) -> Bool {
        var difference = UInt8(truncatingIfNeeded: a.count ^ b.count)
        var left = a.makeIterator()
        var right = b.makeIterator()
        for _ in 0..<max(a.count, b.count) {
            difference |= (left.next() ?? 0) ^ (right.next() ?? 0)
        }
        return difference == 0 && a.count == b.count
    }
}
