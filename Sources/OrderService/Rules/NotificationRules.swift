import Foundation
import Notifications
import StoreModel

/// Which events a change causes and who hears of each: pure functions that every store shares.
public enum NotificationRules {
    /// The events of an order going from `before` (`nil` when it is new) to `after`.
    public static func orderEvents(before: Order?, after: Order) -> [NotificationEventType] {
        guard let before else { return [.orderCreated] + (after.paymentInstructions?.atm != nil ? [.orderPaymentInfo] : []) }
        var events: [NotificationEventType] = []
        if before.paymentInstructions?.atm == nil, after.paymentInstructions?.atm != nil { events.append(.orderPaymentInfo) }
        if before.status != after.status, let event = statusEvent(after.status) { events.append(event) }
        if !before.needsReview, after.needsReview { events.append(.orderNeedsReview) }
        return events
    }

    /// The event of arriving in `status`.
    static func statusEvent(_ status: OrderStatus) -> NotificationEventType? {
        switch status {
        case .created: nil
        case .paid: .orderPaid
        case .shipped: .orderShipped
        case .delivered: .orderDelivered
        case .cancelled: .orderCancelled
        case .expired: .orderExpired
        case .refunded: .orderRefunded
        }
    }

    /// What a SKU's low-stock flag does after its available stock changed.
    public enum StockAlert: Sendable, Hashable {
        /// Fire `stock.low` and raise the flag.
        case alert
        /// The stock is back above the threshold: lower the flag so the next fall fires again.
        case rearm
        /// Nothing.
        case none
    }

    /// `stock.low` fires once when `available` falls to or below `threshold`, and again only after
    /// the stock has been above it (`alerted` is the SKU's flag).
    public static func stockAlert(available: Int, threshold: Int?, alerted: Bool) -> StockAlert {
        guard let threshold else { return alerted ? .rearm : .none }
        if available <= threshold { return alerted ? .none : .alert }
        return alerted ? .rearm : .none
    }

    /// The shopper's e-mail for an event, if the shopper hears of it.
    public static func shopperTemplate(_ type: NotificationEventType, paymentMethod: PaymentMethod?) -> String? {
        switch type {
        case .orderCreated: "order-received"
        case .orderPaymentInfo: "order-payment-info"
        case .orderPaid: paymentMethod == .cashOnDelivery ? nil : "order-paid"
        case .orderShipped: "order-shipped"
        case .orderCancelled: "order-cancelled"
        case .orderExpired: "order-expired"
        case .orderRefunded: "order-refunded"
        case .orderDelivered, .orderNeedsReview, .stockLow, .webhookTest, .deliveryFailed: nil
        }
    }

    /// The owner's e-mail for an event, if the owner hears of it.
    public static func ownerTemplate(_ type: NotificationEventType) -> String? {
        switch type {
        case .orderCreated: "owner-new-order"
        case .orderPaid: "owner-paid"
        case .orderNeedsReview: "owner-needs-review"
        case .stockLow: "owner-low-stock"
        case .deliveryFailed: "owner-delivery-failed"
        default: nil
        }
    }

    /// One destination of an event, before it is stored.
    public struct Destination: Sendable, Hashable {
        /// E-mail or webhook.
        public var channel: DeliveryChannel
        /// The address or the endpoint id.
        public var destination: String
        /// The e-mail template.
        public var template: String?
    }

    /// Every destination of an event: one row per e-mail recipient and per subscribed endpoint.
    /// `shopperEmail` is the order's address; `routing` says whether e-mail is on and who the owner is.
    public static func destinations(
        of type: NotificationEventType, shopperEmail: String?, paymentMethod: PaymentMethod?, routing: NotificationRouting,
        endpoints: [WebhookEndpoint]
    ) -> [Destination] {
        var result: [Destination] = []
        if routing.emailEnabled {
            if let template = shopperTemplate(type, paymentMethod: paymentMethod), let shopperEmail, !shopperEmail.isEmpty {
                result.append(Destination(channel: .email, destination: shopperEmail, template: template))
            }
            if let template = ownerTemplate(type) {
                for owner in routing.ownerEmails { result.append(Destination(channel: .email, destination: owner, template: template)) }
            }
        }
        for endpoint in endpoints where endpoint.receives(type) {
            result.append(Destination(channel: .webhook, destination: endpoint.id, template: nil))
        }
        return result
    }
}

/// Who the store addresses events to, fixed at start-up: whether e-mail is on, and the owner.
public struct NotificationRouting: Sendable, Hashable {
    /// Whether e-mail deliveries are recorded (an SMTP server is configured).
    public var emailEnabled: Bool
    /// The owner's addresses (`OWNER_EMAIL`).
    public var ownerEmails: [String]

    /// E-mail off; webhooks only.
    public static let webhooksOnly = NotificationRouting(emailEnabled: false, ownerEmails: [])

    /// Creates routing.
    public init(emailEnabled: Bool, ownerEmails: [String]) {
        self.emailEnabled = emailEnabled
        self.ownerEmails = ownerEmails
    }
}

extension NotificationRules {
    /// What a failed attempt leads to: another attempt when the schedule has one (after at least
    /// `retryAfter`), else giving up and telling the owner. `attempts` counts this attempt.
    public static func afterFailure(
        attempts: Int, error: String, retryAfter: Duration?, schedule: RetrySchedule, now: Date, using random: inout some RandomNumberGenerator
    ) -> DeliveryOutcome {
        if let next = schedule.nextAttempt(afterAttempt: attempts, at: now, retryAfter: retryAfter, using: &random) {
            return .retry(at: next, error: error)
        }
        return .failed(error: "gave up after \(attempts) attempts: \(error)", disableEndpoint: false, alertOwner: true)
    }
}
