/// An IPv4 or IPv6 address as numbers, for deciding whether a webhook may reach it.
public enum IPAddress: Sendable, Hashable, CustomStringConvertible {
    /// An IPv4 address, most significant byte first (`127.0.0.1` is `0x7F00_0001`).
    case v4(UInt32)
    /// An IPv6 address: its 16 bytes in network order.
    case v6([UInt8])

    /// Reads a strict dotted quad: four decimal numbers 0 to 255 without leading zeros (`10.0.0.5`).
    public init?(dottedQuad text: some StringProtocol) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var value: UInt32 = 0
        for part in parts {
            guard !part.isEmpty, part.count <= 3, part.allSatisfy({ $0.isASCII && $0.isNumber }), part == "0" || !part.hasPrefix("0"),
                let byte = UInt32(part), byte <= 255
            else { return nil }
            value = value << 8 | byte
        }
        self = .v4(value)
    }

    /// Reads an IPv4 address the way URL parsers and `inet_aton` do: one to four parts, each decimal,
    /// octal (leading `0`) or hexadecimal (`0x`), the last part filling the remaining bytes
    /// (`2130706433`, `0x7f.1`, `127.1` and `0177.0.0.1` are all `127.0.0.1`). A trailing dot is allowed.
    public init?(lenientIPv4 text: some StringProtocol) {
        var parts = text.split(separator: ".", omittingEmptySubsequences: false)
        if parts.count > 1, parts.last?.isEmpty == true { parts.removeLast() }
        guard (1...4).contains(parts.count) else { return nil }
        var numbers: [UInt64] = []
        for part in parts {
            guard let number = Self.lenientNumber(part) else { return nil }
            numbers.append(number)
        }
        for number in numbers.dropLast() where number > 255 { return nil }
        let remainingBytes = 5 - numbers.count
        guard let last = numbers.last, last < (UInt64(1) << (8 * UInt64(remainingBytes))) else { return nil }
        var value: UInt64 = 0
        for (index, number) in numbers.dropLast().enumerated() { value |= number << (8 * UInt64(3 - index)) }
        self = .v4(UInt32(value | last))
    }

    /// Whether a host looks like an IPv4 address to a URL parser: its last label is a number (decimal or `0x` hexadecimal).
    /// Such a host must parse with `init(lenientIPv4:)` or be refused; it is never looked up as a name.
    public static func looksNumeric(_ host: some StringProtocol) -> Bool {
        var labels = host.split(separator: ".", omittingEmptySubsequences: false)
        if labels.count > 1, labels.last?.isEmpty == true { labels.removeLast() }
        guard let last = labels.last, !last.isEmpty else { return false }
        if last.allSatisfy({ $0.isASCII && $0.isNumber }) { return true }
        let lower = last.lowercased()
        return lower.hasPrefix("0x") && lower.dropFirst(2).allSatisfy { $0.isHexDigit && $0.isASCII }
    }

    private static func lenientNumber(_ part: some StringProtocol) -> UInt64? {
        guard !part.isEmpty else { return nil }
        let lower = part.lowercased()
        let digits: Substring
        let radix: Int
        if lower.hasPrefix("0x") {
            digits = Substring(lower.dropFirst(2))
            radix = 16
            if digits.isEmpty { return 0 }
        } else if lower.count > 1, lower.hasPrefix("0") {
            digits = Substring(lower.dropFirst())
            radix = 8
        } else {
            digits = Substring(lower)
            radix = 10
        }
        guard digits.count <= 12, digits.allSatisfy({ $0.isASCII && $0.isHexDigit }) else { return nil }
        return UInt64(digits, radix: radix)
    }

    /// Reads an IPv6 address in text form (`::1`, `2001:db8::5`, `::ffff:127.0.0.1`), without brackets or zone.
    public init?(ipv6 text: some StringProtocol) {
        let text = String(text)
        guard text.contains(":"), text.allSatisfy({ $0.isASCII && ($0.isHexDigit || $0 == ":" || $0 == ".") }) else { return nil }
        let halves = text.components(separatedBy: "::")
        guard halves.count <= 2 else { return nil }
        func groups(_ half: String, allowIPv4Tail: Bool) -> [UInt16]? {
            if half.isEmpty { return [] }
            var result: [UInt16] = []
            let pieces = half.split(separator: ":", omittingEmptySubsequences: false)
            for (index, piece) in pieces.enumerated() {
                if piece.contains(".") {
                    guard allowIPv4Tail, index == pieces.count - 1, case .v4(let v4)? = IPAddress(dottedQuad: piece) else { return nil }
                    result.append(UInt16(v4 >> 16))
                    result.append(UInt16(v4 & 0xFFFF))
                } else {
                    guard (1...4).contains(piece.count), let group = UInt16(piece, radix: 16) else { return nil }
                    result.append(group)
                }
            }
            return result
        }
        let all: [UInt16]
        if halves.count == 2 {
            guard let head = groups(halves[0], allowIPv4Tail: false), let tail = groups(halves[1], allowIPv4Tail: true),
                head.count + tail.count <= 7
            else { return nil }
            all = head + Array(repeating: 0, count: 8 - head.count - tail.count) + tail
        } else {
            guard let groups = groups(text, allowIPv4Tail: true), groups.count == 8 else { return nil }
            all = groups
        }
        self = .v6(all.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] })
    }

    /// Dotted quad for IPv4; for IPv6, groups in hexadecimal with the longest run of zeros as `::`.
    public var description: String {
        switch self {
        case .v4(let value):
            return "\(value >> 24).\(value >> 16 & 0xFF).\(value >> 8 & 0xFF).\(value & 0xFF)"
        case .v6(let bytes):
            // IPv4-mapped and NAT64 addresses show the IPv4 address they carry, as RFC 5952 recommends.
            let carried = IPAddress.v4(bytes[12..<16].reduce(UInt32(0)) { $0 << 8 | UInt32($1) })
            if bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xFF, bytes[11] == 0xFF { return "::ffff:\(carried)" }
            if bytes[0..<12].elementsEqual([0x00, 0x64, 0xFF, 0x9B, 0, 0, 0, 0, 0, 0, 0, 0]) { return "64:ff9b::\(carried)" }
            let groups = (0..<8).map { UInt16(bytes[2 * $0]) << 8 | UInt16(bytes[2 * $0 + 1]) }
            var best = (start: -1, length: 0)
            var index = 0
            while index < 8 {
                guard groups[index] == 0 else {
                    index += 1
                    continue
                }
                var end = index
                while end < 8, groups[end] == 0 { end += 1 }
                if end - index > best.length, end - index > 1 { best = (index, end - index) }
                index = end
            }
            let hex = groups.map { String($0, radix: 16) }
            guard best.start >= 0 else { return hex.joined(separator: ":") }
            return hex[..<best.start].joined(separator: ":") + "::" + hex[(best.start + best.length)...].joined(separator: ":")
        }
    }
}

