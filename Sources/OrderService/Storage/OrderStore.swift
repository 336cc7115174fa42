import Foundation
import StoreModel

/// Everything the API keeps durably. One implementation per database; each write method is one
/// transaction that keeps its invariant (stock is never oversold, every state change writes an event).
public protocol OrderStore: NotificationOutbox {
    /// Adds stock rows for tracked SKUs that have none; existing rows are kept (the database is the live stock).
    func seedStock(_ initial: [String: Int]) async throws

    /// Stores a new order, reserving its stock, together with its creation event and idempotency record.
    ///
    /// Throws `StoreError.insufficientStock` (changing nothing) when a tracked SKU lacks stock.
    func createOrder(_ order: NewOrder, idempotency: IdempotencyDraft?) async throws -> CreateOrderOutcome

    /// The idempotency record of a key, when the key was used.
    func idempotencyRecord(key: String) async throws -> IdempotencyRecord?

    /// Replaces the response body stored for an idempotency key.
    func updateIdempotencyResponse(key: String, body: Data) async throws

    /// The order with this id; throws `StoreError.orderNotFound`.
    func order(id: String) async throws -> Order

    /// The order's event log, oldest first.
    func events(orderID: String) async throws -> [OrderEvent]

    /// The order with this id and its event log, read in one transaction; throws `StoreError.orderNotFound`.
    func orderWithEvents(id: String) async throws -> (Order, [OrderEvent])

    /// Calls `observer` with the ids of the orders whose row or events a write through this store
    /// may have changed, after the write's transaction ended and before the write returns.
    func observeOrderChanges(_ observer: @escaping @Sendable ([String]) -> Void)

    /// How many writes other stores (another process, another connection) have committed to the
    /// same database; it grows after each of them, never because of this store's own writes.
    var foreignWrites: UInt64 { get }

    /// How this store's instance hears of the other instances on the same database, when there can
    /// be several that change orders without telling this process (PostgreSQL); `nil` for SQLite,
    /// whose writers on one machine count their writes in `foreignWrites` instead.
    var coordination: (any InstanceCoordination)? { get }

    /// Counts a failed admin sign-in from `address` at `at`, forgets that address's failures
    /// before `since`, and returns how many it has had since then (this one included). Every
    /// instance on the database shares the count.
    func recordAdminFailure(address: String, at: Date, since: Date) async throws -> Int

    /// When `address` failed to sign in as admin since `since`, oldest first, on every instance.
    func adminFailures(address: String, since: Date) async throws -> [Date]

    /// Moves an order to a new state through the transition table, moving its stock and writing an event.
    func transition(_ change: StatusChange) async throws -> Order

    /// Expires unpaid orders whose deadline has passed, giving their stock back; returns their ids.
    func expireDueOrders(now: Date) async throws -> [String]

    /// Records gateway payment instructions (ATM account) on an order.
    func recordPaymentInstructions(orderID: String, instructions: PaymentInstructions, at: Date) async throws

    /// Flags an order for the owner's review with a note in its event log.
    func flagForReview(orderID: String, actor: String, note: String, at: Date) async throws

    /// Maps a new payment attempt (gateway reference) to its order.
    func recordPaymentAttempt(_ attempt: PaymentAttempt) async throws

    /// How many payment attempts an order has had.
    func paymentAttemptCount(orderID: String) async throws -> Int

    /// The attempt with this gateway reference, if any.
    func paymentAttempt(reference: String) async throws -> PaymentAttempt?

    /// The attempts through `gateway` whose order has not recorded a payment (created or expired), oldest first.
    func unpaidAttempts(gateway: PaymentGateway) async throws -> [PaymentAttempt]

    /// Applies a verified gateway report in one transaction: deduplicates on its event id, changes
    /// the order as `PaymentRules` decide from its current state, and stores the raw message for audit.
    func applyPaymentReport(_ report: PaymentReport, acceptSimulated: Bool) async throws -> PaymentOutcome

    /// Stores a refused gateway message for audit; changes no order.
    func recordPaymentRejection(_ rejection: PaymentRejection) async throws

    /// The stored gateway messages, oldest first: one order's, or all when `orderID` is `nil`.
    func paymentAudit(orderID: String?) async throws -> [PaymentAuditEntry]

