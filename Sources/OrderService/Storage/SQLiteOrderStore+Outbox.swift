import Foundation
import GRDB
import StoreModel

/// What the outbox needs to know inside a write transaction, taken before it starts.
struct OutboxContext: Sendable {
    /// Who hears of events.
    var routing: NotificationRouting
    /// The low-stock threshold and title of each tracked SKU that has one.
    var lowStock: [String: LowStockRule]
    /// Whether an event may have a destination (e-mail is on, or an endpoint was seen): worth
    /// encoding payloads ahead of the transaction. When wrong, the transaction encodes them itself.
    var mayNotify: Bool
}

/// When a SKU's stock counts as low, and how to name it.
public struct LowStockRule: Sendable, Hashable {
    /// `stock.low` fires at or below this many available units.
    public var threshold: Int
    /// The product's title, for the alert.
    public var title: String

    /// Creates a rule.
    public init(threshold: Int, title: String) {
        self.threshold = threshold
        self.title = title
    }

    /// The rule of every tracked product of `catalog` with a threshold: its own `lowStock`, else the
    /// shop's `lowStockThreshold`.
    public static func rules(for catalog: Catalog) -> [String: LowStockRule] {
        catalog.products.reduce(into: [:]) { rules, product in
            guard product.stock != nil, let threshold = product.lowStock ?? catalog.store.lowStockThreshold else { return }
            rules[product.sku] = LowStockRule(threshold: threshold, title: product.title)
        }
    }
}

/// How a delivery attempt ended, as the store records it.
public enum DeliveryOutcome: Sendable, Hashable {
    /// Delivered.
    case sent
    /// Try again at the given time.
    case retry(at: Date, error: String)
    /// Give up; with `disableEndpoint` the webhook endpoint is turned off (410 Gone), with
    /// `alertOwner` the owner is told by e-mail.
    case failed(error: String, disableEndpoint: Bool, alertOwner: Bool)
}

// MARK: - Recording events inside a transaction

extension SQLiteOrderStore {
    /// Records the events of `before` becoming `after` (and their deliveries) in the caller's transaction.
    /// `encoded` holds payloads made before the transaction (`encodedEvents`), so the single writer
    /// does not spend its time on JSON.
    static func recordOrderEvents(
        before: Order?, after: Order, at: Date, _ outbox: OutboxContext, _ db: Database, reviewReason: String? = nil,
        encoded: [NotificationEventType: PreparedEvent] = [:]
    ) throws {
        for type in NotificationRules.orderEvents(before: before, after: after) {
            try recordEvent(
                type, data: orderData(type, after, reviewReason: reviewReason), orderID: after.id, shopper: after, at: at, outbox, db,
                prepared: encoded[type])
        }
    }

    /// An event's id and body, made before its transaction.
    struct PreparedEvent: Sendable {
        var id: String
        var payload: Data

        static func newID() -> String { RandomID.make(prefix: "evt_") }
    }

    /// The payloads of the events of `before` becoming `after`, encoded ahead of the transaction.
    static func encodedEvents(before: Order?, after: Order, at: Date) throws -> [NotificationEventType: PreparedEvent] {
        var encoded: [NotificationEventType: PreparedEvent] = [:]
        for type in NotificationRules.orderEvents(before: before, after: after) {
            let payload = try EventPayload(type: type.rawValue, timestamp: EventPayload.timestamp(at), data: orderData(type, after, reviewReason: nil))
            encoded[type] = PreparedEvent(id: PreparedEvent.newID(), payload: try payload.encoded())
        }
        return encoded
    }

    static func orderData(_ type: NotificationEventType, _ order: Order, reviewReason: String?) -> EventData {
        EventData(order: OrderData(order), reviewReason: type == .orderNeedsReview ? (reviewReason ?? order.reviewReason ?? "") : nil)
    }

