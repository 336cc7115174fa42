import Foundation
import StoreModel

// The methods of `NotificationOutbox` that PostgreSQL does not have yet. Each
// throws rather than answering something made up; the list is repeated at the top of
// PostgresOrderStore.swift.
extension PostgresOrderStore {
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
