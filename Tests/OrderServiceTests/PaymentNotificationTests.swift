import AsyncHTTPClient
import Foundation
import NIOCore
import PaymentProtocols
import StoreModel
import Testing

@testable import OrderService

@Suite("ECPay notifications over real HTTP", .timeLimit(.minutes(2)))
struct PaymentNotificationTests {
    @Test("every refusal answers 0|<reason>, is stored for audit, and leaves the order exactly as it was")
    func refusals() async throws {
        try await PaymentWorld.run { world in
            let (id, step) = try await world.placeOrder(method: "credit_card")
            let trade = try #require(PaymentWorld.fields(step)["MerchantTradeNo"])
            let before = try await world.stored(id)

            var badMAC = world.ecpayPaid(trade, amount: "350")
            badMAC["TradeAmt"] = "35"
            var noMAC = world.ecpayPaid(trade, amount: "350")
            noMAC["CheckMacValue"] = nil
            let cases: [(String, [String: String]?, String)] = [
                ("/payment/ecpay/notify", badMAC, "0|CheckMacValue verify fail"),
                ("/payment/ecpay/notify", noMAC, "0|CheckMacValue verify fail"),
                ("/payment/ecpay/notify", world.ecpayPaid(trade, amount: "349"), "0|TradeAmt 349 does not match the order total 350"),
                ("/payment/ecpay/notify", world.ecpayPaid("UNKNOWN0000000000001", amount: "350"), "0|unknown MerchantTradeNo"),
                ("/payment/ecpay/notify", world.ecpayPaid(trade, amount: "350", overrides: ["MerchantID": "2000132"]), "0|MerchantID mismatch"),
                ("/payment/ecpay/notify", world.ecpayPaid(trade, amount: "350", overrides: ["RtnCode": "10100058"]), "0|RtnCode 10100058 is not a payment"),
                ("/payment/ecpay/payment-info", world.ecpayPaid(trade, amount: "350"), "0|RtnCode 1 is not an issued ATM account"),
                ("/payment/ecpay/notify", nil, "0|malformed form body"),
            ]
            for (path, fields, expected) in cases {
                let reply =
                    fields == nil
                    ? try await world.post(world.api + path, body: "MerchantID=%zz", contentType: "application/x-www-form-urlencoded").body
                    : try await world.notify(fields!, path: path)
                #expect(reply == expected)
            }
            let result = try await world.post(world.api + "/payment/ecpay/result", form: badMAC)
            #expect(result.status == 400 && result.body.contains("invalid_payment_result"))

            let after = try await world.stored(id)
            #expect(after.order == before.order, "the order row is unchanged")
            #expect(after.events == before.events)
            let audit = try await world.store.paymentAudit(orderID: nil)
            #expect(audit.count == cases.count + 1)
            #expect(audit.allSatisfy { $0.outcome == "rejected" })
            #expect(audit.map(\.reason).contains("unknown MerchantTradeNo"))
            #expect(audit.first { $0.reason.hasPrefix("TradeAmt") }?.orderID == id)
        }
    }

    @Test("a duplicate and a later replay answer 1|OK and change nothing: one paid event, a shipped order stays shipped")
    func duplicatesAndReplay() async throws {
        try await PaymentWorld.run { world in
            let (id, step) = try await world.placeOrder(method: "credit_card")
            let paid = world.ecpayPaid(PaymentWorld.fields(step)["MerchantTradeNo"]!, amount: "350")
            #expect(try await world.notify(paid) == "1|OK")
            #expect(try await world.notify(paid) == "1|OK")
            var ship = HTTPClientRequestBuilder.adminStatus(world.api + "/admin/orders/\(id)/status", status: "shipped", tracking: "TW123")
            ship.headers.add(name: "Authorization", value: "Bearer \(TestShop.adminToken)")
            #expect(try await world.http.execute(ship, timeout: .seconds(10)).status.code == 200)
            #expect(try await world.notify(paid) == "1|OK")
            let stored = try await world.stored(id)
            #expect(stored.order.status == .shipped && stored.order.trackingNumber == "TW123")
            #expect(stored.events.filter { $0.to == .paid }.count == 1)
            #expect(stored.audit.map(\.outcome) == ["applied", "duplicate", "duplicate"])
        }
    }

