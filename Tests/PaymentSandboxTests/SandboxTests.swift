import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import PaymentProtocols
import PaymentSandbox
import Synchronization
import Testing

/// The sandbox as a live server under `/sandbox`, as `storefront serve` mounts it.
func withSandbox(
    _ configuration: SandboxConfiguration = SandboxConfiguration(publicBaseURL: "http://sandbox.test/sandbox", resendInterval: .milliseconds(50)),
    _ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void
) async throws {
    var logger = Logger(label: "sandbox-test")
    logger.logLevel = .warning
    let sandbox = PaymentSandbox(configuration: configuration, logger: logger)
    let router = Router()
    sandbox.addRoutes(to: router.group("sandbox"))
    let app = Application(
        router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)), services: sandbox.services, logger: logger)
    try await app.test(.live, body)
}

/// A checkout form signed with the stage credentials.
func checkoutForm(_ overrides: [String: String] = [:], returnURL: String = "http://127.0.0.1:1/notify") -> [String: String] {
    let tradeNumber = "T" + String(String(UInt64.random(in: 1...UInt64.max), radix: 36).prefix(15))
    var fields = [
        "MerchantID": "3002607", "MerchantTradeNo": tradeNumber,
        "MerchantTradeDate": "2025/06/15 12:00:00", "PaymentType": "aio", "TotalAmount": "450", "TradeDesc": "Test shop",
        "ItemName": "Apple x 2", "ReturnURL": returnURL, "ChoosePayment": "Credit", "EncryptType": "1",
        "OrderResultURL": "http://127.0.0.1:1/result",
    ]
    fields.merge(overrides) { $1 }
    return ECPayCheckMac.signed(fields, hashKey: "pwFHCqoQZGmho4w6", hashIV: "EkRm7iFT261dpevs")
}

extension TestClientProtocol {
    func postForm(_ path: String, _ fields: [String: String], headers: HTTPFields = [:]) async throws -> TestResponse {
        var all = headers
        all[.contentType] = "application/x-www-form-urlencoded"
        return try await execute(uri: path, method: .post, headers: all, body: ByteBuffer(string: FormEncoding.encode(fields)))
    }
}

extension ByteBuffer {
    var text: String { String(buffer: self) }
}

/// The path of an absolute URL (the sandbox links with its public base URL).
func path(_ url: String?) -> String {
    guard let url, let parsed = URL(string: url) else { return "" }
    return parsed.path + (parsed.query.map { "?" + $0 } ?? "")
}

@Suite("Payment sandbox", .timeLimit(.minutes(2)))
struct SandboxTests {
    @Test("checkout: a correctly signed form is taken for item names with spaces, Chinese, symbols, full-width and accented text")
    func checkoutAcceptsHardItemNames() async throws {
        let names = [
            "Apple box x 2", "台南酪梨 禮盒 x 1", "( ) * ~ ! ' % + @ & = ? x 1", "ＡＢＣ全形１２３ x 3", "ÉCLAIR ÀÇÖ Ñ x 1",
            ECPayProtocol.itemName(["a#b", "( ) * ~ ! ' % + @ # & = ?", "ＦＵＬＬ", "ÉÀÜ"]),
        ]
        try await withSandbox { client in
            for name in names {
                let response = try await client.postForm("/sandbox/ecpay/Cashier/AioCheckOut/V5", checkoutForm(["ItemName": name]))
                #expect(response.status == .seeOther, "\(name): \(response.body.text)")
                let page = try await client.execute(uri: path(response.headers[.location]), method: .get)
                #expect(page.body.text.contains(#"id="pay""#) && page.body.text.contains(#"id="decline""#), "\(name)")
            }
        }
    }

    @Test("checkout refusals: bad CheckMacValue, another merchant, reused MerchantTradeNo, over-long ItemName")
    func checkoutRefusals() async throws {
        try await withSandbox { client in
            var bad = checkoutForm()
            bad["ItemName"] = "Changed after signing"
            let badMAC = try await client.postForm("/sandbox/ecpay/Cashier/AioCheckOut/V5", bad)
            #expect(badMAC.body.text.contains("CheckMacValue Error"))
            #expect(!badMAC.body.text.contains(#"id="pay""#))

            let other = ECPayCheckMac.signed(
                checkoutForm(["MerchantID": "2000132"]).filter { $0.key != "CheckMacValue" }, hashKey: "5294y06JbISpM5x9", hashIV: "v77hoKGq4kWxNNIS")
            #expect(try await client.postForm("/sandbox/ecpay/Cashier/AioCheckOut/V5", other).body.text.contains("MerchantID Error"))

            let form = checkoutForm()
            #expect(try await client.postForm("/sandbox/ecpay/Cashier/AioCheckOut/V5", form).status == .seeOther)
            #expect(try await client.postForm("/sandbox/ecpay/Cashier/AioCheckOut/V5", form).body.text.contains("MerchantTradeNo is duplicate"))

            let long = checkoutForm(["ItemName": String(repeating: "x", count: 401)])
            #expect(try await client.postForm("/sandbox/ecpay/Cashier/AioCheckOut/V5", long).body.text.contains("ItemName"))
        }
    }

