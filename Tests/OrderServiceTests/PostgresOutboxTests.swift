import Foundation
import PostgresNIO
import StoreModel
import Testing

@testable import OrderService

/// Several API instances delivering from one PostgreSQL database, each with its own store (and
/// dispatcher): an event is fanned out once, a delivery is leased to one instance at a time, and a
/// crashed instance's expired lease is taken over.
@Suite(
    "PostgreSQL outbox, two instances", .timeLimit(.minutes(2)),
    .enabled(if: PostgresTestCluster.mayRun, PostgresTestCluster.skipReason)
)
struct PostgresOutboxTests {
    static let routing = NotificationRouting(emailEnabled: true, ownerEmails: ["owner@shop.test"])

    /// Two stores on one fresh database (the second through the Unix socket), both closed afterwards.
    static func withTwoInstances(_ body: (PostgresOrderStore, PostgresOrderStore) async throws -> Void) async throws {
        try await PostgresTestCluster.with { cluster in
            let first = try await cluster.store(notifications: routing)
            let second: PostgresOrderStore
            do {
                second = try await cluster.store(url: cluster.socketURL, notifications: routing)
            } catch {
                try? await first.close()
                throw error
            }
            do {
                try await body(first, second)
            } catch {
                try? await first.close()
                try? await second.close()
                throw error
            }
            try await first.close()
            try await second.close()
        }
    }

    /// `count` orders, each recording one `order.created` event with three destinations (the
    /// shopper, the owner and `we_1`).
    static func placeOrders(_ count: Int, _ store: PostgresOrderStore) async throws {
        try await store.seedStock(["X": count])
        try await store.addWebhookEndpoint(OutboxStoreTests.endpoint("we_1"))
        for _ in 0..<count {
            _ = try await store.createOrder(.sample(quantity: 1, unitMinor: 100, method: .creditCard), idempotency: nil)
        }
    }

    /// Two instances sharing `orders` orders' deliveries, fanned out and due at the time given to `body`.
    static func withDueDeliveries(orders: Int, _ body: (PostgresOrderStore, PostgresOrderStore, Date) async throws -> Void) async throws {
        try await withTwoInstances { first, second in
            try await placeOrders(orders, first)
            _ = try await first.fanOutEvents(now: Date(millis: 1_000), limit: 100)
            try await body(first, second, Date(millis: 5_000))
        }
    }

    /// One number from a query.
    static func number(_ store: PostgresOrderStore, _ query: PostgresQuery) async throws -> Int {
        for try await value in try await store.client.query(query).decode(Int.self) { return value }
        return 0
    }

    @Test("both instances fanning out at once make exactly one delivery per event and destination")
    func concurrentFanOut() async throws {
        try await Self.withTwoInstances { first, second in
            let events = 24
            try await Self.placeOrders(events, first)
            // Small batches, several loops per instance, until each finds nothing left.
            let taken = try await withThrowingTaskGroup(of: Int.self) { group in
                for store in [first, second, first, second] {
                    group.addTask {
                        var total = 0
                        while true {
                            let count = try await store.fanOutEvents(now: Date(millis: 1_000), limit: 3)
                            if count == 0 { return total }
                            total += count
                        }
                    }
                }
                return try await group.reduce(0, +)
            }
            #expect(taken == events, "each event taken by one instance once")
            #expect(try await Self.number(first, "SELECT count(*)::bigint FROM outbox_events WHERE NOT fanned_out") == 0)
            #expect(try await Self.number(first, "SELECT count(*)::bigint FROM deliveries") == events * 3)
            let duplicated = try await Self.number(
                first,
                """
                SELECT count(*)::bigint FROM (SELECT 1 FROM deliveries GROUP BY event_seq, channel, destination, template HAVING count(*) > 1) AS twice
                """)
            #expect(duplicated == 0)
            let log = try await second.deliveries(DeliveryQuery(limit: 200)).deliveries
            #expect(log.count == events * 3 && Set(log.map(\.eventID)).count == events)
        }
    }

    @Test("both instances claiming the same due deliveries at once get disjoint sets that cover them all")
    func concurrentClaims() async throws {
        try await Self.withDueDeliveries(orders: 10) { first, second, now in
            var ids: [Int64] = []
            for lane in [DeliveryLane.email, .webhook("we_1")] {
                ids += try await second.dueDeliveries(now: now, lane: lane, limit: 100).map(\.delivery.id)
            }
            #expect(ids.count == 30)
            let claims = try await withThrowingTaskGroup(of: Set<Int64>.self) { group in
                for (index, store) in [first, second, first, second].enumerated() {
                    // Each asks for all of them, in its own order.
                    let order = index.isMultiple(of: 2) ? ids : ids.reversed()
                    group.addTask { try await store.claimDeliveries(ids: order, now: now, until: now.addingTimeInterval(60)) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(claims.reduce(0) { $0 + $1.count } == ids.count, "no delivery leased twice")
            #expect(claims.reduce(into: Set<Int64>()) { $0.formUnion($1) } == Set(ids))
            #expect(try await first.dueDeliveries(now: now, lane: .email, limit: 100).isEmpty, "all leased")
        }
    }

    @Test("a lease that expired (its instance crashed) is claimed by the other instance, and then not by the first")
    func expiredLeaseIsTakenOver() async throws {
        try await Self.withDueDeliveries(orders: 1) { first, second, now in
            let hook = try #require(try await first.dueDeliveries(now: now, lane: .webhook("we_1"), limit: 10).first?.delivery.id)
            #expect(try await first.claimDeliveries(ids: [hook], now: now, until: now.addingTimeInterval(60)) == [hook])
            let early = now.addingTimeInterval(59)
            #expect(try await second.claimDeliveries(ids: [hook], now: early, until: early.addingTimeInterval(60)).isEmpty, "still leased")
            #expect(try await second.dueDeliveries(now: early, lane: .webhook("we_1"), limit: 10).isEmpty)
            let later = now.addingTimeInterval(60)
            #expect(try await second.dueDeliveries(now: later, lane: .webhook("we_1"), limit: 10).map(\.delivery.id) == [hook])
            #expect(try await second.claimDeliveries(ids: [hook], now: later, until: later.addingTimeInterval(120)) == [hook], "expired: taken over")
            #expect(try await first.claimDeliveries(ids: [hook], now: later, until: later.addingTimeInterval(60)).isEmpty, "the new lease holds")
            try await second.finishDelivery(id: hook, outcome: .sent, at: later)
            let sent = try #require(try await first.delivery(id: hook))
            #expect(sent.status == .sent && sent.attempts == 1 && sent.sentAt == later)
        }
    }
}
