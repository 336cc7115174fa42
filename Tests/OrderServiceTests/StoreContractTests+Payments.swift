import Foundation
import StoreModel
import Testing

@testable import OrderService

/// The payment half of the `OrderStore` contract, on SQLite and PostgreSQL alike.
extension StoreContractTests {
    @Test("payment attempts: recorded, counted, looked up; unpaid ones per gateway, oldest first", arguments: StoreKind.allCases)
    func attempts(kind: StoreKind) async throws {
        try await kind.withStore { store in
            let open = try await Contract.place(Contract.order([("X", 1)]), in: store)
            let other = try await Contract.place(Contract.order([("X", 1)]), in: store)
            let paid = try await Contract.place(Contract.order([("X", 1)]), in: store)
            let expired = try await Contract.place(Contract.order([("X", 1)], expiresAt: Date(timeIntervalSince1970: 1)), in: store)
            let attempts = [
                Contract.attempt("A1", order: open.id, at: 1), Contract.attempt("A2", order: open.id, at: 2), Contract.attempt("A0", order: other.id, at: 2),
                Contract.attempt("S1", order: other.id, gateway: .stripe, at: 1), Contract.attempt("A3", order: paid.id, at: 1),
                Contract.attempt("A4", order: expired.id, at: 0.5),
            ]
            for attempt in attempts { try await store.recordPaymentAttempt(attempt) }
            await #expect(throws: (any Error).self) { try await store.recordPaymentAttempt(Contract.attempt("A1", order: other.id)) }
            _ = try await store.transition(Contract.admin(paid.id, to: .paid))
            #expect(try await store.expireDueOrders(now: Date(timeIntervalSince1970: 2)) == [expired.id])

            #expect(try await store.paymentAttemptCount(orderID: open.id) == 2)
            #expect(try await store.paymentAttemptCount(orderID: paid.id) == 1)
            #expect(try await store.paymentAttemptCount(orderID: "nope") == 0)
            #expect(try await store.paymentAttempt(reference: "A1") == attempts[0])
            #expect(try await store.paymentAttempt(reference: "a1") == nil)
            #expect(try await store.unpaidAttempts(gateway: .ecpay).map(\.reference) == ["A4", "A1", "A0", "A2"])
            #expect(try await store.unpaidAttempts(gateway: .stripe) == [attempts[3]])

            // A late payment is recorded on the expired order: its attempt is no longer unpaid.
            let late = Contract.report(.paid, reference: "A4", order: expired.id)
            #expect(try await store.applyPaymentReport(late, acceptSimulated: false) == .flagged)
            #expect(try await store.unpaidAttempts(gateway: .ecpay).map(\.reference) == ["A1", "A0", "A2"])
        }
    }

