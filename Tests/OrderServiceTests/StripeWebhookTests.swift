import Foundation
import PaymentProtocols
import StoreModel
import Testing

@testable import OrderService

@Suite("Stripe webhooks over real HTTP", .timeLimit(.minutes(2)))
struct StripeWebhookTests {
    /// A Stripe order through the sandbox: its id and Checkout Session id.
    static func stripeOrder(_ world: PaymentWorld, items: [(String, Int)] = [("APPLE-1", 2)]) async throws -> (id: String, session: String) {
        let (id, step) = try await world.placeOrder(method: "stripe", items: items)
        return (id, try #require(step["url"].string?.split(separator: "/").last.map(String.init)))
    }

    @Test("refused: stale and future timestamps, a body changed after signing, an unknown session, a wrong amount; nothing changes")
    func refusals() async throws {
        try await PaymentWorld.run { world in
            let (id, session) = try await Self.stripeOrder(world)
            let before = try await world.stored(id)
            let completed = "checkout.session.completed"
            #expect(
                try await world.stripeEvent(type: completed, session: session, orderID: id, amount: 35000, signedAt: world.clock.now.addingTimeInterval(-301))
                    .status == 400)
            #expect(
                try await world.stripeEvent(type: completed, session: session, orderID: id, amount: 35000, signedAt: world.clock.now.addingTimeInterval(301))
                    .status == 400)
            #expect(try await world.stripeEvent(type: completed, session: "cs_test_unknown", orderID: id, amount: 35000).status == 400)
            #expect(try await world.stripeEvent(type: completed, session: session, orderID: id, amount: 100).status == 400)
            #expect(try await world.stripeEvent(type: completed, session: session, orderID: id, amount: 35000, header: { _ in "v1=abc" }).status == 400)

            let body =
                #"{"id":"evt_x","type":"checkout.session.completed","data":{"object":{"id":"\#(session)","amount_total":35000,"currency":"twd","payment_status":"paid","metadata":{"order_id":"\#(id)"}}}}"#
            let header = StripeSignature.header(payload: Array(body.utf8), secret: world.webhookSecret, timestamp: Int64(world.clock.now.timeIntervalSince1970))
            let modified = body.replacingOccurrences(of: "35000", with: "35001")
            let tampered = try await world.post(
                world.api + "/payment/stripe/webhook", body: modified, contentType: "application/json", headers: [("Stripe-Signature", header)])
            #expect(tampered.status == 400 && tampered.body.contains("no v1 signature matches"))

            let after = try await world.stored(id)
            #expect(after.order == before.order && after.events == before.events)
            let audit = try await world.store.paymentAudit(orderID: nil)
            #expect(audit.count == 6 && audit.allSatisfy { $0.outcome == "rejected" })
            #expect(audit.filter { $0.reason.contains("timestamp outside the tolerance") }.count == 2)
        }
    }

    @Test("any v1 may match; the same event id twice is applied once")
    func multipleSignaturesAndDedup() async throws {
        try await PaymentWorld.run { world in
            let (id, session) = try await Self.stripeOrder(world)
            let event = "evt_dedup_1"
            let first = try await world.stripeEvent(
                type: "checkout.session.completed", session: session, orderID: id, amount: 35000, eventID: event,
                header: { $0.replacingOccurrences(of: ",v1=", with: ",v1=\(String(repeating: "0", count: 64)),v0=ff,v1=") })
            #expect(first.status == 200 && first.body.contains("applied"))
            let again = try await world.stripeEvent(type: "checkout.session.completed", session: session, orderID: id, amount: 35000, eventID: event)
            #expect(again.status == 200 && again.body.contains("duplicate"))
            let stored = try await world.stored(id)
            #expect(stored.order.status == .paid && stored.events.filter { $0.to == .paid }.count == 1)
            #expect(stored.audit.map(\.outcome) == ["applied", "duplicate"])
        }
    }

    @Test("payment_status unpaid waits; async_payment_succeeded pays; async_payment_failed expires and releases stock")
    func asyncPayments() async throws {
        try await PaymentWorld.run { world in
            let (id, session) = try await Self.stripeOrder(world)
            let unpaid = try await world.stripeEvent(type: "checkout.session.completed", session: session, orderID: id, amount: 35000, paymentStatus: "unpaid")
            #expect(unpaid.status == 200)
            var order = try await world.lookup(id)
            #expect(order["status"].string == "created" && order["payment"]["state"].string == "processing")
            #expect(try await world.stripeEvent(type: "checkout.session.async_payment_succeeded", session: session, orderID: id, amount: 35000).status == 200)
            order = try await world.lookup(id)
            #expect(order["status"].string == "paid" && order["payment"]["state"].string == "paid")

            let stock = try await world.store.stockLevels()["CHERRY-3"]?.available
            let (failedID, failedSession) = try await Self.stripeOrder(world, items: [("CHERRY-3", 1)])
            #expect(
                try await world.stripeEvent(
                    type: "checkout.session.completed", session: failedSession, orderID: failedID, amount: 53000, paymentStatus: "unpaid"
                ).status == 200)
            #expect(
                try await world.stripeEvent(type: "checkout.session.async_payment_failed", session: failedSession, orderID: failedID, amount: 53000).status
                    == 200)
            let failed = try await world.lookup(failedID)
            #expect(failed["status"].string == "expired" && failed["payment"]["state"].string == "failed")
            #expect(try await world.store.stockLevels()["CHERRY-3"]?.available == stock)
            // A late success for the failed order is recorded and flagged, not lost.
            #expect(
                try await world.stripeEvent(type: "checkout.session.async_payment_succeeded", session: failedSession, orderID: failedID, amount: 53000).status
                    == 200)
            #expect(try await world.lookup(failedID)["needsReview"].bool == true)
            let ignored = try await world.stripeEvent(type: "payment_intent.created", session: failedSession, orderID: failedID, amount: 53000)
            #expect(ignored.status == 200 && ignored.body.contains("ignored"))
        }
    }
}
