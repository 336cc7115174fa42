import Foundation
import Testing

@testable import OrderService

/// Gateway notifications delivered to several API instances on one PostgreSQL database at once.
@Suite("Payments across instances", .timeLimit(.minutes(3)))
struct MultiInstancePaymentTests {
    @Test("the same ECPay notification sent to two instances at once: both answer 1|OK, exactly one state change")
    func ecpayCopiesOnTwoInstances() async throws {
        try await PaymentWorld.run(instances: 2) { world in
            let (id, step) = try await world.placeOrder(method: "credit_card")
            let paid = world.ecpayPaid(PaymentWorld.fields(step)["MerchantTradeNo"]!, amount: "350")
            let replies = try await withThrowingTaskGroup(of: String.self) { group in
                for copy in 0..<10 { group.addTask { try await world.notify(paid, to: copy % 2) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(replies == Array(repeating: "1|OK", count: 10))
            let stored = try await world.stored(id)
            #expect(stored.order.status == .paid)
            #expect(stored.events.filter { $0.to == .paid }.count == 1)
            #expect(stored.audit.filter { $0.outcome == "applied" }.count == 1)
            #expect(stored.audit.filter { $0.outcome == "duplicate" }.count == 9)
            #expect(try await world.store.stockLevels()["APPLE-1"]?.sold == 2)
        }
    }

    @Test("the same Stripe event delivered to two instances at once: both answer 200, exactly one state change")
    func stripeCopiesOnTwoInstances() async throws {
        try await PaymentWorld.run(instances: 2) { world in
            let (id, step) = try await world.placeOrder(method: "stripe")
            let session = try #require(step["url"].string?.split(separator: "/").last.map(String.init))
            let event = "evt_" + UUID().uuidString
            async let first = world.stripeEvent(
                type: "checkout.session.completed", session: session, orderID: id, amount: 35000, eventID: event, to: 0)
            async let second = world.stripeEvent(
                type: "checkout.session.completed", session: session, orderID: id, amount: 35000, eventID: event, to: 1)
            let (a, b) = try await (first, second)
            #expect(a.status == 200 && b.status == 200)
            #expect([a.body, b.body].filter { $0.contains("applied") }.count == 1)
            #expect([a.body, b.body].filter { $0.contains("duplicate") }.count == 1)
            let stored = try await world.stored(id)
            #expect(stored.order.status == .paid && stored.events.filter { $0.to == .paid }.count == 1)
        }
    }

    @Test("the expiry sweep runs on every instance, but each unpaid order expires and gives its stock back once")
    func expiryOnTwoInstances() async throws {
        try await PaymentWorld.run(instances: 2) { world in
            var ids: [String] = []
            for _ in 0..<4 { ids.append(try await world.placeOrder(method: "credit_card").0) }
            #expect(try await world.store.stockLevels()["APPLE-1"]?.reserved == 8)
            world.clock.advance(by: 2 * 3600)
            // Both instances sweep at once, as their services would.
            let store = world.store
            let other = try await world.shop.openStore()
            async let swept = store.expireDueOrders(now: world.clock.now)
            async let sweptElsewhere = other.expireDueOrders(now: world.clock.now)
            let (a, b) = try await (swept, sweptElsewhere)
            try await other.close()
            #expect(Set(a).isDisjoint(with: b) && Set(a + b) == Set(ids), "each order expired by exactly one sweep")
            for id in ids {
                let stored = try await world.stored(id)
                #expect(stored.order.status == .expired && stored.events.filter { $0.to == .expired }.count == 1)
            }
            let stock = try #require(try await world.store.stockLevels()["APPLE-1"])
            #expect(stock.reserved == 0 && stock.available + stock.reserved + stock.sold == stock.received)
        }
    }
}
