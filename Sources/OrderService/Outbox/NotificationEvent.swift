import Foundation

/// What happened, as the outbox records it and webhooks name it.
public enum NotificationEventType: String, Sendable, Hashable, Codable, CaseIterable {
    /// A shopper placed an order.
    case orderCreated = "order.created"
    /// The gateway gave ATM transfer details (bank code, virtual account, deadline).
    case orderPaymentInfo = "order.payment_info"
    /// The payment arrived.
    case orderPaid = "order.paid"
    /// The order left the shop, with a tracking number.
    case orderShipped = "order.shipped"
    /// The shopper received the order.
    case orderDelivered = "order.delivered"
    /// The order was cancelled.
    case orderCancelled = "order.cancelled"
    /// The order was not paid in time.
    case orderExpired = "order.expired"
    /// The payment was refunded.
    case orderRefunded = "order.refunded"
    /// The order needs the owner's attention (a late payment, an amount mismatch).
    case orderNeedsReview = "order.needs_review"
    /// A tracked SKU's available stock fell to or below its threshold.
    case stockLow = "stock.low"
    /// A test message sent from the admin page to one webhook endpoint.
    case webhookTest = "webhook.test"
    /// A delivery gave up (owner e-mail only, never a webhook).
    case deliveryFailed = "delivery.failed"

    /// The events a webhook endpoint may subscribe to.
    public static let subscribable: [NotificationEventType] = [
        .orderCreated, .orderPaymentInfo, .orderPaid, .orderShipped, .orderDelivered, .orderCancelled, .orderExpired, .orderRefunded,
        .orderNeedsReview, .stockLow,
    ]
}

/// Where a delivery goes.
public enum DeliveryChannel: String, Sendable, Hashable, Codable {
    /// An e-mail to one address.
    case email
    /// A signed POST to one webhook endpoint.
    case webhook
}

/// A queue deliveries wait in: all e-mail shares one, each webhook endpoint has its own, so a slow
/// destination holds up only its own queue.
public enum DeliveryLane: Sendable, Hashable, CustomStringConvertible {
    /// Every e-mail.
    case email
    /// One webhook endpoint, by id.
    case webhook(String)

    /// The lane of a delivery.
    public init(_ delivery: Delivery) {
        self = delivery.channel == .email ? .email : .webhook(delivery.destination)
    }

    /// `email` or `webhook:<id>`.
    public var description: String {
        switch self {
        case .email: "email"
        case .webhook(let id): "webhook:\(id)"
        }
    }
}

/// Where a delivery stands.
public enum DeliveryStatus: String, Sendable, Hashable, Codable, CaseIterable {
    /// Waiting for its next attempt.
    case pending
    /// Accepted by the SMTP server or answered 2xx.
    case sent
    /// Given up: permanent failure, endpoint gone, or out of attempts.
    case failed
}

/// One (event, destination) pair and its progress.
public struct Delivery: Sendable, Hashable {
    /// The delivery's number.
    public var id: Int64
    /// The event's id (`evt_…`), also the `webhook-id`.
    public var eventID: String
    /// The event type.
    public var eventType: NotificationEventType
    /// The order the event is about, if any.
    public var orderID: String?
    /// E-mail or webhook.
    public var channel: DeliveryChannel
    /// The e-mail address, or the webhook endpoint's id.
    public var destination: String
    /// The e-mail template (`order-paid`), for e-mail.
    public var template: String?
    /// Pending, sent or failed.
    public var status: DeliveryStatus
    /// Attempts made so far.
    public var attempts: Int
    /// When the next attempt is due (pending only).
    public var nextAttemptAt: Date?
    /// What went wrong last, if anything.
    public var lastError: String?
    /// When the event was recorded.
    public var createdAt: Date
    /// When it was delivered.
    public var sentAt: Date?
}

/// A delivery due now, with what it carries.
public struct DueDelivery: Sendable, Hashable {
    /// The delivery.
    public var delivery: Delivery
    /// The event's JSON body (`{type, timestamp, data}`), exactly as webhooks receive it.
    public var payload: Data
}

/// A webhook endpoint the owner registered.
public struct WebhookEndpoint: Sendable, Hashable {
    /// `we_…`.
    public var id: String
    /// Where deliveries are posted.
    public var url: String
    /// The subscribed event types; `nil` means all of them.
    public var events: [NotificationEventType]?
    /// The signing secret (`whsec_…`).
    public var secret: String
    /// Whether deliveries are made; a `410 Gone` answer turns it off.
    public var enabled: Bool
    /// Why it was turned off.
    public var disabledReason: String?
    /// When it was added.
    public var createdAt: Date

    /// Whether this endpoint receives `type`.
    public func receives(_ type: NotificationEventType) -> Bool {
        enabled && NotificationEventType.subscribable.contains(type) && (events?.contains(type) ?? true)
    }
}

/// Filters and paging for the delivery log.
public struct DeliveryQuery: Sendable, Hashable {
    /// Only deliveries in this state.
    public var status: DeliveryStatus?
    /// Only deliveries older than this id (the cursor).
    public var before: Int64?
    /// Page size.
    public var limit: Int

    /// Creates a query.
    public init(status: DeliveryStatus? = nil, before: Int64? = nil, limit: Int = 50) {
        self.status = status
        self.before = before
        self.limit = limit
    }
}