    /// A page of orders, newest first.
    func listOrders(_ query: OrderQuery) async throws -> OrderPage

    /// The live stock of every tracked SKU.
    func stockLevels() async throws -> [String: StockLevel]

    /// The live stock of these SKUs, where tracked (one indexed read, however big the catalog).
    func stockLevels(skus: [String]) async throws -> [String: StockLevel]

    /// Sets a SKU's available stock (creating its row when untracked). Throws `StoreError.invalidStock` below zero.
    func setAvailableStock(sku: String, available: Int) async throws -> StockLevel

    /// Order counts by state and paid revenue by currency, for metrics.
    func statistics() async throws -> OrderStatistics

    /// Checks that the database answers.
    func ping() async throws

    /// Closes the database cleanly.
    func close() async throws
}

/// A requested state change.
public struct StatusChange: Sendable, Hashable {
    /// The order.
    public var orderID: String
    /// The target state.
    public var to: OrderStatus
    /// The role asking, checked against the transition table.
    public var role: OrderStatus.Actor
    /// The actor written to the event log (`admin:1a2b3c4d`, `system`, ...).
    public var actor: String
    /// A note for the event log.
    public var note: String
    /// A tracking number to record.
    public var trackingNumber: String?
    /// When the change happens.
    public var at: Date
    /// When set, the change only applies while the order is in this state (otherwise 409).
    public var expectedFrom: OrderStatus?

    /// Creates a change.
    public init(
        orderID: String, to: OrderStatus, role: OrderStatus.Actor, actor: String, note: String = "", trackingNumber: String? = nil, at: Date,
        expectedFrom: OrderStatus? = nil
    ) {
        self.orderID = orderID
        self.to = to
        self.role = role
        self.actor = actor
        self.note = note
        self.trackingNumber = trackingNumber
        self.at = at
        self.expectedFrom = expectedFrom
    }
}

/// The live stock of one SKU. `received = available + reserved + sold` always holds.
public struct StockLevel: Sendable, Hashable {
    /// The SKU.
    public var sku: String
    /// Units that can still be ordered.
    public var available: Int
    /// Units held by unpaid orders.
    public var reserved: Int
    /// Units of paid, shipped or delivered orders.
    public var sold: Int
    /// Every unit ever put on sale (initial stock plus adjustments).
    public var received: Int
}

/// Filters and paging for the admin order list.
public struct OrderQuery: Sendable, Hashable {
    /// Only orders in this state.
    public var status: OrderStatus?
    /// Only orders placed at or after this time.
    public var from: Date?
    /// Only orders placed before this time.
    public var to: Date?
    /// A search on the id, e-mail or phone.
    public var search: String?
    /// The cursor of the previous page.
    public var cursor: OrderCursor?
    /// Page size, 1 to 100 (the CSV export uses larger internal pages).
    public var limit: Int

    /// Creates a query.
    public init(status: OrderStatus? = nil, from: Date? = nil, to: Date? = nil, search: String? = nil, cursor: OrderCursor? = nil, limit: Int = 50) {
        self.status = status
        self.from = from
        self.to = to
        self.search = search
        self.cursor = cursor
        self.limit = limit
    }
}

/// A position in the newest-first order list.
public struct OrderCursor: Sendable, Hashable {
    /// Placement time in milliseconds since 1970 of the last order seen.
    public var createdAtMillis: Int64
    /// Id of the last order seen.
    public var id: String

    /// The opaque text form.
    public var token: String { "\(createdAtMillis)_\(id)" }

    /// Parses the opaque text form.
    public init?(token: String) {
        let parts = token.split(separator: "_", maxSplits: 1)
        guard parts.count == 2, let millis = Int64(parts[0]), OrderID.isWellFormed(String(parts[1])) else { return nil }
        self.createdAtMillis = millis
        self.id = String(parts[1])
    }

    /// Creates a cursor.
    public init(createdAtMillis: Int64, id: String) {
        self.createdAtMillis = createdAtMillis
        self.id = id
    }
}

