import Foundation
import StoreModel

/// The body of an event: `{type, timestamp, data}`, written once into the outbox and sent as is to
/// every webhook endpoint. E-mails are rendered from the same data, so what an e-mail says and what
/// a webhook carries never disagree.
struct EventPayload: Sendable, Hashable, Codable {
    /// The event type (`order.paid`).
    var type: String
    /// When it happened, ISO 8601 in UTC.
    var timestamp: String
    /// What it is about.
    var data: EventData

    /// The largest body sent; an order too big for it loses its line items (`linesOmitted`).
    static let maximumBytes = 20_000

    /// Reads a stored payload.
    static func decode(_ data: Data) throws -> EventPayload {
        try JSONDecoder().decode(EventPayload.self, from: data)
    }

    /// ISO 8601 with milliseconds, UTC.
    /// (`2026-12-05T12:18:37.036Z`, the time to the millisecond as stored; written by hand, as
    /// `Date.ISO8601FormatStyle` would, at a tenth of its cost: every order pays for two.)
    static func timestamp(_ date: Date) -> String {
        let millis = Int64((date.timeIntervalSince1970 * 1000).rounded())  // the nearest: t·1000 of a whole millisecond may fall just below it
        var seconds = time_t(millis >= 0 ? millis / 1000 : (millis - 999) / 1000)
        let fraction = Int(millis - Int64(seconds) * 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func digits(_ value: Int, _ width: Int) -> String {
            let text = String(value)
            return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
        }
        return digits(Int(parts.tm_year) + 1900, 4) + "-" + digits(Int(parts.tm_mon) + 1, 2) + "-" + digits(Int(parts.tm_mday), 2) + "T"
            + digits(Int(parts.tm_hour), 2) + ":" + digits(Int(parts.tm_min), 2) + ":" + digits(Int(parts.tm_sec), 2) + "." + digits(fraction, 3) + "Z"
    }
}

/// What an event is about; the members its type needs are set.
struct EventData: Sendable, Hashable, Codable {
    /// The order, as it stands after the change.
    var order: OrderData?
    /// The SKU, for `stock.low`.
    var stock: StockData?
    /// Why the order needs review, for `order.needs_review`.
    var reviewReason: String?
    /// The failed delivery, for `delivery.failed`.
    var delivery: FailedDeliveryData?
    /// A sentence, for `webhook.test`.
    var message: String?

    /// Creates data.
    init(
        order: OrderData? = nil, stock: StockData? = nil, reviewReason: String? = nil, delivery: FailedDeliveryData? = nil, message: String? = nil
    ) {
        self.order = order
        self.stock = stock
        self.reviewReason = reviewReason
        self.delivery = delivery
        self.message = message
    }
}

/// An order in an event. Amounts are decimal strings in `currency`, as in the shop's content.
struct OrderData: Sendable, Hashable, Codable {
    /// One line.
    struct Line: Sendable, Hashable, Codable {
        var sku: String
        var title: String
        var quantity: Int
        var unitPrice: String
        var lineTotal: String
        /// A variant's option values; absent for a product without options.
        var options: [ChosenOption]?
    }
    /// The shopper.
    struct Contact: Sendable, Hashable, Codable {
        var name: String
        var email: String
        var phone: String
    }
    /// Where it goes.
    struct Address: Sendable, Hashable, Codable {
        var postalCode: String
        var city: String
        var address: String
    }
    /// ATM transfer details.
    struct ATM: Sendable, Hashable, Codable {
        var bankCode: String
        var account: String
        var deadline: String
    }

    var id: String
    var status: String
    var paymentMethod: String
    var paymentState: String
    var currency: String
    var subtotal: String
    var shipping: String
    var total: String
    var lines: [Line]
    /// How many lines were left out to keep the body small; absent when none were.
    var linesOmitted: Int?
    var customer: Contact
    var shippingAddress: Address
    var note: String
    var createdAt: String
    var trackingNumber: String?
    var atm: ATM?
    var needsReview: Bool

    /// The event form of `order`.
    init(_ order: Order) {
        id = order.id
        status = order.status.rawValue
        paymentMethod = order.paymentMethod.rawValue
        paymentState = order.paymentState.rawValue
        currency = order.currency.code
        subtotal = order.subtotal.decimalString
        shipping = order.shipping.decimalString
        total = order.total.decimalString
        lines = order.lines.map {
            Line(
                sku: $0.sku, title: $0.title, quantity: $0.quantity, unitPrice: $0.unitPrice.decimalString, lineTotal: $0.lineTotal.decimalString,
                options: $0.options.isEmpty ? nil : $0.options)
        }
        customer = Contact(name: order.customer.name, email: order.customer.email, phone: order.customer.phone)
        shippingAddress = Address(postalCode: order.shippingAddress.postalCode, city: order.shippingAddress.city, address: order.shippingAddress.address)
        note = order.note
        createdAt = EventPayload.timestamp(order.createdAt)
        trackingNumber = order.trackingNumber
        atm = order.paymentInstructions?.atm.map { ATM(bankCode: $0.bankCode, account: $0.vAccount, deadline: $0.expireDate) }
        needsReview = order.needsReview
    }
}

/// A SKU whose stock runs low.
struct StockData: Sendable, Hashable, Codable {
    var sku: String
    var title: String
    var available: Int
    var threshold: Int
}

/// A delivery that gave up.
struct FailedDeliveryData: Sendable, Hashable, Codable {
    var deliveryId: Int64
    var eventId: String
    var eventType: String
    var channel: String
    var destination: String
    var attempts: Int
    var lastError: String
}
