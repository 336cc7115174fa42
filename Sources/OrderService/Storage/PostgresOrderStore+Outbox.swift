import Foundation
import Logging
import PostgresNIO
import StoreModel

// The notification outbox on PostgreSQL, as `SQLiteOrderStore+Outbox.swift` does it on SQLite;
// the decisions come from `NotificationRules`. Several instances may deliver from one database:
// `fanOutEvents` takes its events with `FOR UPDATE SKIP LOCKED` and marks them in the same
// transaction, and `claimDeliveries` leases with a conditional `UPDATE`, so no event is fanned out
// twice and no delivery is leased to two instances.

// MARK: - Delivering

extension PostgresOrderStore {
    public func fanOutEvents(now: Date, limit: Int) async throws -> Int {
        guard limit > 0 else { return 0 }
        let routing = routing
        return try await changing([]) {
            try await transaction { [logger] connection in
                // Another instance's events are locked, so skipped; one it fanned out and committed
                // meanwhile is re-checked by `FOR UPDATE` and no longer matches `NOT fanned_out`.
                let rows = try await connection.query(
                    """
                    SELECT seq, type, created_at, shopper_email, payment_method FROM outbox_events WHERE NOT fanned_out
                    ORDER BY seq LIMIT \(limit) FOR UPDATE SKIP LOCKED
                    """, logger: logger)
                var events: [(seq: Int64, type: String, createdAt: Int64, shopperEmail: String?, paymentMethod: String?)] = []
                for try await (seq, type, createdAt, shopperEmail, paymentMethod) in rows.decode((Int64, String, Int64, String?, String?).self) {
                    events.append((seq, type, createdAt, shopperEmail, paymentMethod))
                }
                guard !events.isEmpty else { return 0 }
                let endpoints = try await Self.activeEndpoints(connection, logger)
                for event in events {
                    let destinations = NotificationRules.destinations(
                        ofStored: event.type, shopperEmail: event.shopperEmail, paymentMethod: event.paymentMethod, routing: routing, endpoints: endpoints)
                    try await Self.insertDeliveries(destinations, eventSeq: event.seq, createdAt: Date(millis: event.createdAt), due: now, connection, logger)
                }
                try await connection.query("UPDATE outbox_events SET fanned_out = TRUE WHERE seq = ANY(\(events.map { $0.seq }))", logger: logger)
                return events.count
            }
        }
    }

    public func dueDeliveries(now: Date, lane: DeliveryLane, limit: Int) async throws -> [DueDelivery] {
        guard limit > 0 else { return [] }
        let (channel, endpoint): (DeliveryChannel, String?) =
            switch lane {
            case .email: (.email, nil)
            case .webhook(let id): (.webhook, id)
            }
        let query: PostgresQuery = """
            SELECT \(unescaped: Self.deliveryColumns), e.payload FROM \(unescaped: Self.deliveryJoin)
            WHERE d.channel = \(channel.rawValue) AND (\(endpoint)::text IS NULL OR d.destination = \(endpoint))
                AND d.status = 'pending' AND d.next_attempt_at <= \(now.millis) AND (d.lease_until IS NULL OR d.lease_until <= \(now.millis))
            ORDER BY d.next_attempt_at, d.id LIMIT \(limit)
            """
        return try await client.withConnection { [logger] connection in
            var due: [DueDelivery] = []
            for try await row in try await connection.query(query, logger: logger) {
                let row = row.makeRandomAccess()
                due.append(DueDelivery(delivery: try Self.delivery(row), payload: try row["payload"].decode(Data.self)))
            }
            return due
        }
    }

    public func claimDeliveries(ids: [Int64], now: Date, until: Date) async throws -> Set<Int64> {
        guard !ids.isEmpty else { return [] }
        return try await changing([]) {
            try await transaction { [logger] connection in
                // A row another instance is leasing at this moment waits for its commit and is then
                // re-checked: its new lease no longer matches, so it is not leased twice.
                let rows = try await connection.query(
                    """
                    UPDATE deliveries SET lease_until = \(until.millis)
                    WHERE id = ANY(\(ids)) AND status = 'pending' AND next_attempt_at <= \(now.millis)
                        AND (lease_until IS NULL OR lease_until <= \(now.millis))
                    RETURNING id
                    """, logger: logger)
                var claimed: Set<Int64> = []
                for try await id in rows.decode(Int64.self) { claimed.insert(id) }
                return claimed
            }
        }
    }

    public func finishDelivery(id: Int64, outcome: DeliveryOutcome, at: Date) async throws {
        let outbox = outboxContext
        try await changing([]) {
            try await transaction { [logger] connection in
                switch outcome {
                case .sent:
                    try await connection.query(
                        """
                        UPDATE deliveries SET status = 'sent', attempts = attempts + 1, sent_at = \(at.millis), lease_until = NULL, last_error = NULL
                        WHERE id = \(id)
                        """, logger: logger)
                case .retry(let next, let error):
                    try await connection.query(
                        """
                        UPDATE deliveries SET attempts = attempts + 1, next_attempt_at = \(next.millis), lease_until = NULL, last_error = \(error)
                        WHERE id = \(id)
                        """, logger: logger)
                case .failed(let error, let disableEndpoint, let alertOwner):
                    try await connection.query(
                        "UPDATE deliveries SET status = 'failed', attempts = attempts + 1, lease_until = NULL, last_error = \(error) WHERE id = \(id)",
                        logger: logger)
                    guard let delivery = try await Self.delivery(connection, id: id, logger) else { return }
                    let effects = NotificationRules.givingUp(delivery, error: error, disableEndpoint: disableEndpoint, alertOwner: alertOwner)
                    if let disable = effects.disable {
                        try await connection.query(
                            "UPDATE webhook_endpoints SET enabled = FALSE, disabled_reason = \(disable.reason) WHERE id = \(disable.endpointID)",
                            logger: logger)
                        try await Self.failPending(endpoint: disable.endpointID, reason: disable.orphanedReason, connection, logger)
                    }
                    if let alert = effects.ownerAlert {
                        try await Self.recordEvent(
                            .deliveryFailed, data: alert, orderID: delivery.orderID, shopper: nil, at: at, outbox, connection, logger, fanOutNow: true)
                    }
                }
            }
        }
    }