    @Test("20 concurrent copies of one notification: 20 times 1|OK, exactly one state change")
    func concurrentCopies() async throws {
        try await PaymentWorld.run { world in
            let (id, step) = try await world.placeOrder(method: "credit_card")
            let paid = world.ecpayPaid(PaymentWorld.fields(step)["MerchantTradeNo"]!, amount: "350")
            let replies = try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<20 { group.addTask { try await world.notify(paid) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(replies == Array(repeating: "1|OK", count: 20))
            let stored = try await world.stored(id)
            #expect(stored.events.filter { $0.to == .paid }.count == 1)
            #expect(stored.audit.filter { $0.outcome == "applied" }.count == 1)
            #expect(stored.audit.filter { $0.outcome == "duplicate" }.count == 19)
            #expect(try await world.store.stockLevels()["APPLE-1"]?.sold == 2)
        }
    }

    @Test("reordered ATM messages: paid before payment-info; the order stays paid and keeps the account details")
    func reordered() async throws {
        try await PaymentWorld.run { world in
            let (id, step) = try await world.placeOrder(method: "atm")
            let trade = PaymentWorld.fields(step)["MerchantTradeNo"]!
            #expect(try await world.notify(world.ecpayPaid(trade, amount: "350", overrides: ["PaymentType": "ATM_TAISHIN"])) == "1|OK")
            #expect(try await world.notify(world.ecpayPaymentInfo(trade, amount: "350"), path: "/payment/ecpay/payment-info") == "1|OK")
            let order = try await world.lookup(id)
            #expect(order["status"].string == "paid" && order["payment"]["state"].string == "paid")
            #expect(order["payment"]["atm"]["vAccount"].string == "9103522175887271")
            #expect(try await world.notify(world.ecpayPaymentInfo(trade, amount: "350"), path: "/payment/ecpay/payment-info") == "1|OK")
            #expect(try await world.stored(id).audit.map(\.outcome) == ["applied", "applied", "duplicate"])
        }
    }

    @Test("SimulatePaid=1 is recorded but never marks an order paid")
    func simulatedIsRecordedOnly() async throws {
        try await PaymentWorld.run { world in
            let (id, step) = try await world.placeOrder(method: "credit_card")
            let simulated = world.ecpayPaid(PaymentWorld.fields(step)["MerchantTradeNo"]!, amount: "350", overrides: ["SimulatePaid": "1"])
            #expect(try await world.notify(simulated) == "1|OK")
            let stored = try await world.stored(id)
            #expect(stored.order.status == .created && stored.order.paymentState == .pending)
            #expect(stored.audit.map(\.outcome) == ["recorded"])
        }
    }

    @Test("SimulatePaid=1 marks the order paid only with the stage-testing setting")
    func simulatedWithStageSetting() async throws {
        try await PaymentWorld.run(allowSimulatePaid: true) { world in
            let (id, step) = try await world.placeOrder(method: "credit_card")
            let simulated = world.ecpayPaid(PaymentWorld.fields(step)["MerchantTradeNo"]!, amount: "350", overrides: ["SimulatePaid": "1"])
            #expect(try await world.notify(simulated) == "1|OK")
            let stored = try await world.stored(id)
            #expect(stored.order.status == .paid)
            #expect(stored.events.last?.note.contains("simulated") == true)
        }
    }

    @Test("paid after expiry: recorded, flagged for review, shown on the order, never lost; a repeat flags once")
    func paidAfterExpiry() async throws {
        try await PaymentWorld.run { world in
            let (id, step) = try await world.placeOrder(method: "credit_card")
            world.clock.advance(by: 3601)
            #expect(try await world.lookup(id)["status"].string == "expired")
            #expect(try await world.store.stockLevels()["APPLE-1"]?.reserved == 0)
            let paid = world.ecpayPaid(PaymentWorld.fields(step)["MerchantTradeNo"]!, amount: "350")
            #expect(try await world.notify(paid) == "1|OK")
            #expect(try await world.notify(paid) == "1|OK")
            let stored = try await world.stored(id)
            #expect(stored.order.status == .expired && stored.order.needsReview && stored.order.paymentState == .late)
            #expect(stored.order.reviewReason?.contains("after the order was expired") == true)
            #expect(stored.events.filter { $0.note.contains("after the order was expired") }.count == 1)
            #expect(stored.audit.map(\.outcome) == ["flagged", "duplicate"])
            let order = try await world.lookup(id)
            #expect(order["needsReview"].bool == true && order["payment"]["state"].string == "late")
        }
    }
}

/// Builds admin requests for the live tests.
enum HTTPClientRequestBuilder {
    static func adminStatus(_ url: String, status: String, tracking: String) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: #"{"status": "\#(status)", "trackingNumber": "\#(tracking)"}"#))
        return request
    }
}