    @Test("paying resends the signed ReturnURL notification until it gets 1|OK, then sends the browser to OrderResultURL")
    func resendsUntilAcknowledged() async throws {
        let hits = Mutex<[[String: String]]>([])
        let receiver = Router()
        receiver.post("notify") { request, _ -> String in
            let fields = FormEncoding.decode(String(buffer: try await request.body.collect(upTo: 65536))) ?? [:]
            let count = hits.withLock {
                $0.append(fields); return $0.count
            }
            return count < 3 ? "0|try again" : "1|OK"
        }
        let receiverApp = Application(router: receiver, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await receiverApp.test(.live) { receiverClient in
            let returnURL = "http://127.0.0.1:\(receiverClient.port!)/notify"
            try await withSandbox { client in
                let form = checkoutForm(returnURL: returnURL)
                let checkout = try await client.postForm("/sandbox/ecpay/Cashier/AioCheckOut/V5", form)
                let paid = try await client.postForm(path(checkout.headers[.location]) + "/pay", [:])
                #expect(paid.body.text.contains(#"action="http://127.0.0.1:1/result""#))
                #expect(paid.body.text.contains("data-autosubmit"))
                for _ in 0..<100 where hits.withLock({ $0.count }) < 3 { try await Task.sleep(for: .milliseconds(50)) }
                let received = hits.withLock { $0 }
                #expect(received.count == 3)
                let first = try #require(received.first)
                #expect(Set(received.map { $0["CheckMacValue"] ?? "" }).count == 1, "every resend is the same message")
                #expect(ECPayCheckMac.verify(first, hashKey: "pwFHCqoQZGmho4w6", hashIV: "EkRm7iFT261dpevs"))
                #expect(first["RtnCode"] == "1" && first["TradeAmt"] == "450" && first["MerchantTradeNo"] == form["MerchantTradeNo"])
                #expect(first["SimulatePaid"] == "0")
            }
        }
    }

    @Test("resends belong to the sandbox's service: once the sandbox has stopped, nothing more is sent")
    func resendsEndWithTheSandbox() async throws {
        let hits = Mutex(0)
        let receiver = Router()
        receiver.post("notify") { _, _ -> String in
            hits.withLock { $0 += 1 }
            return "0|never acknowledged"
        }
        let receiverApp = Application(router: receiver, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await receiverApp.test(.live) { receiverClient in
            let returnURL = "http://127.0.0.1:\(receiverClient.port!)/notify"
            let configuration = SandboxConfiguration(
                publicBaseURL: "http://sandbox.test/sandbox", resendAttempts: 1_000, resendInterval: .milliseconds(50))
            try await withSandbox(configuration) { client in
                let checkout = try await client.postForm("/sandbox/ecpay/Cashier/AioCheckOut/V5", checkoutForm(returnURL: returnURL))
                _ = try await client.postForm(path(checkout.headers[.location]) + "/pay", [:])
                for _ in 0..<200 where hits.withLock({ $0 }) < 3 { try await Task.sleep(for: .milliseconds(50)) }
                #expect(hits.withLock { $0 } >= 3, "the sandbox resends while it runs")
            }
            // The sandbox has stopped: its resend service, and every resend it ran, have ended. (A
            // send already on the wire when it stopped may still land, hence the first pause; a
            // resend that outlived the sandbox would add about ten more in the second.)
            try await Task.sleep(for: .milliseconds(200))
            let afterStop = hits.withLock { $0 }
            try await Task.sleep(for: .milliseconds(500))
            #expect(hits.withLock { $0 } == afterStop, "a resend outlived the sandbox")
        }
    }

    @Test("ATM: a stable trade page with bank code, account and deadline; QueryTradeInfo answers signed, before and after the transfer")
    func atmAndQuery() async throws {
        try await withSandbox { client in
            let form = checkoutForm(["ChoosePayment": "ATM", "ExpireDate": "3", "ClientRedirectURL": "http://127.0.0.1:1/back"])
            let checkout = try await client.postForm("/sandbox/ecpay/Cashier/AioCheckOut/V5", form)
            let page = path(checkout.headers[.location])
            #expect(page == "/sandbox/ecpay/atm/\(form["MerchantTradeNo"]!)")
            let html = try await client.execute(uri: page, method: .get).body.text
            for id in ["bank-code", "v-account", "expire-date", "simulate-transfer", "back-to-shop"] { #expect(html.contains(#"id="\#(id)""#), "\(id)") }

            func query() async throws -> [String: String] {
                let request = ECPayCheckMac.signed(
                    ["MerchantID": "3002607", "MerchantTradeNo": form["MerchantTradeNo"]!, "TimeStamp": String(Int(Date().timeIntervalSince1970))],
                    hashKey: "pwFHCqoQZGmho4w6", hashIV: "EkRm7iFT261dpevs")
                let answer = try #require(FormEncoding.decode(try await client.postForm("/sandbox/ecpay/Cashier/QueryTradeInfo/V5", request).body.text))
                #expect(ECPayCheckMac.verify(answer, hashKey: "pwFHCqoQZGmho4w6", hashIV: "EkRm7iFT261dpevs"))
                return answer
            }
            #expect(try await query()["TradeStatus"] == "0")
            #expect(try await client.postForm(page + "/transfer", [:]).status == .seeOther)
            let after = try await query()
            #expect(after["TradeStatus"] == "1" && after["TradeAmt"] == "450")
            let reopened = try await client.execute(uri: page, method: .get).body.text
            #expect(reopened.contains(">paid<") && !reopened.contains(#"id="simulate-transfer""#))

            let stale = ECPayCheckMac.signed(
                ["MerchantID": "3002607", "MerchantTradeNo": form["MerchantTradeNo"]!, "TimeStamp": String(Int(Date().timeIntervalSince1970) - 600)],
                hashKey: "pwFHCqoQZGmho4w6", hashIV: "EkRm7iFT261dpevs")
            #expect(try await client.postForm("/sandbox/ecpay/Cashier/QueryTradeInfo/V5", stale).body.text == "TimeStamp Error")
        }
    }

    @Test("Stripe: sessions need the secret key; an Idempotency-Key replays the first answer and refuses other parameters")
    func stripeSessions() async throws {
        try await withSandbox { client in
            let params = [
                "mode": "payment", "line_items[0][price_data][currency]": "twd", "line_items[0][price_data][product_data][name]": "Apple",
                "line_items[0][price_data][unit_amount]": "10000", "line_items[0][quantity]": "2", "success_url": "http://shop.test/order/?id=X",
                "client_reference_id": "X", "metadata[order_id]": "X",
            ]
            let auth = "Basic " + Data("sk_test_sandbox:".utf8).base64EncodedString()
            #expect(try await client.postForm("/sandbox/stripe/v1/checkout/sessions", params).status == .unauthorized)
            #expect(
                try await client.postForm("/sandbox/stripe/v1/checkout/sessions", params, headers: [.authorization: "Bearer sk_test_wrong"]).status
                    == .unauthorized)
            let key: HTTPFields = [.authorization: auth, HTTPField.Name("Idempotency-Key")!: "order-X-1"]
            let first = try await client.postForm("/sandbox/stripe/v1/checkout/sessions", params, headers: key)
            #expect(first.status == .ok)
            let session = try #require(try JSONSerialization.jsonObject(with: Data(buffer: first.body)) as? [String: Any])
            #expect((session["amount_total"] as? Int) == 20000)
            #expect((session["url"] as? String)?.hasPrefix("http://sandbox.test/sandbox/stripe/pay/cs_test_") == true)
            let again = try await client.postForm("/sandbox/stripe/v1/checkout/sessions", params, headers: key)
            #expect(again.body.text == first.body.text)
            var changed = params
            changed["line_items[0][quantity]"] = "3"
            let conflict = try await client.postForm("/sandbox/stripe/v1/checkout/sessions", changed, headers: key)
            #expect(conflict.status == .badRequest && conflict.body.text.contains("idempotency_error"))
            let page = try await client.execute(uri: path(session["url"] as? String), method: .get)
            #expect(page.body.text.contains(#"id="pay""#))
        }
    }
}
