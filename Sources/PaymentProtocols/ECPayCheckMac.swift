import Crypto
import Foundation

/// ECPay's `CheckMacValue`: a hash over every field, computed as the gateway's documentation says.
///
/// 1. every field except `CheckMacValue` (empty values included);
/// 2. sorted by the ASCII-lowercased key, byte by byte;
/// 3. joined as `key=value` with `&`, wrapped in `HashKey=…&` and `&HashIV=…`;
/// 4. URL-encoded like .NET's `HttpUtility.UrlEncode`;
/// 5. lowercased;
/// 6. SHA-256 (or MD5 for the legacy `EncryptType=0`), uppercase hex.
public enum ECPayCheckMac {
    /// The hash the MAC uses.
    public enum Method: Sendable, Hashable {
        /// `EncryptType=1`.
        case sha256
        /// The legacy `EncryptType=0`.
        case md5
    }

    /// The field that carries the MAC.
    public static let fieldName = "CheckMacValue"

    /// The MAC of `fields` (a `CheckMacValue` among them is ignored).
    public static func compute(_ fields: [String: String], hashKey: String, hashIV: String, method: Method = .sha256) -> String {
        let pairs = fields.filter { $0.key != fieldName }.sorted { lhs, rhs in
            Array(lhs.key.lowercased().utf8).lexicographicallyPrecedes(Array(rhs.key.lowercased().utf8))
        }
        let raw = "HashKey=\(hashKey)&" + pairs.map { "\($0.key)=\($0.value)" }.joined(separator: "&") + "&HashIV=\(hashIV)"
        let encoded = Data(DotNetURLEncoding.encode(raw).lowercased().utf8)
        switch method {
        case .sha256: return hex(SHA256.hash(data: encoded))
        case .md5: return hex(Insecure.MD5.hash(data: encoded))
        }
    }

    /// `fields` with their `CheckMacValue` set.
    public static func signed(_ fields: [String: String], hashKey: String, hashIV: String, method: Method = .sha256) -> [String: String] {
        var signed = fields
        signed[fieldName] = compute(fields, hashKey: hashKey, hashIV: hashIV, method: method)
        return signed
    }

    /// Whether `fields` carry a `CheckMacValue` that matches the others, compared in constant time.
    public static func verify(_ fields: [String: String], hashKey: String, hashIV: String, method: Method = .sha256) -> Bool {
        guard let received = fields[fieldName] else { return false }
        let expected = compute(fields, hashKey: hashKey, hashIV: hashIV, method: method)
        return ConstantTime.equals(expected, received.uppercased())
    }

    static func hex<D: Sequence>(_ digest: D) -> String where D.Element == UInt8 {
        let digits = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        for byte in digest {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
