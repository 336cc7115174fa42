import Foundation
import StoreModel
import Testing

@testable import OrderService

/// The admin half of the `OrderStore` contract: the order list, stock changes and statistics.
extension StoreContractTests {
    @Test("listOrders: newest first, filters, search on id, e-mail and phone digits, cursor paging", arguments: StoreKind.allCases)
    func listOrders(kind: StoreKind) async throws {
        try await kind.withStore { store in
            let o1 = try await Contract.place(
                Contract.order(id: "OrderOneAAAAAAAA", email: "Alice@Example.com", phone: "0912-345-678", createdAt: Date(millis: 1_000)), in: store)
            let o2 = try await Contract.place(
                Contract.order(id: "OrderTwoBBBBBBBB", email: "bob_x@example.com", phone: "0955000111", createdAt: Date(millis: 2_000)), in: store)
            let o3 = try await Contract.place(
                Contract.order(id: "orderThreeCCCCCC", email: "carol%@example.com", phone: "0977000222", createdAt: Date(millis: 2_000)), in: store)
            let o4 = try await Contract.place(
                Contract.order(id: "OrderFourDDDDDDD", method: .cashOnDelivery, email: "dan@example.org", phone: "0988000333", createdAt: Date(millis: 3_000)),
                in: store)
            _ = try await store.transition(Contract.admin(o2.id, to: .paid))
            let tie = [o3.id, o2.id]  // byte order, whatever the database's collation: "o" > "O"
            let all = [o4.id] + tie + [o1.id]
            func ids(_ query: OrderQuery) async throws -> [String] { try await store.listOrders(query).orders.map(\.id) }

            #expect(try await ids(OrderQuery()) == all)
            #expect(try await store.listOrders(OrderQuery()).nextCursor == nil)
            #expect(try await store.listOrders(OrderQuery(status: .paid)).orders == [try await store.order(id: o2.id)])
            #expect(try await ids(OrderQuery(from: Date(millis: 2_000))) == [o4.id] + tie)
            #expect(try await ids(OrderQuery(to: Date(millis: 2_000))) == [o1.id])
            #expect(try await ids(OrderQuery(status: .created, from: Date(millis: 2_000), to: Date(millis: 3_000))) == [o3.id])
            let searches: [(String, [String])] = [
                (o1.id, [o1.id]), ("  alice@EXAMPLE ", [o1.id]), ("example.com", tie + [o1.id]), ("%", [o3.id]), ("e_e", []), ("b_x", [o2.id]),
                ("345", [o1.id]), ("12-3", [o1.id]), ("09", []), ("000", [o4.id] + tie), ("   ", all), (o1.id.lowercased(), []),
            ]
            for (search, expected) in searches {
                #expect(try await ids(OrderQuery(search: search)) == expected, "search \(search)")
            }

            let first = try await store.listOrders(OrderQuery(limit: 2))
            #expect(first.orders.map(\.id) == Array(all.prefix(2)))
            let cursor = try #require(first.nextCursor)
            #expect(cursor == OrderCursor(createdAtMillis: 2_000, id: tie[0]))
            #expect(OrderCursor(token: cursor.token) == cursor)
            let second = try await store.listOrders(OrderQuery(cursor: cursor, limit: 2))
            #expect(second.orders.map(\.id) == Array(all.suffix(2)) && second.nextCursor == nil)
            let one = try await store.listOrders(OrderQuery(limit: 0))
            #expect(one.orders.map(\.id) == [o4.id] && one.nextCursor == OrderCursor(createdAtMillis: 3_000, id: o4.id))
            #expect(try await ids(OrderQuery(search: "example", cursor: cursor, limit: 1)) == [tie[1]])
        }
    }

