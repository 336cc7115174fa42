import Foundation
import StoreModel

// The methods of `OrderStore` and `NotificationOutbox` that PostgreSQL does not have yet. Each
// throws rather than answering something made up; the list is repeated at the top of
// PostgresOrderStore.swift.
extension PostgresOrderStore {
    public func updateIdempotencyResponse(key: String, body: Data) async throws {
        throw PostgresStoreError.notImplemented("updateIdempotencyResponse")
    }

    public func transition(_ change: StatusChange) async throws -> Order {
        throw PostgresStoreError.notImplemented("transition")
    }

    public func expireDueOrders(now: Date) async throws -> [String] {
        throw PostgresStoreError.notImplemented("expireDueOrders")
    }

    public func recordPaymentInstructions(orderID: String, instructions: PaymentInstructions, at: Date) async throws {
        throw PostgresStoreError.notImplemented("recordPaymentInstructions")
    }

    public func flagForReview(orderID: String, actor: String, note: String, at: Date) async throws {
        throw PostgresStoreError.notImplemented("flagForReview")
    }

    public func recordPaymentAttempt(_ attempt: PaymentAttempt) async throws {
        throw PostgresStoreError.notImplemented("recordPaymentAttempt")
    }

    public func paymentAttemptCount(orderID: String) async throws -> Int {
        throw PostgresStoreError.notImplemented("paymentAttemptCount")
    }

    public func paymentAttempt(reference: String) async throws -> PaymentAttempt? {
        throw PostgresStoreError.notImplemented("paymentAttempt")
    }

    public func unpaidAttempts(gateway: PaymentGateway) async throws -> [PaymentAttempt] {
        throw PostgresStoreError.notImplemented("unpaidAttempts")
    }

    public func applyPaymentReport(_ report: PaymentReport, acceptSimulated: Bool) async throws -> PaymentOutcome {
        throw PostgresStoreError.notImplemented("applyPaymentReport")
    }

    public func recordPaymentRejection(_ rejection: PaymentRejection) async throws {
        throw PostgresStoreError.notImplemented("recordPaymentRejection")
    }

    public func paymentAudit(orderID: String?) async throws -> [PaymentAuditEntry] {
        throw PostgresStoreError.notImplemented("paymentAudit")
    }

    public func listOrders(_ query: OrderQuery) async throws -> OrderPage {
        throw PostgresStoreError.notImplemented("listOrders")
    }

    public func setAvailableStock(sku: String, available: Int) async throws -> StockLevel {
        throw PostgresStoreError.notImplemented("setAvailableStock")
    }

    public func statistics() async throws -> OrderStatistics {
        throw PostgresStoreError.notImplemented("statistics")
    }

    public func fanOutEvents(now: Date, limit: Int) async throws -> Int {
        throw PostgresStoreError.notImplemented("fanOutEvents")
    }

    public func dueDeliveries(now: Date, lane: DeliveryLane, limit: Int) async throws -> [DueDelivery] {
        throw PostgresStoreError.notImplemented("dueDeliveries")
    }

    public func claimDeliveries(ids: [Int64], now: Date, until: Date) async throws -> Set<Int64> {
        throw PostgresStoreError.notImplemented("claimDeliveries")
    }

    public func finishDelivery(id: Int64, outcome: DeliveryOutcome, at: Date) async throws {
        throw PostgresStoreError.notImplemented("finishDelivery")
    }

    public func deliveries(_ query: DeliveryQuery) async throws -> (deliveries: [Delivery], next: Int64?) {
        throw PostgresStoreError.notImplemented("deliveries")
    }

    public func delivery(id: Int64) async throws -> Delivery? {
        throw PostgresStoreError.notImplemented("delivery")
    }

    public func retryDelivery(id: Int64, at: Date) async throws -> Delivery? {
        throw PostgresStoreError.notImplemented("retryDelivery")
    }

    public func addWebhookEndpoint(_ endpoint: WebhookEndpoint) async throws {
        throw PostgresStoreError.notImplemented("addWebhookEndpoint")
    }

    public func webhookEndpoints() async throws -> [WebhookEndpoint] {
        throw PostgresStoreError.notImplemented("webhookEndpoints")
    }

    public func webhookEndpoint(id: String) async throws -> WebhookEndpoint? {
        throw PostgresStoreError.notImplemented("webhookEndpoint")
    }

    public func deleteWebhookEndpoint(id: String, at: Date) async throws -> Bool {
        throw PostgresStoreError.notImplemented("deleteWebhookEndpoint")
    }

    public func enqueueWebhookTest(endpointID: String, at: Date) async throws -> Int64? {
        throw PostgresStoreError.notImplemented("enqueueWebhookTest")
    }
}
