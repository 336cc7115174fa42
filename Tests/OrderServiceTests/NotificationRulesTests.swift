import Foundation
import Notifications
import StoreModel
import Testing

@testable import OrderService

/// `NotificationRules`: which events a change causes and who hears of each, on values alone.
@Suite("Notification rules", .timeLimit(.minutes(2)))
struct NotificationRulesTests {
    static func order(_ method: PaymentMethod = .creditCard) -> Order { StatusRulesTests.order(method) }

    @Test("a new order is order.created; an ATM account, a state change and a review flag each add their event once")
    func orderEvents() {
        let created = Self.order(.atm)
        #expect(NotificationRules.orderEvents(before: nil, after: created) == [.orderCreated])
        var withAccount = created
        withAccount.paymentInstructions = PaymentInstructions(atm: ATMInstructions(bankCode: "812", vAccount: "123", expireDate: "2026/12/31"))
        #expect(NotificationRules.orderEvents(before: created, after: withAccount) == [.orderPaymentInfo])
        #expect(NotificationRules.orderEvents(before: withAccount, after: withAccount).isEmpty, "the same account twice is one event")
        var paid = withAccount
        paid.status = .paid
        paid.needsReview = true
        #expect(NotificationRules.orderEvents(before: withAccount, after: paid) == [.orderPaid, .orderNeedsReview])
        let expected: [OrderStatus: NotificationEventType] = [
            .shipped: .orderShipped, .delivered: .orderDelivered, .cancelled: .orderCancelled, .expired: .orderExpired, .refunded: .orderRefunded,
        ]
        for (status, event) in expected {
            var after = created
            after.status = status
            #expect(NotificationRules.orderEvents(before: created, after: after) == [event], "\(status)")
        }
    }

    @Test("stock.low fires once at or below the threshold and re-arms only above it")
    func stockAlerts() {
        #expect(NotificationRules.stockAlert(available: 3, threshold: 3, alerted: false) == .alert)
        #expect(NotificationRules.stockAlert(available: 0, threshold: 3, alerted: true) == .none)
        #expect(NotificationRules.stockAlert(available: 3, threshold: 3, alerted: true) == .none)
        #expect(NotificationRules.stockAlert(available: 4, threshold: 3, alerted: true) == .rearm)
        #expect(NotificationRules.stockAlert(available: 4, threshold: 3, alerted: false) == .none)
        #expect(NotificationRules.stockAlert(available: 0, threshold: nil, alerted: false) == .none, "no threshold, no alert")
        #expect(NotificationRules.stockAlert(available: 0, threshold: nil, alerted: true) == .rearm, "a removed threshold lowers the flag")
    }

    @Test("one destination per e-mail recipient and per subscribed, enabled endpoint")
    func destinations() {
        let routing = NotificationRouting(emailEnabled: true, ownerEmails: ["a@shop.tw", "b@shop.tw"])
        let all = WebhookEndpoint(id: "we_all", url: "https://x.example/h", events: nil, secret: "s", enabled: true, disabledReason: nil, createdAt: Date())
        var paidOnly = all
        paidOnly.id = "we_paid"
        paidOnly.events = [.orderPaid]
        var off = all
        off.id = "we_off"
        off.enabled = false
        let created = NotificationRules.destinations(
            of: .orderCreated, shopperEmail: "s@example.com", paymentMethod: .atm, routing: routing, endpoints: [all, paidOnly, off])
        #expect(created.map(\.destination) == ["s@example.com", "a@shop.tw", "b@shop.tw", "we_all"])
        #expect(created.map(\.template) == ["order-received", "owner-new-order", "owner-new-order", nil])
        let paid = NotificationRules.destinations(
            of: .orderPaid, shopperEmail: "s@example.com", paymentMethod: .creditCard, routing: .webhooksOnly, endpoints: [all, paidOnly, off])
        #expect(paid.map(\.destination) == ["we_all", "we_paid"], "no e-mail without SMTP")
        let alert = NotificationRules.destinations(of: .deliveryFailed, shopperEmail: nil, paymentMethod: nil, routing: routing, endpoints: [all])
        #expect(alert.map(\.destination) == ["a@shop.tw", "b@shop.tw"], "a failed delivery is never itself a webhook")
        let delivered = NotificationRules.destinations(
            of: .orderDelivered, shopperEmail: "s@example.com", paymentMethod: .creditCard, routing: routing, endpoints: [])
        #expect(delivered.isEmpty)
    }

    @Test("a failure is retried on the schedule, after Retry-After, and given up (telling the owner) after the last attempt")
    func afterFailure() {
        var random = SystemRandomNumberGenerator()
        let now = Date(timeIntervalSince1970: 1_000_000)
        guard
            case .retry(let at, let error) = NotificationRules.afterFailure(
                attempts: 1, error: "503", retryAfter: .seconds(600), schedule: .webhooks, now: now, using: &random)
        else {
            Issue.record("expected a retry")
            return
        }
        #expect(error == "503")
        #expect(at.timeIntervalSince(now) >= 600)
        let last = NotificationRules.afterFailure(
            attempts: RetrySchedule.webhooks.maxAttempts, error: "503", retryAfter: nil, schedule: .webhooks, now: now, using: &random)
        guard case .failed(let reason, let disable, let alert) = last else {
            Issue.record("expected giving up, got \(last)")
            return
        }
        #expect(reason.contains("503") && !disable && alert)
    }
}
