/// Order ids: 16 characters of base62 from the system's secure generator (about 95 bits).
///
/// Letters and digits only and at most 20 characters, so an id can also be an ECPay `MerchantTradeNo`.
public enum OrderID {
    /// The alphabet: digits, upper and lower case letters.
    static let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".utf8)
    /// The length of an id.
    public static let length = 16

    /// A fresh random id.
    public static func make() -> String {
        var generator = SystemRandomNumberGenerator()
        var bytes: [UInt8] = []
        bytes.reserveCapacity(length)
        for _ in 0..<length {
            bytes.append(alphabet[Int(generator.next(upperBound: UInt64(alphabet.count)))])
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Whether a string could be an order id (cheap check before touching the database).
    public static func isWellFormed(_ text: String) -> Bool {
        text.utf8.count == length && text.utf8.allSatisfy { alphabet.contains($0) }
    }
}
