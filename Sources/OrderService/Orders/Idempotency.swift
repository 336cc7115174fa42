import Foundation
import StoreModel

/// The idempotency record to store with a new order.
public struct IdempotencyDraft: Sendable, Hashable {
    /// The client's `Idempotency-Key`.
    public var key: String
    /// SHA-256 of the request body, hex.
    public var requestHash: String
    /// The response status to replay.
    public var responseStatus: Int
    /// The response body to replay.
    public var responseBody: Data
}

/// A stored idempotency record.
public struct IdempotencyRecord: Sendable, Hashable {
    /// The client's key.
    public var key: String
    /// SHA-256 of the first request body, hex.
    public var requestHash: String
    /// The first response's status.
    public var responseStatus: Int
    /// The first response's body.
    public var responseBody: Data
    /// The order the key created.
    public var orderID: String?
}
