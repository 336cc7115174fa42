import Foundation
import Testing

@testable import Notifications

@Suite(.timeLimit(.minutes(2))) struct IPAddressClassTests {
    static let special: [String] = [
        "0.0.0.0", "0.1.2.3", "10.0.0.5", "10.255.255.255", "100.64.0.1", "100.127.255.255", "127.0.0.1", "127.255.0.9", "169.254.169.254",
        "172.16.0.1", "172.31.255.255", "192.0.0.8", "192.0.2.1", "192.168.1.1", "198.18.0.1", "198.19.255.255", "198.51.100.7", "203.0.113.9",
        "224.0.0.1", "239.255.255.250", "240.0.0.1", "255.255.255.255",
    ]
    static let global: [String] = [
        "1.1.1.1", "8.8.8.8", "9.255.255.255", "11.0.0.0", "100.63.255.255", "100.128.0.0", "126.255.255.255", "128.0.0.1", "169.253.255.255",
        "172.15.255.255", "172.32.0.0", "192.0.1.1", "192.167.255.255", "192.169.0.0", "198.17.255.255", "198.20.0.0", "203.0.114.1",
        "223.255.255.255",
    ]
    static let specialV6: [String] = [
        "::", "::1", "fc00::1", "fd12:3456::1", "fe80::1", "febf::1", "ff02::1", "ff00::", "2001:db8::1", "2001:db8:ffff::", "::ffff:127.0.0.1",
        "::ffff:10.0.0.5", "::ffff:7f00:1", "64:ff9b::10.0.0.1", "64:ff9b::7f00:1", "2002:7f00:1::", "2002:c0a8:101::1", "::127.0.0.1",
    ]
    static let globalV6: [String] = [
        "2606:4700:4700::1111", "2001:4860:4860::8888", "2a00:1450:4001:80b::200e", "::ffff:8.8.8.8", "64:ff9b::8.8.8.8", "2002:808:808::1",
        "fbff::1", "2001:db9::1",
    ]

    @Test(arguments: special) func specialIPv4AddressesAreNotGlobal(text: String) throws {
        let address = try #require(IPAddress(dottedQuad: text))
        #expect(!IPAddressClass.of(address).isGlobal)
    }

    @Test(arguments: global) func publicIPv4AddressesAreGlobal(text: String) throws {
        let address = try #require(IPAddress(dottedQuad: text))
        #expect(IPAddressClass.of(address) == .global)
    }

    @Test(arguments: specialV6) func specialIPv6AddressesAreNotGlobal(text: String) throws {
        let address = try #require(IPAddress(ipv6: text))
        #expect(!IPAddressClass.of(address).isGlobal)
    }

    @Test(arguments: globalV6) func publicIPv6AddressesAreGlobal(text: String) throws {
        let address = try #require(IPAddress(ipv6: text))
        #expect(IPAddressClass.of(address) == .global)
    }

    @Test func lenientIPv4FormsMeanWhatURLParsersMean() {
        let loopback = IPAddress.v4(0x7F00_0001)
        for text in ["2130706433", "0x7f000001", "0x7f.1", "127.1", "0177.0.0.1", "127.0.1", "127.0.0.1.", "0x7F.0.0.0x1"] {
            #expect(IPAddress(lenientIPv4: text) == loopback, "\(text)")
        }
        for text in ["256.0.0.1", "1.2.3.4.5", "1..2", "4294967296", "09.0.0.1", "1.2.3.256", ""] {
            #expect(IPAddress(lenientIPv4: text) == nil, "\(text)")
        }
        #expect(IPAddress(dottedQuad: "127.1") == nil)
        #expect(IPAddress(dottedQuad: "010.0.0.1") == nil)
        #expect(IPAddress(dottedQuad: "1.2.3.4") == .v4(0x0102_0304))
    }

    @Test func ipv6TextParsesAndPrints() {
        #expect(IPAddress(ipv6: "::1")?.description == "::1")
        #expect(IPAddress(ipv6: "2001:DB8:0:0:1:0:0:1")?.description == "2001:db8::1:0:0:1")
        #expect(IPAddress(ipv6: "::ffff:127.0.0.1") == IPAddress(ipv6: "::ffff:7f00:1"))
        #expect(IPAddress(ipv6: "::ffff:7f00:1")?.description == "::ffff:127.0.0.1")
        #expect(IPAddress(ipv6: "fe80::")?.description == "fe80::")
        #expect(IPAddress(ipv6: "1:2:3:4:5:6:7:8")?.description == "1:2:3:4:5:6:7:8")
        for text in [":::", "1:2:3:4:5:6:7:8:9", "1::2::3", "12345::", "::ffff:256.0.0.1", "g::1", "1:2:3:4:5:6:7", "::1.2.3.4:5"] {
            #expect(IPAddress(ipv6: text) == nil, "\(text)")
        }
    }
}

