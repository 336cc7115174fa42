import Foundation
import PaymentProtocols
import Testing

/// `shared/payments/` beside the repository: the gateways' published test vectors.
enum SharedVectors {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("shared/payments")
    static var available: Bool { FileManager.default.fileExists(atPath: directory.appendingPathComponent("ecpay-vectors.json").path) }

    static func load(_ name: String) throws -> [[String: Any]] {
        let data = try Data(contentsOf: directory.appendingPathComponent(name))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [[String: Any]])
    }
}

@Suite(
    "ECPay CheckMacValue and Stripe signatures against the official vectors", .timeLimit(.minutes(2)),
    .enabled(if: SharedVectors.available, "../shared/payments is absent"))
struct ProtocolVectorTests {
    @Test("every ECPay vector reproduces, verifies, and fails once a value changes")
    func ecpayVectors() throws {
        let vectors = try SharedVectors.load("ecpay-vectors.json")
        #expect(vectors.count >= 9)
        for vector in vectors {
            let name = vector["name"] as? String ?? "?"
            let params = try #require(vector["params"] as? [String: String], "\(name)")
            let key = try #require(vector["key"] as? String), iv = try #require(vector["iv"] as? String)
            let method: ECPayCheckMac.Method = vector["method"] as? String == "md5" ? .md5 : .sha256
            let expected = try #require(vector["expected"] as? String)
            #expect(ECPayCheckMac.compute(params, hashKey: key, hashIV: iv, method: method) == expected, "\(name)")
            var signed = params
            signed["CheckMacValue"] = expected
            #expect(ECPayCheckMac.verify(signed, hashKey: key, hashIV: iv, method: method), "\(name)")
            signed["CheckMacValue"] = expected.lowercased()
            #expect(ECPayCheckMac.verify(signed, hashKey: key, hashIV: iv, method: method), "\(name): hex case does not matter")
            let field = try #require(params.keys.sorted().first)
            var tampered = signed
            tampered[field] = (params[field] ?? "") + "1"
            #expect(!ECPayCheckMac.verify(tampered, hashKey: key, hashIV: iv, method: method), "\(name): a changed \(field) must fail")
            var extra = signed
            extra["Extra"] = ""
            #expect(!ECPayCheckMac.verify(extra, hashKey: key, hashIV: iv, method: method), "\(name): an added empty field is in the MAC")
            #expect(!ECPayCheckMac.verify(params, hashKey: key, hashIV: iv, method: method), "\(name): no MAC, no pass")
        }
    }

    @Test("every Stripe vector reproduces and verifies at its own time")
    func stripeVectors() throws {
        let vectors = try SharedVectors.load("stripe-webhook-vectors.json")
        #expect(vectors.count >= 3)
        for vector in vectors {
            let name = vector["name"] as? String ?? "?"
            let secret = try #require(vector["secret"] as? String), payload = Array(try #require(vector["payload"] as? String).utf8)
            let t = try #require((vector["t"] as? NSNumber)?.int64Value), v1 = try #require(vector["v1"] as? String)
            #expect(StripeSignature.signature(payload: payload, secret: secret, timestamp: t) == v1, "\(name)")
            let at = Date(timeIntervalSince1970: TimeInterval(t))
            try StripeSignature.verify(header: "t=\(t),v1=\(v1)", payload: payload, secret: secret, now: at)
            try StripeSignature.verify(header: "t=\(t),v1=\(String(repeating: "0", count: 64)),v1=\(v1),v0=abc", payload: payload, secret: secret, now: at)
            #expect(throws: StripeSignature.Failure.timestampOutOfTolerance) {
                try StripeSignature.verify(header: "t=\(t),v1=\(v1)", payload: payload, secret: secret, now: at.addingTimeInterval(301))
            }
            #expect(throws: StripeSignature.Failure.timestampOutOfTolerance) {
                try StripeSignature.verify(header: "t=\(t),v1=\(v1)", payload: payload, secret: secret, now: at.addingTimeInterval(-301))
            }
            #expect(throws: StripeSignature.Failure.noMatchingSignature) {
                try StripeSignature.verify(header: "t=\(t),v1=\(v1)", payload: payload + Array(" ".utf8), secret: secret, now: at)
            }
            #expect(throws: StripeSignature.Failure.noMatchingSignature) {
                try StripeSignature.verify(header: "t=\(t + 1),v1=\(v1)", payload: payload, secret: secret, now: at)
            }
            #expect(throws: StripeSignature.Failure.malformedHeader) {
                try StripeSignature.verify(header: "t=\(t),v0=\(v1)", payload: payload, secret: secret, now: at)
            }
        }
    }
}

@Suite("Payment protocol encoding", .timeLimit(.minutes(2)))
struct EncodingTests {
    @Test(".NET UrlEncode: letters, digits and - _ . ! * ( ) stay; space is +; ~ and everything else is %xx of UTF-8")
    func dotNetEncoding() {
        #expect(DotNetURLEncoding.encode("aZ09-_.!*()") == "aZ09-_.!*()")
        #expect(DotNetURLEncoding.encode("a b~'") == "a+b%7e%27")
        #expect(DotNetURLEncoding.encode("測") == "%e6%b8%ac")
        #expect(DotNetURLEncoding.encode("&=?#@+%") == "%26%3d%3f%23%40%2b%25")
    }

    @Test("form bodies round-trip, and malformed or repeated keys are refused")
    func formEncoding() {
        let fields = ["ItemName": "蘋果 x 2#Café (big)", "Sym": "~!*'()+@#&=?% ", "Empty": ""]
        let body = FormEncoding.encode(fields)
        #expect(FormEncoding.decode(body) == fields)
        #expect(FormEncoding.decode("a=%zz") == nil)
        #expect(FormEncoding.decode("a=1&a=2") == nil)
        #expect(FormEncoding.decode("a=b+c&d=%E6%B8%AC") == ["a": "b c", "d": "測"])
    }

    @Test("ItemName: # and control characters cleaned, joined by #, at most 400 characters")
    func itemName() {
        #expect(ECPayProtocol.itemName(["A#B x 1", "  line\nbreak  x 2", ""]) == "A B x 1#line break x 2")
        let long = ECPayProtocol.itemName(Array(repeating: String(repeating: "酪", count: 150), count: 5))
        #expect(long.count <= 400)
        #expect(!long.hasSuffix("#"))
    }

    @Test("Taiwan time is UTC+8 and round-trips")
    func taiwanTime() throws {
        let date = Date(timeIntervalSince1970: 1_700_000_000)  // 2023-11-14 22:13:20 UTC
        #expect(ECPayProtocol.tradeDate(date) == "2023/11/15 06:13:20")
        #expect(ECPayProtocol.parseDate("2023/11/15 06:13:20") == date)
        #expect(ECPayProtocol.day(date) == "2023/11/15")
    }

    @Test("Stripe amounts: TWD priced in whole dollars is sent in cents; JPY stays whole")
    func stripeAmounts() {
        #expect(StripeCurrency.amount(450, shopExponent: 0, code: "TWD") == 45000)
        #expect(StripeCurrency.amount(450, shopExponent: 0, code: "JPY") == 450)
        #expect(StripeCurrency.amount(1999, shopExponent: 2, code: "USD") == 1999)
        #expect(StripeCurrency.amount(1999, shopExponent: 2, code: "JPY") == nil)
    }
}
