import Crypto
import Foundation

/// A Standard Webhooks 1.0 signing secret: 24 to 64 random bytes, written `whsec_<base64>`.
///
/// The sender signs `"<webhook-id>.<webhook-timestamp>.<body>"` with HMAC-SHA256 and sends
/// `v1,<base64 signature>` in `webhook-signature`; the receiver recomputes it with the same secret.
/// `description` never shows the key, so a secret can be logged by accident without leaking.
public struct WebhookSecret: Sendable, Hashable, CustomStringConvertible {
    /// The prefix of an encoded secret.
    public static let prefix = "whsec_"
    /// The sizes of key accepted by `init(encoded:)`, in bytes.
    public static let acceptedKeySizes = 24...64

    /// The raw HMAC key.
    private let key: [UInt8]

    private init(key: [UInt8]) {
        self.key = key
    }

    /// A new secret of 32 bytes from the system's cryptographically secure generator.
    public static func generate() -> WebhookSecret {
        var generator = SystemRandomNumberGenerator()
        return WebhookSecret(key: (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
    }

    /// Reads a secret written `whsec_<base64>` (as `encoded` writes it).
    ///
    /// - Throws: `WebhookSecretError` when the prefix is missing, the rest is not base64, or the key
    ///   is shorter than 24 or longer than 64 bytes.
    public init(encoded: String) throws(WebhookSecretError) {
        guard encoded.hasPrefix(Self.prefix) else { throw WebhookSecretError(description: "a webhook secret must start with \(Self.prefix)") }
        guard let data = Data(base64Encoded: String(encoded.dropFirst(Self.prefix.count))) else {
            throw WebhookSecretError(description: "a webhook secret must be \(Self.prefix) followed by base64")
        }
        guard Self.acceptedKeySizes.contains(data.count) else {
            throw WebhookSecretError(
                description: "a webhook secret must hold \(Self.acceptedKeySizes.lowerBound) to \(Self.acceptedKeySizes.upperBound) bytes, not \(data.count)")
        }
        self.key = Array(data)
    }

    /// The secret as `whsec_<base64>`, to show the endpoint's owner once and to store.
    public var encoded: String {
        Self.prefix + Data(key).base64EncodedString()
    }

    /// A redacted form, safe for logs.
    public var description: String {
        "\(Self.prefix)…(\(key.count) bytes, redacted)"
    }

    /// The `webhook-signature` value for one message: `v1,<base64 HMAC-SHA256>` over `"<id>.<timestamp>.<body>"`.
    public func signature(id: String, timestamp: Int64, body: [UInt8]) -> String {
        "v1," + Data(mac(id: id, timestamp: timestamp, body: body)).base64EncodedString()
    }

    /// Checks a received message as a Standard Webhooks receiver would.
    ///
    /// - Parameters:
    ///   - signatureHeader: the `webhook-signature` value; it may hold several space-separated
    ///     `v1,<base64>` signatures (during a secret rotation), and one match is enough. Other versions are ignored.
    ///   - now: the receiver's clock.
    ///   - tolerance: how far `timestamp` may be from `now`, either way (replay protection).
    /// - Returns: whether the timestamp is within the tolerance and one `v1` signature matches, compared in constant time.
    public func verify(
        id: String, timestamp: Int64, body: [UInt8], signatureHeader: String, now: Date = Date(), tolerance: Duration = .seconds(300)
    )
        -> Bool
    {
        let toleranceSeconds = Double(tolerance.components.seconds) + Double(tolerance.components.attoseconds) / 1e18
        guard abs(now.timeIntervalSince1970 - Double(timestamp)) <= toleranceSeconds else { return false }
        let expected = mac(id: id, timestamp: timestamp, body: body)
        var matched = false
        for candidate in signatureHeader.split(separator: " ", omittingEmptySubsequences: true) {
            guard candidate.hasPrefix("v1,"), let received = Data(base64Encoded: String(candidate.dropFirst(3))) else { continue }
            // Every candidate is compared in full, so the time taken does not tell which bytes matched.
            if Self.constantTimeEqual(Array(received), expected) { matched = true }
        }
        return matched
    }

    private func mac(id: String, timestamp: Int64, body: [UInt8]) -> [UInt8] {
        var hmac = HMAC<SHA256>(key: SymmetricKey(data: key))
        hmac.update(data: Array("\(id).\(timestamp).".utf8))
        hmac.update(data: body)
        return Array(hmac.finalize())
    }

    /// Compares two byte strings without stopping at the first difference.
    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }
}

/// Why a text is not a webhook secret.
public struct WebhookSecretError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A human sentence, without the secret itself.
    public var description: String
}
