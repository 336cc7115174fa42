import Foundation
import StoreModel
import Testing

@testable import OrderService

/// The `OrderStore` contract: every test runs on SQLite and on PostgreSQL with the same
/// assertions, so the two stores keep the same results, errors, events and outbox events.
@Suite("Store contract", .timeLimit(.minutes(2)))
struct StoreContractTests {
    @Test(
        "createOrder reserves stock and writes its event, outbox event and idempotency record; a replayed key makes no second order",
        arguments: StoreKind.allCases)
    func createsAndReads(kind: StoreKind) async throws {
        try await kind.withStore(notifications: Contract.routing) { store in
            try await store.seedStock(["X": 5, "Y": 2])
            try await store.seedStock(["X": 99, "Z": 1, "NEG": -1])  // existing rows are kept, negative ones skipped
            let new = Contract.order([("X", 2), ("Y", 1)])
            let draft = IdempotencyDraft(key: "k1", requestHash: "h1", responseStatus: 201, responseBody: Data("first".utf8))
            guard case .created(let created) = try await store.createOrder(new, idempotency: draft) else {
                Issue.record("not created")
                return
            }
            #expect(created == new.order)
            #expect(try await store.order(id: new.id) == new.order)
            let first = OrderEvent(at: new.order.createdAt, actor: "shopper", from: nil, to: .created, note: "")
            #expect(try await store.events(orderID: new.id) == [first])
            let (order, events) = try await store.orderWithEvents(id: new.id)
            #expect(order == new.order && events == [first])
            #expect(
                try await store.stockLevels() == [
                    "X": StockLevel(sku: "X", available: 3, reserved: 2, sold: 0, received: 5),
                    "Y": StockLevel(sku: "Y", available: 1, reserved: 1, sold: 0, received: 2),
                    "Z": StockLevel(sku: "Z", available: 1, reserved: 0, sold: 0, received: 1),
                ])
            #expect(try await Contract.outboxTypes(store, order: new.id) == [NotificationEventType.orderCreated.rawValue])

            let record = IdempotencyRecord(key: "k1", requestHash: "h1", responseStatus: 201, responseBody: Data("first".utf8), orderID: new.id)
            #expect(try await store.idempotencyRecord(key: "k1") == record)
            try await store.updateIdempotencyResponse(key: "k1", body: Data("second".utf8))
            try await store.updateIdempotencyResponse(key: "unknown", body: Data("x".utf8))
            #expect(try await store.idempotencyRecord(key: "k1")?.responseBody == Data("second".utf8))
            #expect(try await store.idempotencyRecord(key: "unknown") == nil)

            guard case .replay(let replay) = try await store.createOrder(Contract.order([("X", 1)]), idempotency: draft) else {
                Issue.record("not a replay")
                return
            }
            #expect(replay.orderID == new.id && replay.responseBody == Data("second".utf8))
            #expect(try await store.stockLevels()["X"]?.available == 3)
            #expect(try await store.listOrders(OrderQuery()).orders.map(\.id) == [new.id])

            // Too few units of one SKU: the units available, nothing taken of the others.
            let short = Contract.order([("X", 1), ("Y", 2)])
            await #expect(throws: StoreError.insufficientStock(["Y": 1])) { try await store.createOrder(short, idempotency: nil) }
            await #expect(throws: StoreError.orderNotFound) { try await store.order(id: short.id) }
            #expect(try await store.stockLevels()["X"]?.available == 3)
            await #expect(throws: StoreError.orderNotFound) { try await store.order(id: "nope") }
            await #expect(throws: StoreError.orderNotFound) { try await store.orderWithEvents(id: "nope") }
            #expect(try await store.events(orderID: "nope") == [])
            // An untracked SKU has no stock row and no limit.
            try await Contract.place(Contract.order([("FREE", 1000)]), in: store)
            #expect(try await store.stockLevels()["FREE"] == nil)
            try await store.ping()
        }
    }

    @Test("transitions move stock between reserved, sold and available and log each change", arguments: StoreKind.allCases)
    func transitionsMoveStock(kind: StoreKind) async throws {
        try await kind.withStore(notifications: Contract.routing) { store in
            try await store.seedStock(["X": 10])
            let card = try await Contract.place(Contract.order([("X", 2)], method: .creditCard), in: store)
            let paid = try await store.transition(Contract.admin(card.id, to: .paid, at: 2))
            #expect(paid.status == .paid && paid.paymentState == .paid && paid.updatedAt == Date(timeIntervalSince1970: 2))
            #expect(try await store.stockLevels()["X"] == StockLevel(sku: "X", available: 8, reserved: 0, sold: 2, received: 10))
            let shipped = try await store.transition(Contract.admin(card.id, to: .shipped, at: 3, tracking: "TW1"))
            #expect(shipped.trackingNumber == "TW1")
            let delivered = try await store.transition(Contract.admin(card.id, to: .delivered, at: 4))
            #expect(delivered.trackingNumber == "TW1", "kept when the change names none")
            #expect(try await store.stockLevels()["X"]?.sold == 2)
            let refunded = try await store.transition(Contract.admin(card.id, to: .refunded, at: 5))
            #expect(try await store.order(id: card.id) == refunded)
            #expect(try await store.stockLevels()["X"] == StockLevel(sku: "X", available: 10, reserved: 0, sold: 0, received: 10))
            let steps: [(OrderStatus, OrderStatus, Double)] = [
                (.created, .paid, 2), (.paid, .shipped, 3), (.shipped, .delivered, 4), (.delivered, .refunded, 5),
            ]
            #expect(
                try await store.events(orderID: card.id).dropFirst()
                    == steps.map { OrderEvent(at: Date(timeIntervalSince1970: $0.2), actor: "admin:1", from: $0.0, to: $0.1, note: "by hand") }[...])
            let types: [NotificationEventType] = [.orderCreated, .orderPaid, .orderShipped, .orderDelivered, .orderRefunded]
            #expect(try await Contract.outboxTypes(store, order: card.id) == types.map(\.rawValue))

            let cod = try await Contract.place(Contract.order([("X", 1)], method: .cashOnDelivery), in: store)
            #expect(cod.paymentState == .onDelivery)
            _ = try await store.transition(Contract.admin(cod.id, to: .shipped))
            #expect(try await store.stockLevels()["X"] == StockLevel(sku: "X", available: 9, reserved: 0, sold: 1, received: 10))
            #expect(try await store.transition(Contract.admin(cod.id, to: .delivered, at: 3)).paymentState == .paid)

            let cancelled = try await Contract.place(Contract.order([("X", 4)]), in: store)
            #expect(try await store.stockLevels()["X"]?.reserved == 4)
            _ = try await store.transition(Contract.admin(cancelled.id, to: .cancelled, expectedFrom: .created))
            #expect(try await store.stockLevels()["X"] == StockLevel(sku: "X", available: 9, reserved: 0, sold: 1, received: 10))
        }
    }

    @Test("illegal transitions and a wrong expectedFrom throw illegalTransition and change nothing", arguments: StoreKind.allCases)
    func illegalTransitions(kind: StoreKind) async throws {
        try await kind.withStore(notifications: Contract.routing) { store in
            try await store.seedStock(["X": 2])
            let order = try await Contract.place(Contract.order([("X", 2)]), in: store)
            await #expect(throws: StoreError.illegalTransition(from: .created, to: .delivered)) {
                try await store.transition(Contract.admin(order.id, to: .delivered))
            }
            await #expect(throws: StoreError.illegalTransition(from: .created, to: .paid)) {
                try await store.transition(StatusChange(orderID: order.id, to: .paid, role: .system, actor: "system", at: Date()))
            }
            await #expect(throws: StoreError.orderNotFound) { try await store.transition(Contract.admin("nope", to: .paid)) }
            #expect(try await store.order(id: order.id) == order)
            #expect(try await store.events(orderID: order.id).count == 1)

            _ = try await store.transition(Contract.admin(order.id, to: .paid))
            // paid → shipped is allowed, but not when the caller saw the order still created (409).
            await #expect(throws: StoreError.illegalTransition(from: .paid, to: .shipped)) {
                try await store.transition(Contract.admin(order.id, to: .shipped, at: 3, expectedFrom: .created))
            }
            #expect(try await store.order(id: order.id).status == .paid)
            #expect(try await store.events(orderID: order.id).count == 2)
            #expect(try await store.stockLevels()["X"] == StockLevel(sku: "X", available: 0, reserved: 0, sold: 2, received: 2))
            #expect(try await Contract.outboxTypes(store, order: order.id) == ["order.created", "order.paid"])
        }
    }

    @Test(
        "honouring an expired order's late payment needs the stock back; too little throws insufficientStock and changes nothing", arguments: StoreKind.allCases
    )
    func lateHonourNeedsStock(kind: StoreKind) async throws {
        try await kind.withStore(notifications: Contract.routing) { store in
            try await store.seedStock(["X": 2])
            let late = try await Contract.place(Contract.order([("X", 2)], expiresAt: Date(timeIntervalSince1970: 5)), in: store)
            #expect(try await store.expireDueOrders(now: Date(timeIntervalSince1970: 6)) == [late.id])
            try await Contract.place(Contract.order([("X", 1)]), in: store)
            await #expect(throws: StoreError.insufficientStock(["X": 1])) { try await store.transition(Contract.admin(late.id, to: .paid, at: 7)) }
            #expect(try await store.order(id: late.id).status == .expired)
            #expect(try await store.events(orderID: late.id).count == 2)
            #expect(try await store.stockLevels()["X"] == StockLevel(sku: "X", available: 1, reserved: 1, sold: 0, received: 2))
            _ = try await store.setAvailableStock(sku: "X", available: 3)
            #expect(try await store.transition(Contract.admin(late.id, to: .paid, at: 8)).status == .paid)
            #expect(try await store.stockLevels()["X"] == StockLevel(sku: "X", available: 1, reserved: 1, sold: 2, received: 4))
        }
    }

    @Test("expireDueOrders expires the due unpaid orders once, soonest first, and gives their stock back", arguments: StoreKind.allCases)
    func expiry(kind: StoreKind) async throws {
        try await kind.withStore(notifications: Contract.routing) { store in
            try await store.seedStock(["X": 10])
            let second = { (value: Double) in Date(timeIntervalSince1970: value) }
            let a = try await Contract.place(Contract.order([("X", 1)], expiresAt: second(10)), in: store)
            let b = try await Contract.place(Contract.order([("X", 2)], method: .atm, expiresAt: second(5)), in: store)
            let c = try await Contract.place(Contract.order([("X", 1)], expiresAt: second(100)), in: store)
            let d = try await Contract.place(Contract.order([("X", 1)], method: .cashOnDelivery), in: store)
            let e = try await Contract.place(Contract.order([("X", 1)], expiresAt: second(20)), in: store)
            #expect(try await store.expireDueOrders(now: second(4)) == [])
            #expect(try await store.expireDueOrders(now: second(20)) == [b.id, a.id, e.id])
            #expect(try await store.expireDueOrders(now: second(20)) == [])
            for id in [a.id, b.id, e.id] {
                #expect(try await store.order(id: id).status == .expired)
                #expect(
                    try await store.events(orderID: id).last
                        == OrderEvent(at: second(20), actor: "system", from: .created, to: .expired, note: "not paid in time"))
                #expect(try await Contract.outboxTypes(store, order: id) == ["order.created", "order.expired"])
            }
            #expect(try await store.stockLevels()["X"] == StockLevel(sku: "X", available: 8, reserved: 2, sold: 0, received: 10))
            _ = try await store.transition(Contract.admin(c.id, to: .paid, at: 30))
            #expect(try await store.expireDueOrders(now: second(1_000)) == [])
            #expect(try await store.order(id: c.id).status == .paid)
            #expect(try await store.order(id: d.id).status == .created)
        }
    }

    @Test("payment instructions and review flags change the order, log a review and record their outbox events", arguments: StoreKind.allCases)
    func instructionsAndReview(kind: StoreKind) async throws {
        try await kind.withStore(notifications: Contract.routing) { store in
            let order = try await Contract.place(Contract.order([("X", 1)], method: .atm), in: store)
            let atm = PaymentInstructions(atm: ATMInstructions(bankCode: "812", vAccount: "9103522175887271", expireDate: "2026/12/31"))
            try await store.recordPaymentInstructions(orderID: order.id, instructions: atm, at: Date(timeIntervalSince1970: 2))
            var expected = order
            expected.paymentInstructions = atm
            expected.updatedAt = Date(timeIntervalSince1970: 2)
            #expect(try await store.order(id: order.id) == expected)
            #expect(try await store.events(orderID: order.id).count == 1)

            try await store.flagForReview(orderID: order.id, actor: "admin:1", note: "check the address", at: Date(timeIntervalSince1970: 3))
            try await store.flagForReview(orderID: order.id, actor: "system", note: "again", at: Date(timeIntervalSince1970: 4))
            expected.needsReview = true
            expected.updatedAt = Date(timeIntervalSince1970: 4)
            #expect(try await store.order(id: order.id) == expected, "the review reason column is the gateway's, not the flag's")
            #expect(
                try await store.events(orderID: order.id).dropFirst()
                    == [
                        OrderEvent(at: Date(timeIntervalSince1970: 3), actor: "admin:1", from: .created, to: .created, note: "check the address"),
                        OrderEvent(at: Date(timeIntervalSince1970: 4), actor: "system", from: .created, to: .created, note: "again"),
                    ][...])
            let outbox = try await Contract.outbox(store).filter { $0.orderID == order.id }
            #expect(outbox.map(\.type) == ["order.created", "order.payment_info", "order.needs_review"])
            #expect(outbox.last?.reviewReason == "check the address")

            let unknown = "nope"
            await #expect(throws: StoreError.orderNotFound) {
                try await store.recordPaymentInstructions(orderID: unknown, instructions: atm, at: Date())
            }
            await #expect(throws: StoreError.orderNotFound) { try await store.flagForReview(orderID: unknown, actor: "a", note: "n", at: Date()) }
            #expect(try await store.events(orderID: unknown) == [])
        }
    }
}
