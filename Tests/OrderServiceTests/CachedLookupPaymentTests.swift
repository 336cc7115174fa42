import Foundation
import NIOCore
import StoreModel
import Testing

@testable import OrderService

/// Payment messages and writers outside the server change orders whose `GET /order` answer is
/// cached; the next lookup must show the change. Real servers on loopback (`PaymentWorld`).
@Suite("GET /order from memory: payments and other writers", .timeLimit(.minutes(2)))
struct CachedLookupPaymentTests {
    @Test("ECPay: the ATM account, then the payment, show on an order whose answer was cached")
    func ecpay() async throws {
        try await PaymentWorld.run { world in
            let (id, step) = try await world.placeOrder(method: "atm")
            let trade = try #require(PaymentWorld.fields(step)["MerchantTradeNo"])
            #expect(try await world.lookupTwice(id)["payment"]["atm"].isNull)
            #expect(try await world.lookupSources().memory == 1, "the second lookup came from memory")

            #expect(try await world.notify(world.ecpayPaymentInfo(trade, amount: "350"), path: "/payment/ecpay/payment-info") == "1|OK")
            let issued = try await world.lookupTwice(id)
            #expect(issued["payment"]["atm"]["vAccount"].string == "9103522175887271")
            #expect(issued["payment"]["state"].string == "awaiting_transfer")

            #expect(try await world.notify(world.ecpayPaid(trade, amount: "350", overrides: ["PaymentType": "ATM_TAISHIN"])) == "1|OK")
            let paid = try await world.lookupTwice(id)
            #expect(paid["status"].string == "paid" && paid["payment"]["state"].string == "paid")
            #expect(try await world.lookupSources() == LookupSources(memory: 3, database: 3))
        }
    }

    @Test("Stripe: a completed session pays, and an expired one expires, orders whose answers were cached")
    func stripe() async throws {
        try await PaymentWorld.run { world in
            let (paidID, paidSession) = try await StripeWebhookTests.stripeOrder(world)
            let (expiredID, expiredSession) = try await StripeWebhookTests.stripeOrder(world)
            #expect(try await world.lookupTwice(paidID)["status"].string == "created")
            #expect(try await world.lookupTwice(expiredID)["status"].string == "created")

            #expect(try await world.stripeEvent(type: "checkout.session.completed", session: paidSession, orderID: paidID, amount: 35000).status == 200)
            let paid = try await world.lookupTwice(paidID)
            #expect(paid["status"].string == "paid" && paid["payment"]["state"].string == "paid")

            #expect(try await world.stripeEvent(type: "checkout.session.expired", session: expiredSession, orderID: expiredID, amount: 35000).status == 200)
            #expect(try await world.lookupTwice(expiredID)["status"].string == "expired")
            #expect(try await world.lookupSources().memory == 4)
        }
    }

    @Test("a write through another store on the database, as `order-api reconcile` makes from its own process, shows at the next lookup")
    func otherWriter() async throws {
        try await PaymentWorld.run { world in
            let (id, _) = try await world.placeOrder(method: "cash_on_delivery")
            #expect(try await world.lookupTwice(id)["status"].string == "created")
            // `world.store` is a second SQLiteOrderStore on the API's file: its writes reach the
            // server only through the database and `<database>.changes`.
            _ = try await world.store.transition(
                StatusChange(orderID: id, to: .shipped, role: .admin, actor: "admin:other", trackingNumber: "OTHER-1", at: Date()))
            let shipped = try await world.lookupTwice(id)
            #expect(shipped["status"].string == "shipped" && shipped["trackingNumber"].string == "OTHER-1")
            try await world.store.flagForReview(orderID: id, actor: "admin:other", note: "check the address", at: Date())
            #expect(try await world.lookupTwice(id)["needsReview"].bool == true)
            #expect(try await world.lookupSources() == LookupSources(memory: 3, database: 3))
        }
    }
}

extension PaymentWorld {
    /// Looks the order up twice (the second answer normally from memory) and checks both agree.
    func lookupTwice(_ id: String) async throws -> JSON {
        let first = try await lookup(id)
        let second = try await lookup(id)
        #expect(first.object.map { NSDictionary(dictionary: $0) } == second.object.map { NSDictionary(dictionary: $0) })
        return second
    }

    /// Lookups answered from memory and from the database so far.
    func lookupSources() async throws -> LookupSources {
        LookupSources(metrics: try await get(api + "/metrics").body)
    }
}