    /// Records one event. Its deliveries, one per destination, are made from it by `fanOutEvents`
    /// (in a later transaction of the dispatcher's, so taking an order writes one row, not one per
    /// destination). With `onlyEndpoint` (the admin's test message) or `fanOutNow` (an owner alert)
    /// they are made at once. Records nothing when nobody could hear of it: e-mail off and no endpoint.
    @discardableResult
    static func recordEvent(
        _ type: NotificationEventType, data: @autoclosure () -> EventData, orderID: String?, shopper: Order?, at: Date, _ outbox: OutboxContext,
        _ db: Database, onlyEndpoint: WebhookEndpoint? = nil, fanOutNow: Bool = false, prepared: PreparedEvent? = nil
    ) throws -> [Int64] {
        let immediate = onlyEndpoint != nil || fanOutNow
        guard try immediate || outbox.mayNotify || !activeEndpoints(db).isEmpty else { return [] }
        let payload = try prepared?.payload ?? EventPayload(type: type.rawValue, timestamp: EventPayload.timestamp(at), data: data()).encoded()
        let eventID = prepared?.id ?? PreparedEvent.newID()
        try db.cachedStatement(
            sql:
                "INSERT INTO outbox_events (id, type, order_id, created_at, payload, shopper_email, payment_method, fanned_out) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
        ).execute(arguments: [eventID, type.rawValue, orderID, at.millis, payload, shopper?.customer.email, shopper?.paymentMethod.rawValue, immediate])
        guard immediate else { return [] }
        let destinations = NotificationRules.immediateDestinations(
            of: type, onlyEndpoint: onlyEndpoint, shopper: shopper, routing: outbox.routing, endpoints: try activeEndpoints(db))
        return try insertDeliveries(destinations, eventSeq: db.lastInsertedRowID, createdAt: at, due: at, db)
    }

    static func insertDeliveries(_ destinations: [NotificationRules.Destination], eventSeq: Int64, createdAt: Date, due: Date, _ db: Database) throws -> [Int64]
    {
        var ids: [Int64] = []
        for destination in destinations {
            try db.cachedStatement(
                sql: """
                    INSERT INTO deliveries (event_seq, channel, destination, template, status, attempts, next_attempt_at, created_at)
                    VALUES (?, ?, ?, ?, 'pending', 0, ?, ?)
                    """
            ).execute(arguments: [eventSeq, destination.channel.rawValue, destination.destination, destination.template, due.millis, createdAt.millis])
            ids.append(db.lastInsertedRowID)
        }
        return ids
    }

    /// Fires or re-arms `stock.low` for `skus` after their available stock changed.
    static func checkLowStock(_ skus: some Sequence<String>, at: Date, _ outbox: OutboxContext, _ db: Database) throws {
        // A SKU without a rule has nothing to fire; its flag waits for a rule (a later fall below it re-arms).
        for sku in Set(skus) where outbox.lowStock[sku] != nil {
            guard
                let row = try Row.fetchOne(
                    db.cachedStatement(sql: "SELECT available, low_alerted FROM stock WHERE sku = ?"), arguments: [sku])
            else { continue }
            let available: Int = row["available"]
            let rule = outbox.lowStock[sku]
            switch NotificationRules.stockAlert(available: available, threshold: rule?.threshold, alerted: (row["low_alerted"] as Int64) != 0) {
            case .none:
                continue
            case .rearm:
                try db.cachedStatement(sql: "UPDATE stock SET low_alerted = 0 WHERE sku = ?").execute(arguments: [sku])
            case .alert:
                guard let rule else { continue }
                try db.cachedStatement(sql: "UPDATE stock SET low_alerted = 1 WHERE sku = ?").execute(arguments: [sku])
                let data = EventData(stock: StockData(sku: sku, title: rule.title, available: available, threshold: rule.threshold))
                try recordEvent(.stockLow, data: data, orderID: nil, shopper: nil, at: at, outbox, db)
            }
        }
    }

    static func activeEndpoints(_ db: Database) throws -> [WebhookEndpoint] {
        try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM webhook_endpoints WHERE enabled = 1 AND deleted_at IS NULL")).map(endpoint)
    }

    static func endpoint(_ row: Row) -> WebhookEndpoint {
        WebhookEndpoint.stored(
            id: row["id"], url: row["url"], events: row["events"], secret: row["secret"], enabled: (row["enabled"] as Int64) != 0,
            disabledReason: row["disabled_reason"], createdAtMillis: row["created_at"])
    }
}

// MARK: - Delivering

extension SQLiteOrderStore {
    public func fanOutEvents(now: Date, limit: Int) async throws -> Int {
        let waiting = try await pool.read { db in
            try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM outbox_events WHERE fanned_out = 0 LIMIT 1")) ?? false
        }
        guard waiting, limit > 0 else { return 0 }
        let routing = outboxContext.routing
        return try await changing([]) {
            try await writer.submit { db in
                let endpoints = try Self.activeEndpoints(db)
                let rows = try Row.fetchAll(
                    db.cachedStatement(
                        sql: "SELECT seq, type, created_at, shopper_email, payment_method FROM outbox_events WHERE fanned_out = 0 ORDER BY seq LIMIT ?"),
                    arguments: [limit])
                for row in rows {
                    let seq: Int64 = row["seq"]
                    let destinations = NotificationRules.destinations(
                        ofStored: row["type"], shopperEmail: row["shopper_email"], paymentMethod: row["payment_method"], routing: routing,
                        endpoints: endpoints)
                    _ = try Self.insertDeliveries(destinations, eventSeq: seq, createdAt: Date(millis: row["created_at"]), due: now, db)
                    try db.cachedStatement(sql: "UPDATE outbox_events SET fanned_out = 1 WHERE seq = ?").execute(arguments: [seq])
                }
                return rows.count
            }
        }
    }