    @Test("reports on a card order: simulated, processing, paid, repeats, a second payment, a failure after payment", arguments: StoreKind.allCases)
    func reports(kind: StoreKind) async throws {
        try await kind.withStore(notifications: Contract.routing) { store in
            try await store.seedStock(["X": 10])
            let order = try await Contract.place(Contract.order([("X", 2)]), in: store)
            let apply = { (report: PaymentReport, simulated: Bool) in try await store.applyPaymentReport(report, acceptSimulated: simulated) }
            #expect(try await apply(Contract.report(.paid, reference: "R1", order: order.id, simulated: true), false) == .recorded)
            #expect(try await store.order(id: order.id) == order)
            #expect(try await apply(Contract.report(.processing, reference: "R1", order: order.id), false) == .applied)
            #expect(try await store.order(id: order.id).paymentState == .processing)
            #expect(try await apply(Contract.report(.processing, reference: "R1", order: order.id), false) == .duplicate)
            #expect(try await apply(Contract.report(.paid, reference: "R1", order: order.id, at: 4), false) == .applied)
            var expected = order
            expected.status = .paid
            expected.paymentState = .paid
            expected.paymentReference = "R1"
            expected.updatedAt = Date(timeIntervalSince1970: 4)
            #expect(try await store.order(id: order.id) == expected)
            #expect(
                try await store.events(orderID: order.id).last
                    == OrderEvent(
                        at: Date(timeIntervalSince1970: 4), actor: "gateway:ecpay", from: .created, to: .paid, note: "paid: ecpay R1 (gateway no. T1)"))
            #expect(try await store.stockLevels()["X"] == StockLevel(sku: "X", available: 8, reserved: 0, sold: 2, received: 10))
            #expect(try await apply(Contract.report(.paid, reference: "R1", order: order.id), false) == .duplicate)

            #expect(try await apply(Contract.report(.paid, reference: "R2", order: order.id, at: 5), false) == .flagged)
            let review = "a second payment arrived for an order already paid: ecpay R2 (gateway no. T1)"
            expected.needsReview = true
            expected.reviewReason = review
            expected.updatedAt = Date(timeIntervalSince1970: 5)
            #expect(try await store.order(id: order.id) == expected)
            #expect(
                try await store.events(orderID: order.id).last
                    == OrderEvent(at: Date(timeIntervalSince1970: 5), actor: "gateway:ecpay", from: .paid, to: .paid, note: review))
            #expect(try await apply(Contract.report(.paid, reference: "R2", order: order.id), false) == .duplicate)
            #expect(try await apply(Contract.report(.failed, reference: "R1", order: order.id), false) == .ignored)
            #expect(try await store.order(id: order.id) == expected)
            #expect(try await store.events(orderID: order.id).count == 3)
            #expect(try await Contract.outboxTypes(store, order: order.id) == ["order.created", "order.paid", "order.needs_review"])
            #expect(try await Contract.outbox(store).last?.reviewReason == review)

