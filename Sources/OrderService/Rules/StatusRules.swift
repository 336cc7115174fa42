import Foundation
import StoreModel

/// What a status change does to an order, decided from the order's current state alone: whether
/// it is allowed, which stock moves between buckets, and the order as it is afterwards. Every
/// order store applies the decision inside the transaction that read the order.
enum StatusRules {
    /// Which stock bucket an order's units sit in while it is in a state.
    enum StockBucket: Sendable, Hashable {
        /// Held for an order that is not paid yet.
        case reserved
        /// Counted as sold.
        case sold
        /// Given back: available to other orders.
        case released

        /// The bucket of an order in `status`.
        init(_ status: OrderStatus) {
            if status.holdsReservation {
                self = .reserved
            } else if status.countsAsSold {
                self = .sold
            } else {
                self = .released
            }
        }
    }

    /// Units of one SKU to move from one bucket to another.
    struct StockMove: Sendable, Hashable {
        var sku: String
        var quantity: Int
        var from: StockBucket
        var to: StockBucket

        /// Whether the move takes units from the available stock, so there may be too few.
        var needsAvailableStock: Bool { from == .released }
    }

    struct Decision: Sendable, Hashable {
        /// The stock to move, one move per SKU, in SKU order (a fixed lock order); empty when the
        /// old and new states keep the units in the same bucket.
        var stockMoves: [StockMove]
        /// The order after the change.
        var order: Order
    }

    /// Decides `change` for `order`; throws `StoreError.illegalTransition` when the order is not in
    /// the expected state or the transition table does not allow the change.
    static func decide(order: Order, change: StatusChange) throws(StoreError) -> Decision {
        if let expected = change.expectedFrom, order.status != expected {
            throw .illegalTransition(from: order.status, to: change.to)
        }
        guard order.status.canMove(to: change.to, by: change.role, method: order.paymentMethod) else {
            throw .illegalTransition(from: order.status, to: change.to)
        }
        let from = StockBucket(order.status)
        let to = StockBucket(change.to)
        let moves = from == to ? [] : stockMoves(of: order, from: from, to: to)
        var after = order
        after.status = change.to
        after.updatedAt = change.at
        after.trackingNumber = change.trackingNumber ?? order.trackingNumber
        if change.to == .paid && order.paymentState != .late { after.paymentState = .paid }
        if change.to == .delivered && order.paymentMethod == .cashOnDelivery { after.paymentState = .paid }
        return Decision(stockMoves: moves, order: after)
    }

    /// The stock a new order takes when it is stored: its units move from available to reserved
    /// (failing when there are too few).
    static func reservation(of order: Order) -> [StockMove] {
        stockMoves(of: order, from: .released, to: StockBucket(order.status))
    }

    /// One move per SKU of the order's units (lines with the same SKU added up), in SKU order.
    static func stockMoves(of order: Order, from: StockBucket, to: StockBucket) -> [StockMove] {
        let quantities = order.lines.reduce(into: [String: Int]()) { $0[$1.sku, default: 0] += $1.quantity }
        return quantities.sorted { $0.key < $1.key }.map { StockMove(sku: $0.key, quantity: $0.value, from: from, to: to) }
    }
}

extension StatusRules {
    /// How many due orders one expiry sweep takes at most (the next sweep takes the rest).
    static let expiryBatch = 500

    /// The change that expires an unpaid order whose deadline passed: by the system, only from `created`.
    static func expiry(orderID: String, at: Date) -> StatusChange {
        StatusChange(orderID: orderID, to: .expired, role: .system, actor: "system", note: "not paid in time", at: at, expectedFrom: .created)
    }
}