    public func dueDeliveries(now: Date, lane: DeliveryLane, limit: Int) async throws -> [DueDelivery] {
        guard limit > 0 else { return [] }
        let select = """
            SELECT d.*, e.id AS event_id, e.type AS event_type, e.order_id AS order_id, e.payload AS payload
            FROM deliveries d JOIN outbox_events e ON e.seq = d.event_seq
            """
        let due = "d.status = 'pending' AND d.next_attempt_at <= ?1 AND (d.lease_until IS NULL OR d.lease_until <= ?1)"
        let sql: String
        var arguments: StatementArguments = [now.millis, limit]
        switch lane {
        case .email:
            sql = "\(select) WHERE d.channel = 'email' AND \(due) ORDER BY d.next_attempt_at, d.id LIMIT ?2"
        case .webhook(let id):
            sql = "\(select) WHERE d.channel = 'webhook' AND d.destination = ?3 AND \(due) ORDER BY d.next_attempt_at, d.id LIMIT ?2"
            arguments += [id]
        }
        let bound = arguments
        return try await pool.read { db in
            try Row.fetchAll(db.cachedStatement(sql: sql), arguments: bound).map { row in
                DueDelivery(delivery: try Self.delivery(row), payload: row["payload"])
            }
        }
    }

    public func claimDeliveries(ids: [Int64], now: Date, until: Date) async throws -> Set<Int64> {
        guard !ids.isEmpty else { return [] }
        return try await changing([]) {
            try await writer.submit { db in
                var claimed: Set<Int64> = []
                let claim = try db.cachedStatement(
                    sql: """
                        UPDATE deliveries SET lease_until = ?1 WHERE id = ?2 AND status = 'pending' AND next_attempt_at <= ?3
                        AND (lease_until IS NULL OR lease_until <= ?3)
                        """)
                for id in ids {
                    try claim.execute(arguments: [until.millis, id, now.millis])
                    if db.changesCount == 1 { claimed.insert(id) }
                }
                return claimed
            }
        }
    }

    public func finishDelivery(id: Int64, outcome: DeliveryOutcome, at: Date) async throws {
        let outbox = outboxContext
        try await changing([]) {
            try await writer.submit { db in
                switch outcome {
                case .sent:
                    try db.execute(
                        sql: "UPDATE deliveries SET status = 'sent', attempts = attempts + 1, sent_at = ?, lease_until = NULL, last_error = NULL WHERE id = ?",
                        arguments: [at.millis, id])
                case .retry(let next, let error):
                    try db.execute(
                        sql: "UPDATE deliveries SET attempts = attempts + 1, next_attempt_at = ?, lease_until = NULL, last_error = ? WHERE id = ?",
                        arguments: [next.millis, error, id])
                case .failed(let error, let disableEndpoint, let alertOwner):
                    try db.execute(
                        sql: "UPDATE deliveries SET status = 'failed', attempts = attempts + 1, lease_until = NULL, last_error = ? WHERE id = ?",
                        arguments: [error, id])
                    guard let row = try Row.fetchOne(Self.deliverySelect(db, where: "d.id = ?"), arguments: [id]) else { return }
                    let delivery = try Self.delivery(row)
                    let effects = NotificationRules.givingUp(delivery, error: error, disableEndpoint: disableEndpoint, alertOwner: alertOwner)
                    if let disable = effects.disable {
                        try db.execute(
                            sql: "UPDATE webhook_endpoints SET enabled = 0, disabled_reason = ? WHERE id = ?", arguments: [disable.reason, disable.endpointID])
                        try Self.failPending(endpoint: disable.endpointID, reason: disable.orphanedReason, db)
                    }
                    if let alert = effects.ownerAlert {
                        try Self.recordEvent(.deliveryFailed, data: alert, orderID: delivery.orderID, shopper: nil, at: at, outbox, db, fanOutNow: true)
                    }
                }
            }
        }
    }

