import Foundation
import Logging
import PostgresNIO
import StoreModel

// Payment attempts, gateway reports and their audit log.

extension PostgresOrderStore {
    public func recordPaymentAttempt(_ attempt: PaymentAttempt) async throws {
        try await changing([attempt.orderID]) {
            try await transaction { [self] connection in
                try await connection.query(
                    """
                    INSERT INTO payment_attempts (reference, order_id, gateway, amount_minor, created_at)
                    VALUES (\(attempt.reference), \(attempt.orderID), \(attempt.gateway.rawValue), \(attempt.amountMinor), \(attempt.createdAt.millis))
                    """, logger: logger)
            }
        }
    }

    public func paymentAttemptCount(orderID: String) async throws -> Int {
        let rows = try await client.query("SELECT count(*) FROM payment_attempts WHERE order_id = \(orderID)", logger: logger)
        for try await count in rows.decode(Int.self) { return count }
        return 0
    }

    public func paymentAttempt(reference: String) async throws -> PaymentAttempt? {
        // PostgreSQL text cannot hold NUL, so no stored reference has one.
        guard !reference.contains("\u{0}") else { return nil }
        return try await Self.attempts(
            client.query("SELECT reference, order_id, gateway, amount_minor, created_at FROM payment_attempts WHERE reference = \(reference)", logger: logger)
        ).first
    }

    public func unpaidAttempts(gateway: PaymentGateway) async throws -> [PaymentAttempt] {
        try await Self.attempts(
            client.query(
                """
                SELECT a.reference, a.order_id, a.gateway, a.amount_minor, a.created_at FROM payment_attempts a JOIN orders o ON o.id = a.order_id
                WHERE a.gateway = \(gateway.rawValue) AND o.status IN ('created', 'expired') AND o.payment_state NOT IN ('paid', 'late')
                ORDER BY a.created_at, a.reference COLLATE "C"
                """, logger: logger))
    }

    public func applyPaymentReport(_ report: PaymentReport, acceptSimulated: Bool) async throws -> PaymentOutcome {
        let outbox = outboxContext
        return try await changing([report.attempt.orderID]) {
            try await transaction { [self] connection in
                try await Self.apply(report, acceptSimulated: acceptSimulated, outbox, connection, logger)
            }
        }
    }

    public func recordPaymentRejection(_ rejection: PaymentRejection) async throws {
        try await changing([]) {
            try await transaction { [self] connection in
                try await connection.query(
                    """
                    INSERT INTO payment_notifications (received_at, gateway, source, order_id, reference, event_id, outcome, reason, raw)
                    VALUES (\(rejection.receivedAt.millis), \(rejection.gateway.rawValue), \(rejection.source.storable), \(rejection.orderID?.storable),
                        \(rejection.reference?.storable), NULL, 'rejected', \(rejection.reason.storable), \(rejection.raw.storable))
                    """, logger: logger)
            }
        }
    }

    public func paymentAudit(orderID: String?) async throws -> [PaymentAuditEntry] {
        let columns = "received_at, gateway, source, order_id, reference, event_id, outcome, reason, raw"
        let rows =
            if let orderID {
                try await client.query(
                    "SELECT \(unescaped: columns) FROM payment_notifications WHERE order_id = \(orderID) ORDER BY seq", logger: logger)
            } else {
                try await client.query("SELECT \(unescaped: columns) FROM payment_notifications ORDER BY seq", logger: logger)
            }
        var entries: [PaymentAuditEntry] = []
        for try await (at, gateway, source, order, reference, eventID, outcome, reason, raw) in rows.decode(
            (Int64, String, String, String?, String?, String?, String, String, String).self)
        {
            entries.append(
                PaymentAuditEntry(
                    receivedAt: Date(millis: at), gateway: gateway, source: source, orderID: order, reference: reference, eventID: eventID,
                    outcome: outcome, reason: reason, raw: raw))
        }
        return entries
    }
}

// MARK: - Inside a transaction