/// One page of orders.
public struct OrderPage: Sendable, Hashable {
    /// The orders, newest first.
    public var orders: [Order]
    /// The cursor of the next page, `nil` on the last page.
    public var nextCursor: OrderCursor?
}

/// Aggregates for metrics.
public struct OrderStatistics: Sendable, Hashable {
    /// Number of orders per state.
    public var countsByStatus: [OrderStatus: Int]
    /// Paid revenue (paid, shipped, delivered) in minor units per currency code.
    public var revenueMinorByCurrency: [String: Int64]
}

/// One stored gateway message.
public struct PaymentAuditEntry: Sendable, Hashable {
    /// When it was received.
    public var receivedAt: Date
    /// The gateway.
    public var gateway: String
    /// The channel (`notify`, `payment-info`, `query`, `webhook`, …).
    public var source: String
    /// The order, when known.
    public var orderID: String?
    /// The attempt reference, when known.
    public var reference: String?
    /// The gateway's event id, when it has one.
    public var eventID: String?
    /// `applied`, `duplicate`, `recorded`, `flagged`, `ignored` or `rejected`.
    public var outcome: String
    /// Why.
    public var reason: String
    /// The raw message.
    public var raw: String
}

/// Failures of the storage layer that callers handle.
public enum StoreError: Error, Sendable, Hashable {
    /// No order has this id.
    case orderNotFound
    /// Not enough stock for these SKUs: the SKU and its available units.
    case insufficientStock([String: Int])
    /// The transition table does not allow this change.
    case illegalTransition(from: OrderStatus, to: OrderStatus)
    /// A stock value is out of range.
    case invalidStock
    /// A stored row could not be read back (corruption or a newer schema).
    case corruptRow(String)
    /// The database cannot be reached now (PostgreSQL down, starting, or too slow to answer);
    /// the API answers 503 `database_unavailable` and the request may be retried.
    case databaseUnavailable
}

/// The notification outbox: events are recorded by the write methods above, in their own
/// transactions; these methods deliver them and manage webhook endpoints.
public protocol NotificationOutbox: Sendable {
    /// Sets the low-stock rule of each tracked SKU (from the catalog; replaced on every reload).
    func setLowStockRules(_ rules: [String: LowStockRule])

    /// Makes the deliveries of up to `limit` recorded events, one per destination as
    /// `NotificationRules.destinations` says now, in one transaction; returns how many events it took.
    func fanOutEvents(now: Date, limit: Int) async throws -> Int

    /// Pending deliveries of `lane` due at `now` and not leased, oldest due first, at most `limit`.
    func dueDeliveries(now: Date, lane: DeliveryLane, limit: Int) async throws -> [DueDelivery]

    /// Leases the deliveries of `ids` that are still due and not leased until `until`, in one
    /// transaction; returns the ids it leased (another worker may have taken the others).
    func claimDeliveries(ids: [Int64], now: Date, until: Date) async throws -> Set<Int64>

    /// Records an attempt's outcome (and, on giving up, the owner's alert) in one transaction.
    func finishDelivery(id: Int64, outcome: DeliveryOutcome, at: Date) async throws

    /// A page of the delivery log, newest first, and the cursor of the next page.
    func deliveries(_ query: DeliveryQuery) async throws -> (deliveries: [Delivery], next: Int64?)

    /// One delivery.
    func delivery(id: Int64) async throws -> Delivery?

    /// Makes a pending or failed delivery due now with a fresh set of attempts; `nil` when unknown.
    func retryDelivery(id: Int64, at: Date) async throws -> Delivery?

    /// Adds a webhook endpoint.
    func addWebhookEndpoint(_ endpoint: WebhookEndpoint) async throws

    /// The endpoints not deleted, oldest first.
    func webhookEndpoints() async throws -> [WebhookEndpoint]

    /// One endpoint, unless deleted.
    func webhookEndpoint(id: String) async throws -> WebhookEndpoint?

    /// Deletes an endpoint and fails its pending deliveries. `false` when unknown.
    func deleteWebhookEndpoint(id: String, at: Date) async throws -> Bool

    /// Records a `webhook.test` event for one endpoint; returns the delivery's id, `nil` when unknown.
    func enqueueWebhookTest(endpointID: String, at: Date) async throws -> Int64?
}
