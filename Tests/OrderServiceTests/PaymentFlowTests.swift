import Foundation
import PaymentProtocols
import StoreModel
import Testing

@testable import OrderService

@Suite("Payment flows through the sandbox over real HTTP", .timeLimit(.minutes(2)))
struct PaymentFlowTests {
    @Test("credit card: checkout form, sandbox Pay, signed notification, browser result 303 to the order page, order paid")
    func creditFlow() async throws {
        try await PaymentWorld.run { world in
            let (id, step) = try await world.placeOrder(method: "credit_card")
            #expect(step["method"].string == "POST")
            #expect(step["url"].string == world.sandbox + "/ecpay/Cashier/AioCheckOut/V5")
            let fields = PaymentWorld.fields(step)
            #expect(fields["TotalAmount"] == "350" && fields["ChoosePayment"] == "Credit" && fields["EncryptType"] == "1")
            #expect(fields["ReturnURL"] == world.api + "/payment/ecpay/notify" && fields["OrderResultURL"] == world.api + "/payment/ecpay/result")
            #expect(ECPayProtocol.isValidTradeNumber(fields["MerchantTradeNo"] ?? "") && fields["MerchantTradeNo"] != id)
            #expect(ECPayProtocol.parseDate(fields["MerchantTradeDate"] ?? "").map { abs($0.timeIntervalSinceNow) < 300 } == true, "Taiwan time")

            let checkout = try await world.post(step["url"].string!, form: fields)
            #expect(checkout.status == 303)
            let payPage = try await world.get(try #require(checkout.location))
            let result = try await world.press("pay", on: payPage)
            let back = try #require(PaymentWorld.forms(result.body).first { $0.button == "continue" })
            #expect(back.action == world.api + "/payment/ecpay/result")
            // The notification was acknowledged before the browser was sent back.
            #expect(try await world.lookup(id)["status"].string == "paid")
            let redirect = try await world.post(back.action, form: back.fields)
            #expect(redirect.status == 303)
            #expect(redirect.location == "https://shop.test.example/order/?id=\(id)")

            let order = try await world.lookup(id)
            #expect(order["payment"]["state"].string == "paid")
            #expect(order["totalMinor"].int == 350)
            let stored = try await world.stored(id)
            #expect(stored.events.filter { $0.to == .paid }.count == 1)
            #expect(stored.audit.map(\.outcome) == ["applied"])
            #expect(stored.audit.first?.source == "notify")
            #expect(try await world.store.stockLevels()["APPLE-1"]?.sold == 2)
        }
    }

    @Test("credit card declined: the browser comes back to the order page, and the order still waits for payment")
    func declinedFlow() async throws {
        try await PaymentWorld.run { world in
            let (id, step) = try await world.placeOrder(method: "credit_card")
            let checkout = try await world.post(step["url"].string!, form: PaymentWorld.fields(step))
            let result = try await world.press("decline", on: try await world.get(checkout.location!))
            let back = try #require(PaymentWorld.forms(result.body).first)
            #expect(back.fields["RtnCode"] != "1")
            let redirect = try await world.post(back.action, form: back.fields)
            #expect(redirect.status == 303 && redirect.location == "https://shop.test.example/order/?id=\(id)")
            let order = try await world.lookup(id)
            #expect(order["status"].string == "created" && order["payment"]["state"].string == "pending")
        }
    }

    @Test("ATM: account issued to the API and shown by GET /order; back to the shop; Simulate transfer pays; the ATM page reopens")
    func atmFlow() async throws {
        try await PaymentWorld.run { world in
            let (id, step) = try await world.placeOrder(method: "atm")
            let fields = PaymentWorld.fields(step)
            #expect(fields["ChoosePayment"] == "ATM" && fields["ExpireDate"] == "3")
            #expect(fields["PaymentInfoURL"] == world.api + "/payment/ecpay/payment-info" && fields["ClientRedirectURL"] == world.api + "/payment/ecpay/result")
            let checkout = try await world.post(step["url"].string!, form: fields)
            let atmURL = try #require(checkout.location)
            #expect(atmURL == world.sandbox + "/ecpay/atm/\(fields["MerchantTradeNo"]!)")
            let atmPage = try await world.get(atmURL)

            let order = try await world.lookup(id)
            #expect(order["status"].string == "created")
            #expect(order["payment"]["state"].string == "awaiting_transfer")
            let account = try #require(order["payment"]["atm"]["vAccount"].string)
            #expect(order["payment"]["atm"]["bankCode"].string == "812")
            #expect(order["payment"]["atm"]["expireDate"].string?.count == 10)
            #expect(atmPage.body.contains(account))

            let back = try await world.press("back-to-shop", on: atmPage)
            #expect(back.status == 303 && back.location == "https://shop.test.example/order/?id=\(id)")

            let transferred = try await world.press("simulate-transfer", on: atmPage)
            #expect(transferred.status == 303 && transferred.location == atmURL)
            #expect(try await world.get(atmURL).body.contains(">paid<"))
            let paid = try await world.lookup(id)
            #expect(paid["status"].string == "paid" && paid["payment"]["state"].string == "paid")
            let audit = try await world.stored(id).audit
            #expect(audit.map(\.source) == ["payment-info", "notify"])
        }
    }

    @Test("Stripe: a Checkout Session in Stripe's units, the hosted page pays, the signed webhook marks the order paid, back to success_url")
    func stripeFlow() async throws {
        try await PaymentWorld.run { world in
            let (id, step) = try await world.placeOrder(method: "stripe", items: [("APPLE-1", 1), ("CHERRY-3", 1)])
            #expect(step["method"].string == "GET")
            let url = try #require(step["url"].string)
            #expect(url.hasPrefix(world.sandbox + "/stripe/pay/cs_test_"))
            let hosted = try await world.get(url)
            #expect(hosted.body.contains("63000 TWD"), "480 + 150 shipping, in cents")
            let paid = try await world.press("pay", on: hosted)
            #expect(paid.status == 303 && paid.location == "https://shop.test.example/order/?id=\(id)")
            let order = try await world.lookup(id)
            #expect(order["status"].string == "paid" && order["payment"]["state"].string == "paid")
            let audit = try await world.stored(id).audit
            #expect(audit.map(\.outcome) == ["applied"] && audit.first?.eventID?.hasPrefix("evt_") == true)
        }
    }

    @Test("Stripe: an expired session expires the order and releases its stock")
    func stripeExpiryReleasesStock() async throws {
        try await PaymentWorld.run { world in
            let before = try await world.store.stockLevels()["CHERRY-3"]?.available
            let (id, step) = try await world.placeOrder(method: "stripe", items: [("CHERRY-3", 2)])
            #expect(try await world.store.stockLevels()["CHERRY-3"]?.available == before.map { $0 - 2 })
            let session = try #require(step["url"].string?.split(separator: "/").last.map(String.init))
            #expect(try await world.post(world.sandbox + "/stripe/sessions/\(session)/expire", form: [:]).status == 200)
            #expect(try await world.lookup(id)["status"].string == "expired")
            #expect(try await world.store.stockLevels()["CHERRY-3"]?.available == before)
        }
    }

    @Test("checkout fields pass the sandbox's verification for item names with spaces, Chinese, symbols, full-width and accented letters")
    func hardItemNames() async throws {
        let titles = ["Two  spaced  words", "台南酪梨禮盒", "( ) * ~ ! ' % + @ # & = ?", "ＡＢＣ全形ｘ１２３", "ÉCLAIR ÀÇÖ ÑÜ"]
        var products: [String: String] = [:]
        for (index, title) in titles.enumerated() {
            let json = try JSONSerialization.data(withJSONObject: ["title": title, "sku": "HARD-\(index)", "price": "10", "description": "x"])
            products["hard-\(index).json"] = String(decoding: json, as: UTF8.self)
        }
        try await PaymentWorld.run(extraProducts: products) { world in
            let (_, step) = try await world.placeOrder(method: "credit_card", items: titles.indices.map { ("HARD-\($0)", 1) })
            let fields = PaymentWorld.fields(step)
            let itemName = try #require(fields["ItemName"])
            #expect(itemName.contains("台南酪梨禮盒 x 1") && itemName.contains("ＡＢＣ全形ｘ１２３") && itemName.contains("ÉCLAIR ÀÇÖ ÑÜ"))
            #expect(itemName.split(separator: "#").count == titles.count, "a # inside a title never splits it: \(itemName)")
            let checkout = try await world.post(step["url"].string!, form: fields)
            #expect(checkout.status == 303, "\(checkout.body)")
            #expect(try await world.get(checkout.location!).body.contains(#"id="pay""#))
        }
    }

    @Test("reconcile: a payment whose notification never arrived is found through QueryTradeInfo and applied once")
    func reconcile() async throws {
        try await PaymentWorld.run(apiReachable: false) { world in
            let (id, step) = try await world.placeOrder(method: "credit_card")
            let (unpaid, _) = try await world.placeOrder(method: "credit_card")
            _ = try await world.post(step["url"].string!, form: PaymentWorld.fields(step))
            _ = try await world.press("pay", on: try await world.get(world.sandbox + "/ecpay/credit/\(PaymentWorld.fields(step)["MerchantTradeNo"]!)"))
            #expect(try await world.lookup(id)["status"].string == "created", "the notification was lost")
            let reconciler = PaymentReconciler(configuration: world.shop.configuration, store: world.store, logger: .init(label: "test"))
            let report = try await reconciler.reconcile(since: Date().addingTimeInterval(-3600))
            #expect(report.checked == 2 && report.paid == 1 && report.unpaid == 1 && report.failed == 0, "\(report.lines)")
            #expect(try await world.lookup(id)["status"].string == "paid")
            #expect(try await world.lookup(unpaid)["status"].string == "created", "an order that never reached the gateway stays")
            #expect(try await world.stored(id).audit.map(\.source) == ["query"])
            let again = try await reconciler.reconcile(since: Date().addingTimeInterval(-3600))
            #expect(again.paid == 0 && again.checked == 1 && again.unpaid == 1)
        }
    }
}