/// Where an address leads: the public Internet, or a range a webhook must not reach (loopback,
/// private networks, link-local, documentation, multicast and the like).
public enum IPAddressClass: Sendable, Hashable {
    /// A globally routable address.
    case global
    /// A special-purpose address; the payload names the range, e.g. `"10.0.0.0/8 (private)"`.
    case special(String)

    /// Whether a webhook may be sent there.
    public var isGlobal: Bool { self == .global }

    /// The class of one address. Pure: the table below is the whole rule.
    ///
    /// IPv6 addresses that carry an IPv4 address (`::ffff:0:0/96`, `64:ff9b::/96`, `2002::/16`, `::/96`)
    /// take the class of the IPv4 address they carry.
    public static func of(_ address: IPAddress) -> IPAddressClass {
        switch address {
        case .v4(let value):
            for range in v4Special where value & range.mask == range.base { return .special(range.name) }
            return .global
        case .v6(let bytes):
            guard bytes.count == 16 else { return .special("malformed IPv6 address") }
            func embeddedV4(at offset: Int) -> UInt32 {
                (offset..<offset + 4).reduce(UInt32(0)) { $0 << 8 | UInt32(bytes[$1]) }
            }
            let first96Zero = bytes[0..<12].allSatisfy { $0 == 0 }
            if first96Zero {
                let v4 = embeddedV4(at: 12)
                if v4 == 0 { return .special("::/128 (unspecified)") }
                if v4 == 1 { return .special("::1/128 (loopback)") }
                return of(.v4(v4)) == .global ? .special("::/96 (IPv4-compatible, deprecated)") : of(.v4(v4))
            }
            if bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xFF, bytes[11] == 0xFF { return of(.v4(embeddedV4(at: 12))) }
            if bytes[0..<12] == [0x00, 0x64, 0xFF, 0x9B, 0, 0, 0, 0, 0, 0, 0, 0] { return of(.v4(embeddedV4(at: 12))) }
            if bytes[0] == 0x20, bytes[1] == 0x02 { return of(.v4(embeddedV4(at: 2))) }
            for range in v6Special where zip(bytes, range.prefix).allSatisfy({ $0 & $1.mask == $1.value }) { return .special(range.name) }
            return .global
        }
    }

