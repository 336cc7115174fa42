import Foundation
import StoreModel

/// Masks personal data for the public order-status answer.
enum Masking {
    /// `王小明` → `王**`.
    static func name(_ name: String) -> String {
        guard let first = name.first else { return "" }
        return name.count == 1 ? "*" : String(first) + String(repeating: "*", count: name.count - 1)
    }

    /// `alice@example.com` → `a***@example.com`.
    static func email(_ email: String) -> String {
        guard let at = email.lastIndex(of: "@"), let first = email.first else { return "***" }
        return String(first) + "***" + email[at...]
    }

    /// `0912-345-678` → `*******678` (the digits, all but the last three hidden).
    static func phone(_ phone: String) -> String {
        let digits = phone.filter(\.isASCIIDigit)
        guard digits.count > 3 else { return String(repeating: "*", count: digits.count) }
        return String(repeating: "*", count: digits.count - 3) + digits.suffix(3)
    }
}