    @Test("setAvailableStock sets what is available, keeps received = available + reserved + sold, refuses out-of-range values", arguments: StoreKind.allCases)
    func setAvailableStock(kind: StoreKind) async throws {
        try await kind.withStore { store in
            try await store.seedStock(["X": 10])
            try await Contract.place(Contract.order([("X", 3)]), in: store)
            #expect(try await store.setAvailableStock(sku: "X", available: 20) == StockLevel(sku: "X", available: 20, reserved: 3, sold: 0, received: 23))
            #expect(try await store.setAvailableStock(sku: "X", available: 0) == StockLevel(sku: "X", available: 0, reserved: 3, sold: 0, received: 3))
            #expect(try await store.setAvailableStock(sku: "NEW", available: 4) == StockLevel(sku: "NEW", available: 4, reserved: 0, sold: 0, received: 4))
            for invalid in [-1, ProductRules.stockRange.upperBound + 1] {
                await #expect(throws: StoreError.invalidStock) { try await store.setAvailableStock(sku: "X", available: invalid) }
                await #expect(throws: StoreError.invalidStock) { try await store.setAvailableStock(sku: "OTHER", available: invalid) }
            }
            #expect(
                try await store.stockLevels() == [
                    "X": StockLevel(sku: "X", available: 0, reserved: 3, sold: 0, received: 3),
                    "NEW": StockLevel(sku: "NEW", available: 4, reserved: 0, sold: 0, received: 4),
                ])
            // Only the SKUs asked for, untracked ones left out, a repeated one once.
            #expect(
                try await store.stockLevels(skus: ["NEW", "UNTRACKED", "NEW"]) == [
                    "NEW": StockLevel(sku: "NEW", available: 4, reserved: 0, sold: 0, received: 4)
                ])
            #expect(try await store.stockLevels(skus: []) == [:])
            await #expect(throws: StoreError.insufficientStock(["X": 0])) { try await store.createOrder(Contract.order([("X", 1)]), idempotency: nil) }
        }
    }

    @Test("stock.low fires once when available stock falls to the threshold and again after it was back above", arguments: StoreKind.allCases)
    func lowStock(kind: StoreKind) async throws {
        try await kind.withStore(notifications: Contract.routing) { store in
            try await store.seedStock(["X": 10, "Y": 10])
            store.setLowStockRules(["X": LowStockRule(threshold: 5, title: "Ex")])
            func alerts() async throws -> [StockData] { try await Contract.outbox(store).filter { $0.type == "stock.low" }.compactMap(\.stock) }
            _ = try await store.setAvailableStock(sku: "X", available: 5)
            #expect(try await alerts() == [StockData(sku: "X", title: "Ex", available: 5, threshold: 5)])
            _ = try await store.setAvailableStock(sku: "X", available: 4)
            _ = try await store.setAvailableStock(sku: "Y", available: 0)  // no rule, no alert
            #expect(try await alerts().count == 1)
            _ = try await store.setAvailableStock(sku: "X", available: 6)  // re-arms
            let order = try await Contract.place(Contract.order([("X", 4)]), in: store)
            #expect(try await alerts().map(\.available) == [5, 2])
            _ = try await store.transition(Contract.admin(order.id, to: .cancelled))  // back to 6: re-arms
            let again = try await Contract.place(Contract.order([("X", 3)]), in: store)
            #expect(try await alerts().map(\.available) == [5, 2, 3])
            _ = try await store.transition(Contract.admin(again.id, to: .paid))  // reserved to sold: available unchanged
            #expect(try await alerts().count == 3)
            #expect(try await Contract.outbox(store).filter { $0.type == "stock.low" }.allSatisfy { $0.orderID == nil })
        }
    }

    @Test("statistics count orders per state and sum paid revenue per currency", arguments: StoreKind.allCases)
    func statistics(kind: StoreKind) async throws {
        try await kind.withStore { store in
            #expect(try await store.statistics() == OrderStatistics(countsByStatus: [:], revenueMinorByCurrency: [:]))
            let usd = try #require(Currency(code: "USD"))
            let paid = try await Contract.place(Contract.order([("X", 2)], unitMinor: 100), in: store)
            let shipped = try await Contract.place(Contract.order([("X", 1)], unitMinor: 500, method: .cashOnDelivery, currency: usd), in: store)
            let delivered = try await Contract.place(Contract.order([("X", 3)], unitMinor: 100, method: .cashOnDelivery), in: store)
            let cancelled = try await Contract.place(Contract.order([("X", 1)], unitMinor: 900), in: store)
            try await Contract.place(Contract.order([("X", 1)], unitMinor: 700), in: store)
            _ = try await store.transition(Contract.admin(paid.id, to: .paid))
            _ = try await store.transition(Contract.admin(shipped.id, to: .shipped))
            _ = try await store.transition(Contract.admin(delivered.id, to: .shipped))
            _ = try await store.transition(Contract.admin(delivered.id, to: .delivered, at: 3))
            _ = try await store.transition(Contract.admin(cancelled.id, to: .cancelled))
            #expect(
                try await store.statistics()
                    == OrderStatistics(
                        countsByStatus: [.created: 1, .paid: 1, .shipped: 1, .delivered: 1, .cancelled: 1],
                        revenueMinorByCurrency: ["TWD": 500, "USD": 500]))
        }
    }
}