@Suite(.timeLimit(.minutes(2))) struct WebhookURLPolicyTests {
    static let strict = WebhookURLPolicy(allowPrivate: false)
    static let lenient = WebhookURLPolicy(allowPrivate: true)

    static let accepted: [String] = [
        "https://example.com/hooks", "https://example.com:8443/a?b=c", "https://hooks.example.co.uk/x/y", "https://EXAMPLE.com/",
        "https://8.8.8.8/hook", "https://[2606:4700:4700::1111]/hook", "https://[::ffff:8.8.8.8]/", "https://example.com./",
        "https://xn--bcher-kva.de/", "https://localhost.example.com/",
    ]

    /// URL and a fragment of the expected sentence.
    static let refused: [(String, String)] = [
        ("", "required"),
        ("example.com/hook", "absolute"),
        ("/hook", "absolute"),
        ("ftp://example.com/", "https://"),
        ("http://example.com/", "https://"),
        ("javascript:alert(1)", "https://"),
        ("https:///hook", "host"),
        ("https://user:pass@example.com/", "user name"),
        ("https://user@example.com/", "user name"),
        ("https://example.com:0/", "port"),
        ("https://example.com:99999/", "port"),
        ("https://exa mple.com/", "spaces"),
        ("https://bücher.de/", "non-ASCII"),
        ("https://%31%32%37.0.0.1/", "DNS name"),
        ("https://example.com/" + String(repeating: "a", count: 2048), "2048"),
        ("https://localhost/", "localhost"),
        ("https://LOCALHOST:8080/", "localhost"),
        ("https://api.localhost/", "localhost"),
        ("https://localhost./", "localhost"),
        ("https://127.0.0.1/", "private address (127.0.0.1)"),
        ("https://10.0.0.5/", "private address (10.0.0.5)"),
        ("https://169.254.169.254/latest/meta-data", "private address (169.254.169.254)"),
        ("https://192.168.0.1/", "private"),
        ("https://0.0.0.0/", "private"),
        ("https://255.255.255.255/", "private"),
        ("https://2130706433/", "private address (127.0.0.1)"),
        ("https://0x7f.1/", "private address (127.0.0.1)"),
        ("https://127.1/", "private address (127.0.0.1)"),
        ("https://0177.0.0.1/", "private address (127.0.0.1)"),
        ("https://134744072/", "four decimal numbers (8.8.8.8)"),
        ("https://1.2.3.999/", "invalid IPv4"),
        ("https://example.0x10/", "invalid IPv4"),
        ("https://[::1]/", "private"),
        ("https://[::]/", "private"),
        ("https://[::ffff:127.0.0.1]/", "private address (::ffff:127.0.0.1)"),
        ("https://[::ffff:7f00:1]/", "private address (::ffff:127.0.0.1)"),
        ("https://[fd00::1]/", "private"),
        ("https://[fe80::1%25eth0]/", "IPv6"),
        ("https://[64:ff9b::a00:1]/", "private address (64:ff9b::10.0.0.1)"),
        ("https://[2001:db8::1]/", "private"),
        ("https://[ff02::1]/", "private"),
    ]

    @Test(arguments: accepted) func publicHTTPSURLsAreAccepted(text: String) throws {
        let url = try Self.strict.check(text)
        #expect(url.absoluteString == text)
    }

    @Test(arguments: refused) func badURLsAreRefusedWithASentenceAboutTheURLField(text: String, sentence: String) {
        #expect {
            _ = try Self.strict.check(text)
        } throws: { error in
            guard let error = error as? WebhookURLError else { return false }
            return error.field == "url" && error.description.hasPrefix("url ") && error.description.contains(sentence)
        }
    }

    @Test func allowPrivateAcceptsLoopbackAndPlainHTTP() throws {
        for text in ["http://127.0.0.1:8080/hook", "http://localhost:3000/", "https://10.0.0.5/", "http://[::1]:9000/", "http://api.localhost/"] {
            _ = try Self.lenient.check(text)
        }
        // Syntax still matters, and odd IPv4 forms are still refused.
        for text in ["ftp://127.0.0.1/", "http://user@127.0.0.1/", "http://2130706433/", "http://127.0.0.1:0/"] {
            #expect(throws: WebhookURLError.self, "\(text)") { try Self.lenient.check(text) }
        }
    }

    @Test func resolvedLocalhostIsRefusedUnlessPrivateAddressesAreAllowed() async throws {
        let url = try Self.lenient.check("http://localhost:8080/hook")
        await #expect(throws: WebhookURLError.self) { try await Self.strict.checkResolved(url) }
        try await Self.lenient.checkResolved(url)
    }

    @Test func resolvedNamesAreCheckedAddressByAddress() async throws {
        let literal = try #require(URL(string: "https://127.0.0.1/"))
        await #expect { try await Self.strict.checkResolved(literal) } throws: { error in
            (error as? WebhookURLError)?.description == "url resolves to a private address (127.0.0.1)"
        }
        let mapped = try #require(URL(string: "https://[::ffff:10.1.2.3]/"))
        await #expect(throws: WebhookURLError.self) { try await Self.strict.checkResolved(mapped) }
        try await Self.strict.checkResolved(try #require(URL(string: "https://8.8.8.8/")))
        // The resolver itself: `localhost` through getaddrinfo gives only loopback addresses.
        let addresses = try WebhookURLPolicy.resolve("localhost")
        #expect(!addresses.isEmpty)
        #expect(addresses.allSatisfy { !IPAddressClass.of($0).isGlobal })
    }
}
