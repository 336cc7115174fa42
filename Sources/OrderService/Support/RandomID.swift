import Foundation

/// Random identifiers for outbox events (`evt_…`) and webhook endpoints (`we_…`): a prefix and
/// lower-case hex digits from a UUID's 122 random bits.
enum RandomID {
    /// `prefix` followed by `length` (at most 32) hex digits.
    static func make(prefix: String, length: Int = 32) -> String {
        prefix + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(length)
    }
}
