import Foundation
import GRDB
import Logging
import PostgresNIO
import StoreModel
import Testing

@testable import OrderService

/// The outbox contract, on a real SQLite file and a real PostgreSQL database: events are written
/// in the transaction of the change that causes them, one delivery per destination, and deliveries
/// are leased, finished and retried.
@Suite("Outbox store", .timeLimit(.minutes(2)))
struct OutboxStoreTests {
    static let routing = NotificationRouting(emailEnabled: true, ownerEmails: ["owner@shop.test"])

    static func withStore(_ kind: StoreKind, _ body: (any OrderStore) async throws -> Void) async throws {
        try await kind.withStore(notifications: routing, body)
    }

    static func endpoint(_ id: String, events: [NotificationEventType]? = nil) -> WebhookEndpoint {
        WebhookEndpoint(
            id: id, url: "https://hooks.example/\(id)", events: events, secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", enabled: true, disabledReason: nil,
            createdAt: Date(millis: 500))
    }

    /// The delivery log, newest first, after the events recorded so far were fanned out.
    static func log(_ store: any OrderStore, _ query: DeliveryQuery = DeliveryQuery(limit: 100)) async throws -> [Delivery] {
        _ = try await store.fanOutEvents(now: Date(millis: 1_000), limit: 1_000)
        return try await store.deliveries(query).deliveries
    }

    /// Every due delivery: the e-mail lane and each endpoint's.
    static func due(_ store: any OrderStore, at now: Date, endpoints: [String] = ["we_1"]) async throws -> [DueDelivery] {
        _ = try await store.fanOutEvents(now: Date(millis: 1_000), limit: 1_000)
        var due = try await store.dueDeliveries(now: now, lane: .email, limit: 100)
        for id in endpoints { due += try await store.dueDeliveries(now: now, lane: .webhook(id), limit: 100) }
        return due
    }

    /// The types of the recorded events, oldest first.
    static func eventTypes(_ store: any OrderStore) async throws -> [String] {
        switch store {
        case let sqlite as SQLiteOrderStore:
            return try await sqlite.pool.read { db in try String.fetchAll(db, sql: "SELECT type FROM outbox_events ORDER BY seq") }
        case let postgres as PostgresOrderStore:
            var types: [String] = []
            for try await type in try await postgres.client.query("SELECT type FROM outbox_events ORDER BY seq").decode(String.self) { types.append(type) }
            return types
        default:
            throw UnknownStore()
        }
    }

