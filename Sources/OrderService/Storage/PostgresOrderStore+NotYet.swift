import Foundation
import StoreModel

// The methods of `OrderStore` that PostgreSQL does not have yet. Each
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
}
