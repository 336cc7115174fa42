import Crypto
import Foundation

/// Stripe's `Stripe-Signature` webhook header: `t=<unix>,v1=<hex>[,v1=<hex>…]`, where each `v1` is
/// the hex HMAC-SHA256 of `"<t>." + raw body` keyed with the whole `whsec_…` secret string.
public enum StripeSignature {
    /// The header name.
    public static let headerName = "Stripe-Signature"
    /// Stripe's default tolerance between the signed timestamp and now.
    public static let defaultTolerance: TimeInterval = 300

    /// Why a signature was refused.
    public enum Failure: Error, Sendable, Hashable, CustomStringConvertible {
        /// The header is missing or has no timestamp or no `v1`.
        case malformedHeader
        /// No `v1` value matches the body.
        case noMatchingSignature
        /// The timestamp is further than the tolerance from now (either way).
        case timestampOutOfTolerance

        /// A short reason for logs.
        public var description: String {
            switch self {
            case .malformedHeader: "malformed Stripe-Signature header"
            case .noMatchingSignature: "no v1 signature matches the body"
            case .timestampOutOfTolerance: "timestamp outside the tolerance"
            }
        }
    }

    /// The hex `v1` signature of `payload` at `timestamp`.
    public static func signature(payload: some Sequence<UInt8>, secret: String, timestamp: Int64) -> String {
        var message = Array("\(timestamp).".utf8)
        message.append(contentsOf: payload)
        let mac = HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: Array(secret.utf8)))
        return ECPayCheckMac.hex(mac).lowercased()
    }

    /// A complete header value for `payload`, as Stripe (or the sandbox) sends it.
    public static func header(payload: some Sequence<UInt8>, secret: String, timestamp: Int64) -> String {
        "t=\(timestamp),v1=\(signature(payload: payload, secret: secret, timestamp: timestamp))"
    }

    /// Verifies the raw body against the header: any `v1` may match (constant time), other schemes
    /// are ignored, and the timestamp must be within `tolerance` seconds of `now`.
    public static func verify(
        header: String?, payload: [UInt8], secret: String, now: Date, tolerance: TimeInterval = defaultTolerance
    ) throws(Failure) {
        guard let header else { throw .malformedHeader }
        var timestamp: Int64?
        var candidates: [String] = []
        for item in header.split(separator: ",") {
            let parts = item.split(separator: "=", maxSplits: 1)
            guard parts.count == 2 else { continue }
            let key = parts[0].trimmingCharacters(in: .whitespaces)
            let value = parts[1].trimmingCharacters(in: .whitespaces)
            if key == "t" { timestamp = Int64(value) } else if key == "v1" { candidates.append(value.lowercased()) }
        }
        guard let timestamp, !candidates.isEmpty else { throw .malformedHeader }
        let expected = signature(payload: payload, secret: secret, timestamp: timestamp)
        var matched = false
        for candidate in candidates where ConstantTime.equals(candidate, expected) { matched = true }
        guard matched else { throw .noMatchingSignature }
        guard abs(now.timeIntervalSince1970 - TimeInterval(timestamp)) <= tolerance else { throw .timestampOutOfTolerance }
    }
}

/// How Stripe counts minor units of a currency (which can differ from the shop's own convention:
/// Stripe charges TWD in cents although shops price it in whole dollars).
public enum StripeCurrency {
    static let zeroDecimal: Set<String> = [
        "BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF", "UGX", "VND", "VUV", "XAF", "XOF", "XPF",
    ]
    static let threeDecimal: Set<String> = ["BHD", "JOD", "KWD", "OMR", "TND"]

    /// Stripe's number of decimals for an ISO 4217 code.
    public static func exponent(_ code: String) -> Int {
        let code = code.uppercased()
        if zeroDecimal.contains(code) { return 0 }
        if threeDecimal.contains(code) { return 3 }
        return 2
    }

    /// Converts an amount in the shop's minor units (`shopExponent` decimals) to Stripe's; `nil` when
    /// the conversion would lose precision.
    public static func amount(_ minorUnits: Int64, shopExponent: Int, code: String) -> Int64? {
        let difference = exponent(code) - shopExponent
        var value = minorUnits
        if difference >= 0 {
            for _ in 0..<difference { value *= 10 }
            return value
        }
        for _ in 0..<(-difference) {
            guard value % 10 == 0 else { return nil }
            value /= 10
        }
        return value
    }
}