    public func deliveries(_ query: DeliveryQuery) async throws -> (deliveries: [Delivery], next: Int64?) {
        try await pool.read { db in
            var clauses: [String] = []
            var arguments: StatementArguments = []
            if let status = query.status { clauses.append("d.status = ?"); arguments += [status.rawValue] }
            if let before = query.before { clauses.append("d.id < ?"); arguments += [before] }
            let rows = try Row.fetchAll(
                Self.deliverySelect(
                    db, where: clauses.isEmpty ? "1" : clauses.joined(separator: " AND "), suffix: "ORDER BY d.id DESC LIMIT \(query.pageSize + 1)"),
                arguments: arguments)
            return query.page(try rows.map(Self.delivery))
        }
    }

    public func delivery(id: Int64) async throws -> Delivery? {
        try await pool.read { db in try Row.fetchOne(Self.deliverySelect(db, where: "d.id = ?"), arguments: [id]).map(Self.delivery) }
    }

    public func retryDelivery(id: Int64, at: Date) async throws -> Delivery? {
        try await changing([]) {
            try await writer.submit { db in
                try db.execute(
                    sql: "UPDATE deliveries SET status = 'pending', attempts = 0, next_attempt_at = ?, lease_until = NULL WHERE id = ? AND status != 'sent'",
                    arguments: [at.millis, id])
                return try Row.fetchOne(Self.deliverySelect(db, where: "d.id = ?"), arguments: [id]).map(Self.delivery)
            }
        }
    }

    /// Fails every pending delivery to a webhook endpoint that will receive nothing more.
    static func failPending(endpoint id: String, reason: String, _ db: Database) throws {
        try db.execute(
            sql:
                "UPDATE deliveries SET status = 'failed', lease_until = NULL, last_error = ? WHERE channel = 'webhook' AND destination = ? AND status = 'pending'",
            arguments: [reason, id])
    }

    static func deliverySelect(_ db: Database, where clause: String, suffix: String = "") throws -> Statement {
        try db.cachedStatement(
            sql: """
                SELECT d.*, e.id AS event_id, e.type AS event_type, e.order_id AS order_id FROM deliveries d
                JOIN outbox_events e ON e.seq = d.event_seq WHERE \(clause) \(suffix)
                """)
    }

    static func delivery(_ row: Row) throws -> Delivery {
        try Delivery.stored(
            id: row["id"], eventID: row["event_id"], eventType: row["event_type"], orderID: row["order_id"], channel: row["channel"],
            destination: row["destination"], template: row["template"], status: row["status"], attempts: row["attempts"],
            nextAttemptAtMillis: row["next_attempt_at"], lastError: row["last_error"], createdAtMillis: row["created_at"], sentAtMillis: row["sent_at"])
    }
}

// MARK: - Webhook endpoints

extension SQLiteOrderStore {
    public func addWebhookEndpoint(_ endpoint: WebhookEndpoint) async throws {
        endpointsSeen.withLock { $0 = true }
        let events = try endpoint.eventsColumn()
        try await changing([]) {
            try await writer.submit { db in
                try db.execute(
                    sql: "INSERT INTO webhook_endpoints (id, url, events, secret, enabled, created_at) VALUES (?, ?, ?, ?, 1, ?)",
                    arguments: [endpoint.id, endpoint.url, events, endpoint.secret, endpoint.createdAt.millis])
            }
        }
    }

    public func webhookEndpoints() async throws -> [WebhookEndpoint] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM webhook_endpoints WHERE deleted_at IS NULL ORDER BY created_at, id").map(Self.endpoint)
        }
    }

    public func webhookEndpoint(id: String) async throws -> WebhookEndpoint? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM webhook_endpoints WHERE id = ? AND deleted_at IS NULL", arguments: [id]).map(Self.endpoint)
        }
    }

    public func deleteWebhookEndpoint(id: String, at: Date) async throws -> Bool {
        try await changing([]) {
            try await writer.submit { db in
                try db.execute(
                    sql: "UPDATE webhook_endpoints SET deleted_at = ?, enabled = 0 WHERE id = ? AND deleted_at IS NULL", arguments: [at.millis, id])
                guard db.changesCount == 1 else { return false }
                try Self.failPending(endpoint: id, reason: NotificationRules.deletedEndpointReason, db)
                return true
            }
        }
    }

    public func enqueueWebhookTest(endpointID: String, at: Date) async throws -> Int64? {
        let outbox = outboxContext
        return try await changing([]) {
            try await writer.submit { db in
                guard let row = try Row.fetchOne(db, sql: "SELECT * FROM webhook_endpoints WHERE id = ? AND deleted_at IS NULL", arguments: [endpointID])
                else { return nil }
                return try Self.recordEvent(
                    .webhookTest, data: NotificationRules.testMessage, orderID: nil, shopper: nil, at: at, outbox, db, onlyEndpoint: Self.endpoint(row)
                )
                .first
            }
        }
    }
}
