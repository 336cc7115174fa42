import Foundation
import StoreModel

/// What a verified gateway report does to an order, decided from the order's current state inside
/// the transaction that applies it (so repeats and races are compare-and-set).
enum PaymentRules {
    struct Decision: Sendable, Hashable {
        var outcome: PaymentOutcome
        /// A status change to make (always from `created`).
        var status: OrderStatus?
        var paymentState: PaymentState?
        var instructions: ATMInstructions?
        /// The attempt whose payment the order now records.
        var paidReference: String?
        /// A review reason: sets `needsReview` and writes it to the event log.
        var review: String?
        var note: String = ""
        var reason: String

        static func nothing(_ outcome: PaymentOutcome, _ reason: String) -> Decision {
            Decision(outcome: outcome, reason: reason)
        }
    }

    static func decide(order: Order, report: PaymentReport, acceptSimulated: Bool) -> Decision {
        let reference = report.attempt.reference
        let label = "\(report.gateway.rawValue) \(reference)" + (report.gatewayTradeNo.map { " (gateway no. \($0))" } ?? "")
        switch report.kind {
        case .paid:
            if report.simulated && !acceptSimulated {
                return .nothing(.recorded, "SimulatePaid=1: a test from the gateway's back office; no money moved")
            }
            switch order.status {
            case .created:
                return Decision(
                    outcome: .applied, status: .paid, paymentState: .paid, paidReference: reference,
                    note: "paid: \(label)" + (report.simulated ? " (simulated)" : ""), reason: "paid")
            case .paid, .shipped, .delivered, .refunded:
                if order.paymentReference == nil || order.paymentReference == reference { return .nothing(.duplicate, "already paid") }
                if order.reviewReason?.contains(reference) == true { return .nothing(.duplicate, "second payment already flagged") }
                return Decision(
                    outcome: .flagged, review: "a second payment arrived for an order already paid: \(label)", reason: "second payment")
            case .expired, .cancelled:
                if order.paymentState == .late && order.paymentReference == reference { return .nothing(.duplicate, "late payment already flagged") }
                return Decision(
                    outcome: .flagged, paymentState: .late, paidReference: reference,
                    review: "payment received after the order was \(order.status.rawValue): \(label); decide whether to honour it",
                    reason: "paid after \(order.status.rawValue)")
            }
        case .paymentInfo(let atm):
            if order.paymentInstructions?.atm == atm { return .nothing(.duplicate, "ATM details already stored") }
            let state: PaymentState? = order.paymentState == .pending ? .awaitingTransfer : nil
            return Decision(outcome: .applied, paymentState: state, instructions: atm, reason: "ATM account issued")
        case .processing:
            if order.paymentState == .processing { return .nothing(.duplicate, "already processing") }
            guard order.status == .created, order.paymentState == .pending else { return .nothing(.ignored, "not waiting for payment") }
            return Decision(outcome: .applied, paymentState: .processing, reason: "checkout complete, payment processing")
        case .failed, .expired:
            let failed = report.kind == .failed
            guard order.status == .created else { return .nothing(order.status == .expired ? .duplicate : .ignored, "order is \(order.status.rawValue)") }
            return Decision(
                outcome: .applied, status: .expired, paymentState: failed ? .failed : nil,
                note: failed ? "payment failed: \(label)" : "checkout expired unpaid: \(label)", reason: failed ? "payment failed" : "checkout expired")
        }
    }
}

extension PaymentRules.Decision {
    /// Whether the decision changes the order's payment fields (`recorded(on:at:)`).
    var changesPayment: Bool { outcome == .applied || outcome == .flagged }

    /// `order` (after any status change, which `StatusRules` decides) with the decision's payment
    /// fields recorded: state, instructions, paid reference, and a review reason added to any earlier one.
    func recorded(on order: Order, at: Date) -> Order {
        var after = order
        if let paymentState { after.paymentState = paymentState }
        if let instructions { after.paymentInstructions = PaymentInstructions(atm: instructions) }
        if let paidReference { after.paymentReference = paidReference }
        if let review {
            after.needsReview = true
            after.reviewReason = [order.reviewReason, review].compactMap { $0 }.joined(separator: "; ")
        }
        after.updatedAt = at
        return after
    }
}

extension PaymentRules {
    /// The answer to a report whose gateway event id was already processed: nothing changes.
    static let alreadyProcessed = Decision.nothing(.duplicate, "event already processed")

    /// The actor written to the event log for a gateway's reports (`gateway:ecpay`).
    static func actor(_ gateway: PaymentGateway) -> String { "gateway:\(gateway.rawValue)" }
}

extension PaymentRules.Decision {
    /// The status change the decision makes to `order` for `report`, if any: by the gateway, only from `created`.
    func statusChange(of order: Order, for report: PaymentReport) -> StatusChange? {
        status.map { status in
            StatusChange(
                orderID: order.id, to: status, role: .gateway, actor: PaymentRules.actor(report.gateway), note: note, at: report.receivedAt,
                expectedFrom: .created)
        }
    }
}