extension PostgresOrderStore {
    /// Applies `report` as `SQLiteOrderStore` does, with `PaymentRules` deciding from the order read
    /// under its row lock. The gateway's event id is taken first (`ON CONFLICT DO NOTHING`): a copy
    /// another instance is applying makes this one wait for its end, and once that one committed
    /// this is answered as the duplicate it is, never as a unique-violation error.
    static func apply(
        _ report: PaymentReport, acceptSimulated: Bool, _ outbox: OutboxContext, _ connection: PostgresConnection, _ logger: Logger
    ) async throws -> PaymentOutcome {
        let orderID = report.attempt.orderID
        if let eventID = report.eventID {
            let taken = try await connection.query(
                """
                INSERT INTO payment_events_seen (gateway, event_id, order_id, at)
                VALUES (\(report.gateway.rawValue), \(eventID.storable), \(orderID), \(report.receivedAt.millis))
                ON CONFLICT (gateway, event_id) DO NOTHING RETURNING event_id
                """, logger: logger)
            var inserted = false
            for try await _ in taken { inserted = true }
            if !inserted {
                let duplicate = PaymentRules.alreadyProcessed
                try await audit(report, outcome: duplicate.outcome, reason: duplicate.reason, connection, logger)
                return duplicate.outcome
            }
        }
        let order = try await lockOrder(connection, id: orderID, logger)
        let decision = PaymentRules.decide(order: order, report: report, acceptSimulated: acceptSimulated)
        var current = order
        if let change = decision.statusChange(of: order, for: report) {
            current = try await apply(change, to: order, outbox, connection, logger)
        }
        if decision.changesPayment {
            let after = decision.recorded(on: current, at: report.receivedAt)
            let instructions = try after.paymentInstructions?.storedJSON()
            try await connection.query(
                """
                UPDATE orders SET payment_state = \(after.paymentState.rawValue), payment_reference = \(after.paymentReference),
                    payment_info = \(instructions), needs_review = \(after.needsReview),
                    review_reason = \(after.reviewReason), updated_at = \(after.updatedAt.millis)
                WHERE id = \(orderID)
                """, logger: logger)
        }
        if let note = decision.review {
            try await appendEvent(
                connection, orderID: orderID, at: report.receivedAt, actor: PaymentRules.actor(report.gateway), from: current.status, to: current.status,
                note: note, logger)
        }
        if decision.changesPayment {
            // The status change (if any) recorded its own events in `apply`; these are the payment's.
            let after = try await Self.order(connection, id: orderID, logger)
            try await recordOrderEvents(before: current, after: after, at: report.receivedAt, outbox, connection, logger)
        }
        try await audit(report, outcome: decision.outcome, reason: decision.reason, connection, logger)
        return decision.outcome
    }

    /// Stores a gateway message with what it did, for audit.
    static func audit(_ report: PaymentReport, outcome: PaymentOutcome, reason: String, _ connection: PostgresConnection, _ logger: Logger) async throws {
        try await connection.query(
            """
            INSERT INTO payment_notifications (received_at, gateway, source, order_id, reference, event_id, outcome, reason, raw)
            VALUES (\(report.receivedAt.millis), \(report.gateway.rawValue), \(report.source), \(report.attempt.orderID),
                \(report.attempt.reference), \(report.eventID?.storable), \(outcome.rawValue), \(reason.storable), \(report.raw.storable))
            """, logger: logger)
    }

    /// The attempts of rows of (reference, order_id, gateway, amount_minor, created_at).
    static func attempts(_ rows: PostgresRowSequence) async throws -> [PaymentAttempt] {
        var attempts: [PaymentAttempt] = []
        for try await (reference, orderID, gateway, amount, created) in rows.decode((String, String, String, Int64, Int64).self) {
            attempts.append(
                PaymentAttempt(
                    reference: reference, orderID: orderID, gateway: PaymentGateway(rawValue: gateway) ?? .ecpay, amountMinor: amount,
                    createdAt: Date(millis: created)))
        }
        return attempts
    }
}

extension String {
    /// The text as PostgreSQL can store it: NUL, which its text type refuses (a hostile gateway
    /// message may hold one), becomes U+FFFD. Every other character is kept.
    var storable: String {
        contains("\u{0}") ? replacingOccurrences(of: "\u{0}", with: "\u{FFFD}") : self
    }
}