    public func deliveries(_ query: DeliveryQuery) async throws -> (deliveries: [Delivery], next: Int64?) {
        let status = query.status?.rawValue
        let rows = try await client.query(
            """
            SELECT \(unescaped: Self.deliveryColumns) FROM \(unescaped: Self.deliveryJoin)
            WHERE (\(status)::text IS NULL OR d.status = \(status)) AND (\(query.before)::bigint IS NULL OR d.id < \(query.before))
            ORDER BY d.id DESC LIMIT \(query.pageSize + 1)
            """, logger: logger)
        var deliveries: [Delivery] = []
        for try await row in rows { deliveries.append(try Self.delivery(row.makeRandomAccess())) }
        return query.page(deliveries)
    }

    public func delivery(id: Int64) async throws -> Delivery? {
        try await client.withConnection { [logger] connection in try await Self.delivery(connection, id: id, logger) }
    }

    public func retryDelivery(id: Int64, at: Date) async throws -> Delivery? {
        try await changing([]) {
            try await transaction { [logger] connection in
                try await connection.query(
                    """
                    UPDATE deliveries SET status = 'pending', attempts = 0, next_attempt_at = \(at.millis), lease_until = NULL
                    WHERE id = \(id) AND status != 'sent'
                    """, logger: logger)
                return try await Self.delivery(connection, id: id, logger)
            }
        }
    }
}

// MARK: - Rows

extension PostgresOrderStore {
    /// The columns `delivery(_:)` reads, from `deliveryJoin`.
    static let deliveryColumns = """
        d.id, e.id AS event_id, e.type AS event_type, e.order_id, d.channel, d.destination, d.template, d.status, d.attempts,
        d.next_attempt_at, d.last_error, d.created_at, d.sent_at
        """

    /// Deliveries joined with their events.
    static let deliveryJoin = "deliveries d JOIN outbox_events e ON e.seq = d.event_seq"

    /// Makes one pending delivery per destination, in their order; returns their ids.
    @discardableResult
    static func insertDeliveries(
        _ destinations: [NotificationRules.Destination], eventSeq: Int64, createdAt: Date, due: Date, _ connection: PostgresConnection,
        _ logger: Logger
    ) async throws -> [Int64] {
        var ids: [Int64] = []
        for destination in destinations {
            let rows = try await connection.query(
                """
                INSERT INTO deliveries (event_seq, channel, destination, template, status, attempts, next_attempt_at, created_at)
                VALUES (\(eventSeq), \(destination.channel.rawValue), \(destination.destination), \(destination.template), 'pending', 0, \(due.millis),
                    \(createdAt.millis))
                RETURNING id
                """, logger: logger)
            for try await id in rows.decode(Int64.self) { ids.append(id) }
        }
        return ids
    }

    /// Fails every pending delivery to a webhook endpoint that will receive nothing more.
    static func failPending(endpoint id: String, reason: String, _ connection: PostgresConnection, _ logger: Logger) async throws {
        try await connection.query(
            """
            UPDATE deliveries SET status = 'failed', lease_until = NULL, last_error = \(reason)
            WHERE channel = 'webhook' AND destination = \(id) AND status = 'pending'
            """, logger: logger)
    }

    /// One delivery with its event's id and type, `nil` when unknown.
    static func delivery(_ connection: PostgresConnection, id: Int64, _ logger: Logger) async throws -> Delivery? {
        let rows = try await connection.query(
            "SELECT \(unescaped: deliveryColumns) FROM \(unescaped: deliveryJoin) WHERE d.id = \(id)", logger: logger)
        for try await row in rows { return try delivery(row.makeRandomAccess()) }
        return nil
    }

    /// A delivery from a row of `deliveryColumns`.
    static func delivery(_ row: PostgresRandomAccessRow) throws -> Delivery {
        try Delivery.stored(
            id: row["id"].decode(Int64.self), eventID: row["event_id"].decode(String.self), eventType: row["event_type"].decode(String.self),
            orderID: row["order_id"].decode(String?.self), channel: row["channel"].decode(String.self), destination: row["destination"].decode(String.self),
            template: row["template"].decode(String?.self), status: row["status"].decode(String.self), attempts: row["attempts"].decode(Int.self),
            nextAttemptAtMillis: row["next_attempt_at"].decode(Int64.self), lastError: row["last_error"].decode(String?.self),
            createdAtMillis: row["created_at"].decode(Int64.self), sentAtMillis: row["sent_at"].decode(Int64?.self))
    }
}
