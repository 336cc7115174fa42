import Foundation
import StoreModel

/// The admin JSON shapes of orders: unmasked, with the event log.
enum AdminOrderJSON {
    struct Shipping: Encodable {
        var postalCode: String
        var city: String
        var address: String
    }

    struct Summary: Encodable {
        var id: String
        var status: String
        var createdAt: String
        var paymentMethod: String
        var totalMinor: Int64
        var total: String
        var currency: String
        var customer: Customer
        var itemCount: Int
        var needsReview: Bool

        init(_ order: Order) {
            id = order.id
            status = order.status.rawValue
            createdAt = Timestamp.string(order.createdAt)
            paymentMethod = order.paymentMethod.rawValue
            totalMinor = order.total.minorUnits
            total = order.total.formatted
            currency = order.currency.code
            customer = order.customer
            itemCount = order.lines.reduce(0) { $0 + $1.quantity }
            needsReview = order.needsReview
        }
    }

    struct Page: Encodable {
        var orders: [Summary]
        @ExplicitNull var nextCursor: String?
    }

    struct Event: Encodable {
        var at: String
        var actor: String
        var from: String?
        var to: String
        var note: String
    }

    struct Detail: Encodable {
        var id: String
        var status: String
        var createdAt: String
        var updatedAt: String
        var expiresAt: String?
        var paymentMethod: String
        var lines: [OrderJSON.Line]
        var subtotalMinor: Int64
        var subtotal: String
        var shippingMinor: Int64
        var shipping: String
        var totalMinor: Int64
        var total: String
        var currency: String
        var catalogVersion: String
        var customer: Customer
        var shippingAddress: Shipping
        var note: String
        var trackingNumber: String?
        var payment: PaymentInstructions?
        var paymentState: String
        var needsReview: Bool
        var reviewReason: String?
        var nextStatuses: [String]
        var events: [Event]

        init(_ order: Order, events: [OrderEvent]) {
            id = order.id
            status = order.status.rawValue
            createdAt = Timestamp.string(order.createdAt)
            updatedAt = Timestamp.string(order.updatedAt)
            expiresAt = order.expiresAt.map(Timestamp.string)
            paymentMethod = order.paymentMethod.rawValue
            lines = order.lines.map(OrderJSON.Line.init)
            subtotalMinor = order.subtotal.minorUnits
            subtotal = order.subtotal.formatted
            shippingMinor = order.shipping.minorUnits
            shipping = order.shipping.formatted
            totalMinor = order.total.minorUnits
            total = order.total.formatted
            currency = order.currency.code
            catalogVersion = order.catalogVersion
            customer = order.customer
            shippingAddress = Shipping(postalCode: order.shippingAddress.postalCode, city: order.shippingAddress.city, address: order.shippingAddress.address)
            note = order.note
            trackingNumber = order.trackingNumber
            payment = order.paymentInstructions
            paymentState = order.paymentState.rawValue
            needsReview = order.needsReview
            reviewReason = order.reviewReason
            nextStatuses = order.status.nextStates(by: .admin, method: order.paymentMethod).map(\.rawValue)
            self.events = events.map { Event(at: Timestamp.string($0.at), actor: $0.actor, from: $0.from?.rawValue, to: $0.to.rawValue, note: $0.note) }
        }
    }

    struct DetailAnswer: Encodable {
        var order: Detail
    }
}
