/// An e-mail address with an optional display name, such as `台南山丘酪梨園 <shop@example.tw>`.
public struct MailAddress: Sendable, Hashable, CustomStringConvertible {
    /// The display name, if any (unencoded; `rendered` encodes it).
    public var name: String?
    /// The bare address, `local@domain`.
    public var address: String

    /// Creates an address after checking it.
    public init(name: String? = nil, address: String) throws(MailAddressError) {
        guard Self.isSane(address) else { throw MailAddressError(address) }
        if let name, name.contains(where: \.isNewline) { throw MailAddressError(address) }
        self.name = name.flatMap { $0.isEmpty ? nil : $0 }
        self.address = address
    }

    /// Parses `shop@example.tw`, `Name <shop@example.tw>` or `"Name, Inc" <a@b.c>`.
    public init(parsing text: String) throws(MailAddressError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard let open = trimmed.lastIndex(of: "<") else {
            try self.init(address: trimmed)
            return
        }
        guard trimmed.hasSuffix(">") else { throw MailAddressError(trimmed) }
        let address = String(trimmed[trimmed.index(after: open)..<trimmed.index(before: trimmed.endIndex)])
        var name = trimmed[..<open].trimmingCharacters(in: .whitespaces)
        if name.hasPrefix("\"") {
            guard name.count >= 2, name.hasSuffix("\"") else { throw MailAddressError(trimmed) }
            var unescaped = ""
            var escaping = false
            for character in name.dropFirst().dropLast() {
                if escaping || character != "\\" {
                    unescaped.append(character)
                    escaping = false
                } else {
                    escaping = true
                }
            }
            name = unescaped
        }
        do {
            try self.init(name: name, address: address)
        } catch {
            throw MailAddressError(trimmed)
        }
    }

    /// Parses a comma-separated list; commas inside quotes or angle brackets do not split.
    public static func parseList(_ text: String) throws(MailAddressError) -> [MailAddress] {
        var items: [String] = []
        var current = ""
        var quoted = false
        var angle = false
        var escaping = false
        for character in text {
            if escaping {
                escaping = false
            } else if quoted && character == "\\" {
                escaping = true
            } else if character == "\"" {
                quoted.toggle()
            } else if !quoted && character == "<" {
                angle = true
            } else if !quoted && character == ">" {
                angle = false
            } else if !quoted && !angle && character == "," {
                items.append(current)
                current = ""
                continue
            }
            current.append(character)
        }
        items.append(current)
        var addresses: [MailAddress] = []
        for item in items where !item.trimmingCharacters(in: .whitespaces).isEmpty {
            addresses.append(try MailAddress(parsing: item))
        }
        return addresses
    }

    /// One `@`, a non-empty local part, a domain with a dot (or `localhost`), no spaces, CR, LF or `<>`.
    static func isSane(_ address: String) -> Bool {
        let parts = address.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { return false }
        let forbidden: Set<Unicode.Scalar> = [" ", "<", ">", "\"", ",", "(", ")", "\\", ";", ":", "[", "]"]
        let bad = address.unicodeScalars.contains { forbidden.contains($0) || $0.value < 0x20 || $0.value == 0x7F || $0.properties.isWhitespace }
        guard !bad else { return false }
        let domain = parts[1]
        guard domain.lowercased() == "localhost" || domain.contains(".") else { return false }
        return !domain.hasPrefix(".") && !domain.hasSuffix(".") && !domain.contains("..")
    }

    /// `name <address>` or the bare address.
    public var description: String {
        guard let name else { return address }
        return "\(name) <\(address)>"
    }
}

/// An address that is not a sane e-mail address; `description` names it.
public struct MailAddressError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The text that was rejected.
    public let text: String

    init(_ text: String) {
        self.text = text
    }

    /// Names the bad address.
    public var description: String { "not a valid e-mail address: \(text)" }
}
