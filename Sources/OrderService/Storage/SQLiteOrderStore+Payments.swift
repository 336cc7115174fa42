import Foundation
import GRDB
import StoreModel

extension SQLiteOrderStore {
    public func recordPaymentAttempt(_ attempt: PaymentAttempt) async throws {
        try await changing([attempt.orderID]) {
            try await writer.submit { db in
                try db.execute(
                    sql: "INSERT INTO payment_attempts (reference, order_id, gateway, amount_minor, created_at) VALUES (?, ?, ?, ?, ?)",
                    arguments: [attempt.reference, attempt.orderID, attempt.gateway.rawValue, attempt.amountMinor, attempt.createdAt.millis])
            }
        }
    }

    public func paymentAttemptCount(orderID: String) async throws -> Int {
        try await pool.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM payment_attempts WHERE order_id = ?", arguments: [orderID]) ?? 0
        }
    }

    public func paymentAttempt(reference: String) async throws -> PaymentAttempt? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM payment_attempts WHERE reference = ?", arguments: [reference]).map(Self.attempt)
        }
    }

    public func unpaidAttempts(gateway: PaymentGateway) async throws -> [PaymentAttempt] {
        try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT a.* FROM payment_attempts a JOIN orders o ON o.id = a.order_id
                    WHERE a.gateway = ? AND o.status IN ('created', 'expired') AND o.payment_state NOT IN ('paid', 'late')
                    ORDER BY a.created_at, a.reference
                    """,
                arguments: [gateway.rawValue]
            ).map(Self.attempt)
        }
    }

    public func applyPaymentReport(_ report: PaymentReport, acceptSimulated: Bool) async throws -> PaymentOutcome {
        try await changing([report.attempt.orderID]) { try await writeReport(report, acceptSimulated: acceptSimulated) }
    }

    private func writeReport(_ report: PaymentReport, acceptSimulated: Bool) async throws -> PaymentOutcome {
        let outbox = outboxContext
        return try await writer.submit { db in
            if let eventID = report.eventID,
                try Bool.fetchOne(
                    db, sql: "SELECT 1 FROM payment_events_seen WHERE gateway = ? AND event_id = ?", arguments: [report.gateway.rawValue, eventID]) == true
            {
                let duplicate = PaymentRules.alreadyProcessed
                try Self.audit(db, report: report, outcome: duplicate.outcome.rawValue, reason: duplicate.reason)
                return duplicate.outcome
            }
            let order = try Self.order(db, id: report.attempt.orderID)
            let decision = PaymentRules.decide(order: order, report: report, acceptSimulated: acceptSimulated)
            var current = order
            if let change = decision.statusChange(of: order, for: report) {
                current = try Self.apply(change, db, outbox)
            }
            if decision.changesPayment {
                let after = decision.recorded(on: current, at: report.receivedAt)
                let instructionsJSON = try after.paymentInstructions?.storedJSON()
                try db.execute(
                    sql: """
                        UPDATE orders SET payment_state = ?, payment_reference = ?, payment_info = ?, needs_review = ?, review_reason = ?, updated_at = ?
                        WHERE id = ?
                        """,
                    arguments: [
                        after.paymentState.rawValue, after.paymentReference, instructionsJSON, after.needsReview ? 1 : 0, after.reviewReason,
                        after.updatedAt.millis, order.id,
                    ])
            }
            if let note = decision.review {
                try Self.appendEvent(
                    db, orderID: order.id, at: report.receivedAt, actor: PaymentRules.actor(report.gateway), from: current.status, to: current.status,
                    note: note)
            }
            if decision.changesPayment {
                // The status change (if any) recorded its own events in `apply`; these are the payment's.
                try Self.recordOrderEvents(before: current, after: try Self.order(db, id: order.id), at: report.receivedAt, outbox, db)
            }
            if let eventID = report.eventID {
                try db.execute(
                    sql: "INSERT INTO payment_events_seen (gateway, event_id, order_id, at) VALUES (?, ?, ?, ?)",
                    arguments: [report.gateway.rawValue, eventID, order.id, report.receivedAt.millis])
            }
            try Self.audit(db, report: report, outcome: decision.outcome.rawValue, reason: decision.reason)
            return decision.outcome
        }
    }

    public func recordPaymentRejection(_ rejection: PaymentRejection) async throws {
        try await changing([]) { try await insertRejection(rejection) }
    }

    private func insertRejection(_ rejection: PaymentRejection) async throws {
        try await writer.submit { db in
            try db.execute(
                sql: """
                    INSERT INTO payment_notifications (received_at, gateway, source, order_id, reference, event_id, outcome, reason, raw)
                    VALUES (?, ?, ?, ?, ?, NULL, 'rejected', ?, ?)
                    """,
                arguments: [
                    rejection.receivedAt.millis, rejection.gateway.rawValue, rejection.source, rejection.orderID, rejection.reference,
                    rejection.reason, rejection.raw,
                ])
        }
    }

    public func paymentAudit(orderID: String?) async throws -> [PaymentAuditEntry] {
        try await pool.read { db in
            let rows: [Row]
            if let orderID {
                rows = try Row.fetchAll(db, sql: "SELECT * FROM payment_notifications WHERE order_id = ? ORDER BY seq", arguments: [orderID])
            } else {
                rows = try Row.fetchAll(db, sql: "SELECT * FROM payment_notifications ORDER BY seq")
            }
            return rows.map { row in
                PaymentAuditEntry(
                    receivedAt: Date(millis: row["received_at"]), gateway: row["gateway"], source: row["source"], orderID: row["order_id"],
                    reference: row["reference"], eventID: row["event_id"], outcome: row["outcome"], reason: row["reason"], raw: row["raw"])
            }
        }
    }

    static func audit(_ db: Database, report: PaymentReport, outcome: String, reason: String) throws {
        try db.execute(
            sql: """
                INSERT INTO payment_notifications (received_at, gateway, source, order_id, reference, event_id, outcome, reason, raw)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                report.receivedAt.millis, report.gateway.rawValue, report.source, report.attempt.orderID, report.attempt.reference,
                report.eventID, outcome, reason, report.raw,
            ])
    }

    static func attempt(_ row: Row) -> PaymentAttempt {
        PaymentAttempt(
            reference: row["reference"], orderID: row["order_id"], gateway: PaymentGateway(rawValue: row["gateway"]) ?? .ecpay,
            amountMinor: row["amount_minor"], createdAt: Date(millis: row["created_at"]))
    }
}