    @Test("an order's event commits with it and fans out once into three deliveries; a refused order writes none", arguments: StoreKind.allCases)
    func eventsCommitWithTheOrder(kind: StoreKind) async throws {
        try await Self.withStore(kind) { store in
            try await store.seedStock(["X": 3])
            try await store.addWebhookEndpoint(Self.endpoint("we_1"))
            try await store.addWebhookEndpoint(Self.endpoint("we_paid", events: [.orderPaid]))
            let order = NewOrder.sample(quantity: 2, unitMinor: 100, method: .creditCard)
            _ = try await store.createOrder(order, idempotency: nil)
            #expect(try await Self.eventTypes(store) == ["order.created"], "the event is in the order's transaction")
            let log = try await Self.log(store).sorted { $0.id < $1.id }
            #expect(try await store.fanOutEvents(now: Date(millis: 2_000), limit: 100) == 0, "fanned out once")
            #expect(log.map(\.destination) == ["e@example.com", "owner@shop.test", "we_1"])
            #expect(log.map(\.template) == ["order-received", "owner-new-order", nil])
            #expect(Set(log.map(\.eventID)).count == 1 && log.allSatisfy { $0.status == .pending && $0.orderID == order.id })
            let due = try await Self.due(store, at: Date(millis: 1_000))
            let payload = try EventPayload.decode(due[0].payload)
            #expect(
                payload.type == "order.created" && payload.data.order?.id == order.id && payload.data.order?.total == "200", "TWD has no minor digits: 2 × 100")

            await #expect(throws: StoreError.self) {
                _ = try await store.createOrder(.sample(quantity: 5, unitMinor: 100, method: .creditCard), idempotency: nil)
            }
            #expect(try await Self.eventTypes(store) == ["order.created"], "the refused order rolled back with its events")
        }
    }

    @Test("stock.low fires once at the threshold, stays quiet below it, and fires again after the stock went back above", arguments: StoreKind.allCases)
    func lowStock(kind: StoreKind) async throws {
        try await Self.withStore(kind) { store in
            do {
                try await store.seedStock(["X": 10])
                store.setLowStockRules(["X": LowStockRule(threshold: 5, title: "Avocado")])
                let first = NewOrder.sample(quantity: 5, unitMinor: 100, method: .creditCard)
                _ = try await store.createOrder(first, idempotency: nil)
                let second = NewOrder.sample(quantity: 1, unitMinor: 100, method: .creditCard)
                _ = try await store.createOrder(second, idempotency: nil)
                #expect(try await Self.eventTypes(store).filter { $0 == "stock.low" }.count == 1)
                for id in [first.id, second.id] {
                    _ = try await store.transition(StatusChange(orderID: id, to: .cancelled, role: .admin, actor: "admin:test", at: Date(millis: 2_000)))
                }
                _ = try await store.createOrder(.sample(quantity: 6, unitMinor: 100, method: .creditCard), idempotency: nil)
                let types = try await Self.eventTypes(store)
                #expect(types.filter { $0 == "stock.low" }.count == 2, "\(types)")
                let alerts = try await Self.log(store).filter { $0.eventType == .stockLow }
                #expect(alerts.allSatisfy { $0.destination == "owner@shop.test" && $0.template == "owner-low-stock" })
                _ = try await store.setAvailableStock(sku: "X", available: 2)
                #expect(try await Self.eventTypes(store).filter { $0 == "stock.low" }.count == 2, "still low: no new alert")
            }
        }
    }

    @Test("a due delivery is leased to one worker; a retry waits for its time; giving up tells the owner once", arguments: StoreKind.allCases)
    func leasesAndOutcomes(kind: StoreKind) async throws {
        try await Self.withStore(kind) { store in
            try await store.seedStock(["X": 10])
            try await store.addWebhookEndpoint(Self.endpoint("we_1"))
            _ = try await store.createOrder(.sample(quantity: 1, unitMinor: 100, method: .creditCard), idempotency: nil)
            let now = Date(millis: 10_000)
            let due = try await Self.due(store, at: now)
            #expect(due.count == 3)
            #expect(try await store.dueDeliveries(now: now, lane: .email, limit: 1).count == 1, "a lane gives at most its room")
            let hook = try #require(due.first { $0.delivery.channel == .webhook })
            #expect(try await store.claimDeliveries(ids: [hook.delivery.id], now: now, until: now.addingTimeInterval(60)) == [hook.delivery.id])
            #expect(try await store.claimDeliveries(ids: [hook.delivery.id], now: now, until: now.addingTimeInterval(60)).isEmpty, "leased once")
            #expect(try await Self.due(store, at: now).count == 2)
            #expect(try await Self.due(store, at: now.addingTimeInterval(61)).count == 3, "an expired lease makes it due again")

            try await store.finishDelivery(id: hook.delivery.id, outcome: .retry(at: now.addingTimeInterval(30), error: "503"), at: now)
            #expect(try await Self.due(store, at: now.addingTimeInterval(29)).count == 2)
            let retried = try #require(try await store.delivery(id: hook.delivery.id))
            #expect(retried.attempts == 1 && retried.lastError == "503" && retried.status == .pending)

            try await store.finishDelivery(id: hook.delivery.id, outcome: .failed(error: "410", disableEndpoint: true, alertOwner: true), at: now)
            #expect(try await store.webhookEndpoint(id: "we_1")?.enabled == false)
            let alerts = try await Self.log(store).filter { $0.eventType == .deliveryFailed }
            #expect(alerts.map(\.destination) == ["owner@shop.test"])
            let alert = try #require(alerts.first)
            try await store.finishDelivery(id: alert.id, outcome: .failed(error: "550", disableEndpoint: false, alertOwner: true), at: now)
            #expect(
                try await Self.log(store).filter { $0.eventType == .deliveryFailed }.count == 1,
                "no alert about an alert")

            let again = try #require(try await store.retryDelivery(id: hook.delivery.id, at: now))
            #expect(again.status == .pending && again.attempts == 0)
            let email = try #require(due.first { $0.delivery.template == "order-received" })
            try await store.finishDelivery(id: email.delivery.id, outcome: .sent, at: now)
            #expect(try await store.retryDelivery(id: email.delivery.id, at: now)?.status == .sent, "a sent delivery stays sent")
            #expect(try await Self.log(store, DeliveryQuery(status: .sent, limit: 10)).map(\.id) == [email.delivery.id])
        }
    }

    @Test("a deleted endpoint gets no new deliveries; a test message goes to one endpoint only", arguments: StoreKind.allCases)
    func endpoints(kind: StoreKind) async throws {
        try await Self.withStore(kind) { store in
            try await store.seedStock(["X": 10])
            try await store.addWebhookEndpoint(Self.endpoint("we_1"))
            try await store.addWebhookEndpoint(Self.endpoint("we_2"))
            let test = try #require(try await store.enqueueWebhookTest(endpointID: "we_2", at: Date(millis: 1)))
            #expect(try await store.delivery(id: test)?.destination == "we_2")
            _ = try await store.createOrder(.sample(quantity: 1, unitMinor: 100, method: .creditCard), idempotency: nil)
            #expect(try await Self.log(store).filter { $0.destination == "we_1" }.count == 1, "fanned out while we_1 was there")
            #expect(try await store.deleteWebhookEndpoint(id: "we_1", at: Date(millis: 2)))
            let orphaned = try await Self.log(store).filter { $0.destination == "we_1" }
            #expect(orphaned.count == 1 && orphaned.allSatisfy { $0.status == .failed && $0.lastError == "the endpoint was deleted" })
            #expect(try await !store.deleteWebhookEndpoint(id: "we_1", at: Date(millis: 3)))
            #expect(try await store.enqueueWebhookTest(endpointID: "we_1", at: Date(millis: 4)) == nil)
            #expect(try await store.webhookEndpoints().map(\.id) == ["we_2"])
            _ = try await store.createOrder(.sample(quantity: 1, unitMinor: 100, method: .creditCard), idempotency: nil)
            let hooks = try await Self.log(store).filter { $0.channel == .webhook && $0.eventType == .orderCreated }
            #expect(hooks.map(\.destination) == ["we_2", "we_2", "we_1"], "newest first: the order after the deletion went to we_2 only")
        }
    }

    @Test(
        "a 410 turns the endpoint off and fails its other pending deliveries; giving up without an alert tells nobody; the log pages by id",
        arguments: StoreKind.allCases)
    func goneEndpointAndPaging(kind: StoreKind) async throws {
        try await Self.withStore(kind) { store in
            try await store.seedStock(["X": 10])
            try await store.addWebhookEndpoint(Self.endpoint("we_1"))
            for _ in 0..<3 { _ = try await store.createOrder(.sample(quantity: 1, unitMinor: 100, method: .creditCard), idempotency: nil) }
            let now = Date(millis: 10_000)
            let hooks = try await Self.due(store, at: now)
            let webhook = hooks.filter { $0.delivery.channel == .webhook }.map(\.delivery.id)
            #expect(webhook.count == 3)
            let email = try #require(hooks.first { $0.delivery.channel == .email }?.delivery.id)
            try await store.finishDelivery(id: email, outcome: .failed(error: "550", disableEndpoint: true, alertOwner: false), at: now)
            #expect(try await store.webhookEndpoint(id: "we_1")?.enabled == true, "only a webhook delivery turns its endpoint off")
            #expect(try await Self.log(store).filter { $0.eventType == .deliveryFailed }.isEmpty, "no alert asked for")

            try await store.finishDelivery(id: webhook[0], outcome: .failed(error: "410 Gone", disableEndpoint: true, alertOwner: true), at: now)
            let endpoint = try #require(try await store.webhookEndpoint(id: "we_1"))
            #expect(!endpoint.enabled && endpoint.disabledReason == "410 Gone")
            for id in webhook.dropFirst() {
                let orphan = try #require(try await store.delivery(id: id))
                #expect(orphan.status == .failed && orphan.lastError == "the endpoint was turned off: 410 Gone" && orphan.attempts == 0)
            }
            let alert = try #require(try await Self.log(store).first { $0.eventType == .deliveryFailed })
            #expect(alert.channel == .email && alert.destination == "owner@shop.test" && alert.template == "owner-delivery-failed")

            let all = try await Self.log(store).map(\.id)
            #expect(all == all.sorted(by: >) && all.count == 10, "nine order deliveries and the alert, newest first")
            let first = try await store.deliveries(DeliveryQuery(limit: 4))
            #expect(first.deliveries.map(\.id) == Array(all.prefix(4)) && first.next == all[3])
            let last = try await store.deliveries(DeliveryQuery(before: all[7], limit: 4))
            #expect(last.deliveries.map(\.id) == Array(all.suffix(2)) && last.next == nil)
            let failed = try await store.deliveries(DeliveryQuery(status: .failed, limit: 200)).deliveries
            #expect(Set(failed.map(\.id)) == Set(webhook + [email]) && failed.allSatisfy { $0.nextAttemptAt == nil })
        }
    }
}

/// A store this suite does not know how to look inside.
private struct UnknownStore: Error {}
