/// Where and how to send mail, read from an `SMTP_URL`.
///
/// - `smtp://user:pass@host:587`: STARTTLS, required (default port 587).
/// - `smtps://user:pass@host`: TLS from the first byte (default port 465).
/// - `smtp://127.0.0.1:2525?tls=none`: no TLS, allowed only for a loopback host.
public struct SMTPSettings: Sendable, Hashable {
    /// How the connection is protected.
    public enum Security: Sendable, Hashable {
        /// Plain connect, then `STARTTLS`, which the server must offer.
        case startTLS
        /// TLS from the first byte (`smtps`).
        case implicitTLS
        /// No TLS at all (loopback only).
        case none
    }

    /// The server's host name or address.
    public var host: String
    /// The server's port.
    public var port: Int
    /// How the connection is protected.
    public var security: Security
    /// The user to authenticate as, if any.
    public var username: String?
    /// The password, if any. Never logged; see `redacted`.
    public var password: String?

    /// Creates settings from parts; prefer `init(url:)`, which checks them.
    public init(host: String, port: Int, security: Security, username: String? = nil, password: String? = nil) {
        self.host = host
        self.port = port
        self.security = security
        self.username = username
        self.password = password
    }

    /// Reads an `SMTP_URL`; the error says what is wrong without echoing the password.
    public init(url: String) throws(SMTPSettingsError) {
        var rest = Substring(url.trimmingCharacters(in: .whitespaces))
        guard let schemeEnd = rest.range(of: "://") else { throw SMTPSettingsError("SMTP_URL must look like smtp://user:password@host:587") }
        let scheme = rest[..<schemeEnd.lowerBound].lowercased()
        rest = rest[schemeEnd.upperBound...]
        switch scheme {
        case "smtp": (security, port) = (.startTLS, 587)
        case "smtps": (security, port) = (.implicitTLS, 465)
        default: throw SMTPSettingsError("SMTP_URL scheme must be smtp or smtps, not \(scheme)")
        }
        var query: Substring = ""
        if let mark = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: mark)...]
            rest = rest[..<mark]
        }
        if let slash = rest.firstIndex(of: "/") {
            guard rest[slash...].allSatisfy({ $0 == "/" }) else { throw SMTPSettingsError("SMTP_URL must not have a path") }
            rest = rest[..<slash]
        }
        if let at = rest.lastIndex(of: "@") {
            let userInfo = rest[..<at]
            rest = rest[rest.index(after: at)...]
            let user: Substring
            if let colon = userInfo.firstIndex(of: ":") {
                user = userInfo[..<colon]
                guard let decoded = String(userInfo[userInfo.index(after: colon)...]).removingPercentEncoding else {
                    throw SMTPSettingsError("SMTP_URL password is not valid percent-encoding")
                }
                password = decoded
            } else {
                user = userInfo
            }
            guard let decoded = String(user).removingPercentEncoding, !decoded.isEmpty else {
                throw SMTPSettingsError("SMTP_URL user is empty or not valid percent-encoding")
            }
            username = decoded
        }
        var hostPart = rest
        var portText: Substring?
        if hostPart.hasPrefix("[") {
            guard let close = hostPart.firstIndex(of: "]") else { throw SMTPSettingsError("SMTP_URL has an unclosed [ in its host") }
            let after = hostPart[hostPart.index(after: close)...]
            if after.hasPrefix(":") {
                portText = after.dropFirst()
            } else if !after.isEmpty {
                throw SMTPSettingsError("SMTP_URL has text after the host's ]")
            }
            hostPart = hostPart[hostPart.index(after: hostPart.startIndex)..<close]
        } else if let colon = hostPart.lastIndex(of: ":") {
            portText = hostPart[hostPart.index(after: colon)...]
            hostPart = hostPart[..<colon]
        }
        guard !hostPart.isEmpty else { throw SMTPSettingsError("SMTP_URL has no host") }
        guard hostPart.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-._:".contains($0)) }) else {
            throw SMTPSettingsError("SMTP_URL host \(hostPart) has characters a host name cannot have")
        }
        host = String(hostPart).lowercased()
        if let portText {
            guard let value = Int(portText), (1...65535).contains(value) else {
                throw SMTPSettingsError("SMTP_URL port must be a number from 1 to 65535, not \(portText)")
            }
            port = value
        }
        for item in query.split(separator: "&") where !item.isEmpty {
            let pair = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(pair[0]).removingPercentEncoding ?? String(pair[0])
            let value = pair.count > 1 ? (String(pair[1]).removingPercentEncoding ?? String(pair[1])) : ""
            guard name == "tls" else { throw SMTPSettingsError("SMTP_URL has an unknown query parameter \(name) (only tls=none is known)") }
            guard value == "none" else { throw SMTPSettingsError("SMTP_URL tls must be none, not \(value)") }
            guard scheme == "smtp" else { throw SMTPSettingsError("SMTP_URL tls=none cannot be used with smtps") }
            guard Self.isLoopback(host) else { throw SMTPSettingsError("SMTP_URL tls=none is allowed only for a loopback host, not \(host)") }
            security = .none
        }
    }

    /// Whether `host` is `localhost`, `127.x.x.x` or `::1`.
    public static func isLoopback(_ host: String) -> Bool {
        let lower = host.lowercased()
        if lower == "localhost" || lower == "::1" || lower == "0:0:0:0:0:0:0:1" { return true }
        let parts = lower.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts[0] == "127" && parts.allSatisfy { UInt8($0) != nil }
    }

    /// The settings as a URL with the password replaced by `***`, for logs.
    public var redacted: String {
        var text = security == .implicitTLS ? "smtps://" : "smtp://"
        if let username {
            text += username.addingPercentEncoding(withAllowedCharacters: .urlUserAllowed) ?? "***"
            if password != nil { text += ":***" }
            text += "@"
        }
        text += host.contains(":") ? "[\(host)]" : host
        text += ":\(port)"
        if security == .none { text += "?tls=none" }
        return text
    }
}

/// A bad `SMTP_URL`; `description` starts with `SMTP_URL ` and says what is wrong.
public struct SMTPSettingsError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong, starting with `SMTP_URL `.
    public let description: String

    init(_ description: String) {
        self.description = description
    }
}
