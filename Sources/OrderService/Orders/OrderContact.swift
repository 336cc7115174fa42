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

    /// Whether `given`, as the shopper typed it, names this contact. Plain ASCII (every real
    /// e-mail and phone) is compared in constant time; anything else by `String` equality.
    func matches(_ given: String) -> Bool {
        let contact = given.trimmingCharacters(in: .whitespaces)
        let digits = contact.filter(\.isASCIIDigit)
        let emailMatches = !contact.isEmpty && Self.equal(contact.lowercased(), email)
        let phoneMatches = digits.count >= 6 && Self.equal(digits, phoneDigits)
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
