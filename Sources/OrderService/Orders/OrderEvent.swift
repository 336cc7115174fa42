import Foundation
import StoreModel

/// One entry of an order's append-only event log.
public struct OrderEvent: Sendable, Hashable {
    /// When it happened.
    public var at: Date
    /// Who did it: `shopper`, `system`, `gateway` or `admin:<token fingerprint>`.
    public var actor: String
    /// The state before, `nil` for the creation event.
    public var from: OrderStatus?
    /// The state after.
    public var to: OrderStatus
    /// A free-text note.
    public var note: String
}
