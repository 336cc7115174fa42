import Foundation
import PostgresNIO
import StoreModel
import Testing

@testable import OrderService

/// Several instances (two `PostgresOrderStore`s, as two API processes) on one database: the row
/// locks and the unique event ids keep every change exactly once.
extension PostgresStoreTests {
    /// Runs `body` with two stores on one fresh database, one over TCP and one through the socket, closed afterwards.
    static func withTwoInstances(_ body: (PostgresOrderStore, PostgresOrderStore) async throws -> Void) async throws {
        try await PostgresTestCluster.with { cluster in
            let first = try await cluster.store(notifications: Contract.routing)
            let second: PostgresOrderStore
            do {
                second = try await cluster.store(url: cluster.socketURL, notifications: Contract.routing)
            } catch {
                try? await first.close()
                throw error
            }
            do {
                try await body(first, second)
                try await first.close()
                try await second.close()
            } catch {
                try? await first.close()
                try? await second.close()
                throw error
            }
        }
    }

    /// Runs `body` once on each store at the same time; returns both results.
    static func race<T: Sendable>(
        _ first: PostgresOrderStore, _ second: PostgresOrderStore, _ body: @escaping @Sendable (PostgresOrderStore) async throws -> T
    ) async -> [Result<T, any Error>] {
        await withTaskGroup(of: Result<T, any Error>.self) { group in
            for store in [first, second] {
                group.addTask {
                    do { return .success(try await body(store)) } catch { return .failure(error) }
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
    }

    @Test("one gateway report delivered to two instances at once: one state change, one event, both succeed")
    func concurrentReports() async throws {
        try await Self.withTwoInstances { first, second in
            try await first.seedStock(["X": 100])
            for round in 0..<8 {
                let order = try await Contract.place(Contract.order([("X", 1)], method: .stripe), in: first)
                // Odd rounds: Stripe's event id deduplicates; even rounds: no id (ECPay), the row lock does.
                let eventID = round.isMultiple(of: 2) ? nil : "evt_\(round)"
                let report = Contract.report(.paid, reference: "R\(round)", order: order.id, eventID: eventID, gateway: .stripe)
                let outcomes = await Self.race(first, second) { store in try await store.applyPaymentReport(report, acceptSimulated: false) }
                let values = try outcomes.map { try $0.get() }
                #expect(values.sorted { $0.rawValue < $1.rawValue } == [.applied, .duplicate], "\(outcomes)")
                #expect(try await second.order(id: order.id).status == .paid)
                #expect(try await first.events(orderID: order.id).filter { $0.to == .paid }.count == 1)
                #expect(try await Contract.outboxTypes(second, order: order.id) == ["order.created", "order.paid"])
                let audit = try await first.paymentAudit(orderID: order.id)
                #expect(audit.map(\.outcome).sorted() == ["applied", "duplicate"])
                #expect(audit.first { $0.outcome == "duplicate" }?.reason == (eventID == nil ? "already paid" : "event already processed"))
            }
            #expect(try await first.stockLevels()["X"] == StockLevel(sku: "X", available: 92, reserved: 0, sold: 8, received: 100))
            let seen = try await Self.count(first, "SELECT count(*)::bigint FROM payment_events_seen")
            #expect(seen == 4)
        }
    }

    @Test("the expiry sweep raced on two instances: every due order expires once and gives its stock back once")
    func concurrentExpiry() async throws {
        try await Self.withTwoInstances { first, second in
            try await first.seedStock(["X": 100, "Y": 100])
            var due: [String] = []
            for index in 0..<30 {
                let lines = index.isMultiple(of: 3) ? [("X", 2), ("Y", 1)] : [("Y", 2), ("X", 1)]
                let order = Contract.order(lines, expiresAt: Date(timeIntervalSince1970: Double(index)))
                due.append(try await Contract.place(order, in: index.isMultiple(of: 2) ? first : second).id)
            }
            let kept = try await Contract.place(Contract.order([("X", 1)], expiresAt: Date(timeIntervalSince1970: 1_000)), in: first)
            let now = Date(timeIntervalSince1970: 100)
            let results = await Self.race(first, second) { store in try await store.expireDueOrders(now: now) }
            let expired = try results.map { try $0.get() }
            #expect(expired.flatMap { $0 }.sorted() == due.sorted(), "each due order expired by exactly one instance")
            #expect(try await first.expireDueOrders(now: now) == [])
            for id in due {
                let events = try await second.events(orderID: id)
                #expect(events.map(\.to) == [.created, .expired])
            }
            #expect(try await first.order(id: kept.id).status == .created)
            let stock = try await first.stockLevels()
            #expect(stock["X"] == StockLevel(sku: "X", available: 99, reserved: 1, sold: 0, received: 100))
            #expect(stock["Y"] == StockLevel(sku: "Y", available: 100, reserved: 0, sold: 0, received: 100))
            #expect(try await Contract.outbox(first).filter { $0.type == "order.expired" }.count == due.count)
        }
    }

    @Test("two instances change one order at once: exactly one change wins, the other is refused, stock moves once")
    func concurrentTransitions() async throws {
        try await Self.withTwoInstances { first, second in
            try await first.seedStock(["X": 100])
            for _ in 0..<8 {
                let order = try await Contract.place(Contract.order([("X", 2)]), in: first)
                let targets: [ObjectIdentifier: OrderStatus] = [ObjectIdentifier(first): .paid, ObjectIdentifier(second): .cancelled]
                let results = await Self.race(first, second) { store in
                    try await store.transition(Contract.admin(order.id, to: targets[ObjectIdentifier(store)]!, expectedFrom: .created))
                }
                let won = results.compactMap { try? $0.get() }
                #expect(won.count == 1, "\(results)")
                let refused = results.filter {
                    if case .failure(StoreError.illegalTransition(from: let from, to: _)) = $0 { from == won.first?.status } else { false }
                }
                #expect(refused.count == 1, "\(results)")
                let stored = try await second.order(id: order.id)
                #expect(stored.status == won.first?.status)
                #expect(try await first.events(orderID: order.id).map(\.to) == [.created, stored.status])
            }
            let stock = try #require(try await first.stockLevels()["X"])
            let paid = try await first.statistics().countsByStatus[.paid] ?? 0
            #expect(stock == StockLevel(sku: "X", available: 100 - 2 * paid, reserved: 0, sold: 2 * paid, received: 100))
        }
    }
}