    private struct V4Range {
        var base: UInt32
        var mask: UInt32
        var name: String
        init(_ a: UInt32, _ b: UInt32, _ c: UInt32, _ d: UInt32, _ bits: UInt32, _ kind: String) {
            base = a << 24 | b << 16 | c << 8 | d
            mask = bits == 0 ? 0 : UInt32.max << (32 - bits)
            name = "\(a).\(b).\(c).\(d)/\(bits) (\(kind))"
        }
    }

    private static let v4Special: [V4Range] = [
        V4Range(0, 0, 0, 0, 8, "this network"),
        V4Range(10, 0, 0, 0, 8, "private"),
        V4Range(100, 64, 0, 0, 10, "shared address space"),
        V4Range(127, 0, 0, 0, 8, "loopback"),
        V4Range(169, 254, 0, 0, 16, "link-local"),
        V4Range(172, 16, 0, 0, 12, "private"),
        V4Range(192, 0, 0, 0, 24, "IETF protocol assignments"),
        V4Range(192, 0, 2, 0, 24, "documentation"),
        V4Range(192, 88, 99, 0, 24, "6to4 relay anycast"),
        V4Range(192, 168, 0, 0, 16, "private"),
        V4Range(198, 18, 0, 0, 15, "benchmarking"),
        V4Range(198, 51, 100, 0, 24, "documentation"),
        V4Range(203, 0, 113, 0, 24, "documentation"),
        V4Range(224, 0, 0, 0, 4, "multicast"),
        V4Range(240, 0, 0, 0, 4, "reserved"),  // includes 255.255.255.255, the limited broadcast
    ]

    private struct V6Range {
        var prefix: [(value: UInt8, mask: UInt8)]
        var name: String
        init(_ bytes: [UInt8], _ bits: Int, _ name: String) {
            prefix = bytes.enumerated().map { index, byte in
                let maskBits = max(0, min(8, bits - 8 * index))
                let mask: UInt8 = maskBits == 0 ? 0 : UInt8.max << (8 - maskBits)
                return (byte & mask, mask)
            }
            self.name = name
        }
    }

    private static let v6Special: [V6Range] = [
        V6Range([0x00, 0x64, 0xFF, 0x9B, 0x00, 0x01], 48, "64:ff9b:1::/48 (local-use NAT64)"),
        V6Range([0x01, 0x00, 0, 0, 0, 0, 0, 0], 64, "100::/64 (discard-only)"),
        V6Range([0x20, 0x01, 0x00, 0x00], 32, "2001::/32 (Teredo)"),
        V6Range([0x20, 0x01, 0x0D, 0xB8], 32, "2001:db8::/32 (documentation)"),
        V6Range([0x3F, 0xFF], 20, "3fff::/20 (documentation)"),
        V6Range([0xFC], 7, "fc00::/7 (unique local)"),
        V6Range([0xFE, 0x80], 10, "fe80::/10 (link-local)"),
        V6Range([0xFE, 0xC0], 10, "fec0::/10 (site-local, deprecated)"),
        V6Range([0xFF], 8, "ff00::/8 (multicast)"),
    ]
}
