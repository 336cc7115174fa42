import Foundation
import NIOPosix

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Which URLs a webhook endpoint may have, so that a shop owner's (or an attacker's) endpoint
/// cannot make the server call itself or its private network.
///
/// Two steps: `check` when the endpoint is saved (syntax, IP literals, `localhost`), and
/// `checkResolved` before every delivery, because what a name resolves to can change.
public struct WebhookURLPolicy: Sendable {
    /// Allow `http://`, `localhost` and non-public addresses: for development and tests only.
    public var allowPrivate: Bool
    /// The longest URL accepted, in UTF-8 bytes.
    public static let maximumLength = 2048

    /// A policy; production uses `allowPrivate: false`.
    public init(allowPrivate: Bool = false) {
        self.allowPrivate = allowPrivate
    }

    /// Checks an endpoint URL as typed, without network access.
    ///
    /// Requires an absolute `https://` URL (`http://` too when `allowPrivate`) with an ASCII host, no user
    /// or password, a port from 1 to 65535 and at most 2048 bytes. A host that is an IP address,
    /// in any of the forms URL parsers accept (`2130706433`, `0x7f.1`, `[::ffff:127.0.0.1]`), must be public,
    /// and `localhost` or `*.localhost` is refused, unless `allowPrivate`. IPv4 addresses must be written as
    /// a plain dotted quad, so that every client reads them the same way.
    public func check(_ text: String) throws(WebhookURLError) -> URL {
        guard !text.isEmpty else { throw WebhookURLError("url is required") }
        guard text.utf8.count <= Self.maximumLength else { throw WebhookURLError("url must be at most \(Self.maximumLength) characters") }
        guard text.unicodeScalars.allSatisfy({ $0.isASCII && $0.value > 0x20 && $0.value != 0x7F }) else {
            throw WebhookURLError("url must not contain spaces, control or non-ASCII characters")
        }
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased() else { throw WebhookURLError("url must be an absolute URL") }
        switch scheme {
        case "https": break
        case "http" where allowPrivate: break
        default: throw WebhookURLError("url must be an https:// URL")
        }
        guard let rawHost = url.host(percentEncoded: true), !rawHost.isEmpty else { throw WebhookURLError("url must have a host") }
        guard url.user == nil, url.password == nil, !Self.authority(of: text).contains("@") else {
            throw WebhookURLError("url must not contain a user name or password")
        }
        if let port = url.port {
            guard (1...65535).contains(port) else { throw WebhookURLError("url has an invalid port (\(port))") }
        }
        let host = rawHost.lowercased()
        if host.contains(":") {
            guard let address = IPAddress(ipv6: host) else { throw WebhookURLError("url has an invalid IPv6 address") }
            try refuseIfSpecial(address)
            return url
        }
        guard host.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "." || $0 == "_") }) else {
            throw WebhookURLError("url host must be a DNS name in ASCII (punycode) or an IP address")
        }
        let name = host.hasSuffix(".") ? String(host.dropLast()) : host
        guard !name.isEmpty, !name.hasPrefix("."), !name.contains("..") else { throw WebhookURLError("url has an invalid host") }
        if IPAddress.looksNumeric(name) {
            guard let address = IPAddress(lenientIPv4: name) else { throw WebhookURLError("url has an invalid IPv4 address") }
            try refuseIfSpecial(address)
            guard IPAddress(dottedQuad: name) != nil else {
                throw WebhookURLError("url must write an IPv4 address as four decimal numbers (\(address))")
            }
            return url
        }
        if !allowPrivate, name == "localhost" || name.hasSuffix(".localhost") {
            throw WebhookURLError("url must not point to localhost")
        }
        return url
    }

    /// Resolves the URL's host and refuses it if any address it resolves to is not public (unless `allowPrivate`).
    ///
    /// The look-up (`getaddrinfo`) blocks, so it runs on `NIOThreadPool.singleton`, never on the
    /// cooperative pool. Call it before every delivery: DNS answers change.
    public func checkResolved(_ url: URL) async throws(WebhookURLError) {
        guard let rawHost = url.host(percentEncoded: false), !rawHost.isEmpty else { throw WebhookURLError("url must have a host") }
        var host = rawHost.lowercased()
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        if host.hasSuffix(".") { host.removeLast() }
        if !allowPrivate, host == "localhost" || host.hasSuffix(".localhost") {
            throw WebhookURLError("url must not point to localhost")
        }
        if let literal = IPAddress(ipv6: host) ?? IPAddress(dottedQuad: host) {
            try refuseIfSpecial(literal)
            return
        }
        if allowPrivate { return }
        let addresses: [IPAddress]
        do {
            let name = host
            addresses = try await NIOThreadPool.singleton.runIfActive { try Self.resolve(name) }
        } catch let error as WebhookURLError {
            throw error
        } catch {
            throw WebhookURLError("url host could not be resolved (\(host))")
        }
        guard !addresses.isEmpty else { throw WebhookURLError("url host could not be resolved (\(host))") }
        for address in addresses { try refuseIfSpecial(address) }
    }

    private func refuseIfSpecial(_ address: IPAddress) throws(WebhookURLError) {
        guard !allowPrivate else { return }
        if case .special = IPAddressClass.of(address) {
            throw WebhookURLError("url resolves to a private address (\(address))")
        }
    }

    /// The authority part of a URL text: between `//` and the next `/`, `?` or `#`.
    private static func authority(of text: String) -> Substring {
        guard let start = text.range(of: "//") else { return "" }
        let rest = text[start.upperBound...]
        return rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
    }

    /// Every address `getaddrinfo` gives for a name (TCP), blocking.
    static func resolve(_ host: String) throws(WebhookURLError) -> [IPAddress] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Darwin)
        hints.ai_socktype = SOCK_STREAM
        #else
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, nil, &hints, &list)
        guard status == 0, let first = list else { throw WebhookURLError("url host could not be resolved (\(host))") }
        defer { freeaddrinfo(first) }
        var addresses: [IPAddress] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let entry = cursor {
            if let socketAddress = entry.pointee.ai_addr {
                switch Int32(socketAddress.pointee.sa_family) {
                case AF_INET:
                    let v4 = socketAddress.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr.s_addr }
                    addresses.append(.v4(UInt32(bigEndian: v4)))
                case AF_INET6:
                    var v6 = socketAddress.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee.sin6_addr }
                    addresses.append(.v6(withUnsafeBytes(of: &v6) { Array($0) }))
                default:
                    break
                }
            }
            cursor = entry.pointee.ai_next
        }
        return addresses
    }
}

/// Why a webhook URL is refused: a field error for the API's answer.
public struct WebhookURLError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The field in error: always `"url"`.
    public var field: String
    /// A human sentence, e.g. "url must be an https:// URL".
    public var description: String

    /// An error about the `url` field.
    public init(_ description: String) {
        self.field = "url"
        self.description = description
    }
}
