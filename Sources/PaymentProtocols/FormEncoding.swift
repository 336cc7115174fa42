/// `application/x-www-form-urlencoded` bodies, as browsers, ECPay and Stripe send them.
public enum FormEncoding {
    /// Encodes ordered pairs: unreserved RFC 3986 characters stay, a space becomes `+`, every other
    /// UTF-8 byte becomes `%XX`.
    public static func encode(_ pairs: [(String, String)]) -> String {
        pairs.map { escape($0.0) + "=" + escape($0.1) }.joined(separator: "&")
    }

    /// Encodes a dictionary with its keys sorted (stable output).
    public static func encode(_ fields: [String: String]) -> String {
        encode(fields.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
    }

    /// Decodes a body into ordered pairs; `nil` when a `%` escape is malformed or the bytes are not UTF-8.
    public static func decodePairs(_ body: String) -> [(String, String)]? {
        var pairs: [(String, String)] = []
        for part in body.split(separator: "&", omittingEmptySubsequences: true) {
            let pieces = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let key = unescape(pieces[0]) else { return nil }
            let value = pieces.count > 1 ? unescape(pieces[1]) : ""
            guard let value else { return nil }
            pairs.append((key, value))
        }
        return pairs
    }

    /// Decodes a body into a dictionary; `nil` when malformed or when a key appears twice (a
    /// signed message never repeats a key, so a repeat is refused rather than guessed at).
    public static func decode(_ body: String) -> [String: String]? {
        guard let pairs = decodePairs(body) else { return nil }
        var fields: [String: String] = [:]
        for (key, value) in pairs {
            guard fields.updateValue(value, forKey: key) == nil else { return nil }
        }
        return fields
    }

    static func escape(_ text: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
                out.append(byte)
            case 0x20:
                out.append(UInt8(ascii: "+"))
            default:
                out += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func unescape(_ text: Substring) -> String? {
        var out: [UInt8] = []
        var bytes = text.utf8[...]
        while let byte = bytes.popFirst() {
            switch byte {
            case UInt8(ascii: "+"):
                out.append(0x20)
            case UInt8(ascii: "%"):
                guard let high = bytes.popFirst().flatMap(hexValue), let low = bytes.popFirst().flatMap(hexValue) else { return nil }
                out.append(high << 4 | low)
            default:
                out.append(byte)
            }
        }
        return String(validating: out, as: UTF8.self)
    }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