            let audit = try await store.paymentAudit(orderID: order.id)
            #expect(audit.map(\.outcome) == ["recorded", "applied", "duplicate", "applied", "duplicate", "flagged", "duplicate", "ignored"])
            #expect(audit.map(\.reason)[2...3] == ["already processing", "paid"])
            #expect(
                audit[3]
                    == PaymentAuditEntry(
                        receivedAt: Date(timeIntervalSince1970: 4), gateway: "ecpay", source: "notify", orderID: order.id, reference: "R1", eventID: nil,
                        outcome: "applied", reason: "paid", raw: "raw R1"))
        }
    }

    @Test("event ids deduplicate; failures expire and release; late and simulated payments; ATM details; rejections", arguments: StoreKind.allCases)
    func reportKinds(kind: StoreKind) async throws {
        try await kind.withStore(notifications: Contract.routing) { store in
            try await store.seedStock(["X": 10])
            let apply = { (report: PaymentReport) in try await store.applyPaymentReport(report, acceptSimulated: false) }
            let stripe = try await Contract.place(Contract.order([("X", 1)], method: .stripe), in: store)
            #expect(try await apply(Contract.report(.paid, reference: "S1", order: stripe.id, eventID: "evt_1", gateway: .stripe)) == .applied)
            #expect(try await apply(Contract.report(.failed, reference: "S1", order: stripe.id, eventID: "evt_1", gateway: .stripe)) == .duplicate)
            #expect(try await store.order(id: stripe.id).status == .paid)
            let last = try #require(try await store.paymentAudit(orderID: stripe.id).last)
            #expect(last.eventID == "evt_1" && last.outcome == "duplicate" && last.reason == "event already processed")

            let failing = try await Contract.place(Contract.order([("X", 2)], method: .stripe), in: store)
            #expect(try await apply(Contract.report(.failed, reference: "S2", order: failing.id, eventID: "evt_2", gateway: .stripe)) == .applied)
            let failed = try await store.order(id: failing.id)
            #expect(failed.status == .expired && failed.paymentState == .failed)
            #expect(
                try await store.events(orderID: failing.id).last
                    == OrderEvent(
                        at: Date(timeIntervalSince1970: 3), actor: "gateway:stripe", from: .created, to: .expired,
                        note: "payment failed: stripe S2 (gateway no. T1)"))
            #expect(try await apply(Contract.report(.expired, reference: "S2", order: failing.id, eventID: "evt_3", gateway: .stripe)) == .duplicate)
            #expect(try await store.stockLevels()["X"] == StockLevel(sku: "X", available: 9, reserved: 0, sold: 1, received: 10))

            let late = try await Contract.place(Contract.order([("X", 1)], expiresAt: Date(timeIntervalSince1970: 2)), in: store)
            _ = try await store.expireDueOrders(now: Date(timeIntervalSince1970: 2))
            #expect(try await apply(Contract.report(.paid, reference: "L1", order: late.id)) == .flagged)
            let flagged = try await store.order(id: late.id)
            #expect(flagged.status == .expired && flagged.paymentState == .late && flagged.paymentReference == "L1" && flagged.needsReview)
            #expect(flagged.reviewReason == "payment received after the order was expired: ecpay L1 (gateway no. T1); decide whether to honour it")
            #expect(try await apply(Contract.report(.paid, reference: "L1", order: late.id)) == .duplicate)
            #expect(try await store.stockLevels()["X"]?.sold == 1, "a late payment takes no stock until the owner honours it")

            let simulated = try await Contract.place(Contract.order([("X", 1)]), in: store)
            let test = Contract.report(.paid, reference: "M1", order: simulated.id, simulated: true)
            #expect(try await store.applyPaymentReport(test, acceptSimulated: true) == .applied)
            #expect(try await store.events(orderID: simulated.id).last?.note == "paid: ecpay M1 (gateway no. T1) (simulated)")

            let atmOrder = try await Contract.place(Contract.order([("X", 1)], method: .atm), in: store)
            let atm = ATMInstructions(bankCode: "812", vAccount: "9103522175887271", expireDate: "2026/12/31")
            #expect(try await apply(Contract.report(.paymentInfo(atm), reference: "T1", order: atmOrder.id)) == .applied)
            let issued = try await store.order(id: atmOrder.id)
            #expect(issued.paymentState == .awaitingTransfer && issued.paymentInstructions == PaymentInstructions(atm: atm) && issued.status == .created)
            #expect(try await apply(Contract.report(.paymentInfo(atm), reference: "T1", order: atmOrder.id)) == .duplicate)
            #expect(try await Contract.outboxTypes(store, order: atmOrder.id) == ["order.created", "order.payment_info"])

            let auditCount = try await store.paymentAudit(orderID: nil).count
            await #expect(throws: StoreError.orderNotFound) { try await apply(Contract.report(.paid, reference: "Z", order: "nope", eventID: "evt_9")) }
            #expect(try await store.paymentAudit(orderID: nil).count == auditCount)
            let rejections = [
                PaymentRejection(
                    gateway: .ecpay, source: "notify", orderID: atmOrder.id, reference: "T1", reason: "bad MAC", raw: "x=1",
                    receivedAt: Date(timeIntervalSince1970: 9)),
                PaymentRejection(
                    gateway: .stripe, source: "webhook", orderID: nil, reference: nil, reason: "bad signature", raw: "{}",
                    receivedAt: Date(timeIntervalSince1970: 10)),
            ]
            for rejection in rejections { try await store.recordPaymentRejection(rejection) }
            let all = try await store.paymentAudit(orderID: nil)
            #expect(all.count == auditCount + 2)
            #expect(
                Array(all.suffix(2)) == [
                    PaymentAuditEntry(
                        receivedAt: Date(timeIntervalSince1970: 9), gateway: "ecpay", source: "notify", orderID: atmOrder.id, reference: "T1", eventID: nil,
                        outcome: "rejected", reason: "bad MAC", raw: "x=1"),
                    PaymentAuditEntry(
                        receivedAt: Date(timeIntervalSince1970: 10), gateway: "stripe", source: "webhook", orderID: nil, reference: nil, eventID: nil,
                        outcome: "rejected", reason: "bad signature", raw: "{}"),
                ])
            #expect(try await store.paymentAudit(orderID: atmOrder.id).map(\.outcome) == ["applied", "duplicate", "rejected"])
            #expect(try await store.paymentAudit(orderID: "nope") == [])
        }
    }
}
