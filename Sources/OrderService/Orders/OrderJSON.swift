import Foundation
import StoreModel

/// The JSON shapes of orders, shared by the shopper and admin answers.
enum OrderJSON {
    struct Line: Encodable {
        var sku: String
        var title: String
        var quantity: Int
        var unitPriceMinor: Int64
        var unitPrice: String
        var lineTotalMinor: Int64
        var lineTotal: String
        /// A variant's option values (`[{"name": "重量", "value": "3 公斤"}]`); absent without options.
        var options: [ChosenOption]?

        init(_ line: PricedLine) {
            sku = line.sku
            title = line.title
            quantity = line.quantity
            unitPriceMinor = line.unitPrice.minorUnits
            unitPrice = line.unitPrice.formatted
            lineTotalMinor = line.lineTotal.minorUnits
            lineTotal = line.lineTotal.formatted
            options = line.options.isEmpty ? nil : line.options
        }
    }

    /// The order in the `POST /order` answer.
    struct Created: Encodable {
        var id: String
        var status: String
        var createdAt: String
        var lines: [Line]
        var subtotalMinor: Int64
        var subtotal: String
        var shippingMinor: Int64
        var shipping: String
        var totalMinor: Int64
        var total: String
        var currency: String
        var catalogVersion: String
        var paymentMethod: String

        init(_ order: Order) {
            id = order.id
            status = order.status.rawValue
            createdAt = Timestamp.string(order.createdAt)
            lines = order.lines.map(Line.init)
            subtotalMinor = order.subtotal.minorUnits
            subtotal = order.subtotal.formatted
            shippingMinor = order.shipping.minorUnits
            shipping = order.shipping.formatted
            totalMinor = order.total.minorUnits
            total = order.total.formatted
            currency = order.currency.code
            catalogVersion = order.catalogVersion
            paymentMethod = order.paymentMethod.rawValue
        }
    }

    /// `{"order": ..., "payment": null | {...}}`.
    struct CreatedAnswer: Encodable {
        var order: Created
        @ExplicitNull var payment: PaymentStep?
    }

    struct TimelineEntry: Encodable {
        var status: String
        var at: String
        var note: String
    }

    /// Where the payment stands, with the ATM account to pay when there is one.
    struct Payment: Encodable {
        var state: String
        @ExplicitNull var atm: ATMInstructions?

        init(_ order: Order) {
            state = order.paymentState.rawValue
            atm = order.paymentInstructions?.atm
        }
    }

    /// The order in the `GET /order` answer: status with timeline, masked personal data.
    struct Status: Encodable {
        var id: String
        var status: String
        var createdAt: String
        var timeline: [TimelineEntry]
        var lines: [Line]
        var subtotal: String
        var shipping: String
        var total: String
        var subtotalMinor: Int64
        var shippingMinor: Int64
        var totalMinor: Int64
        var currency: String
        var paymentMethod: String
        var catalogVersion: String
        var payment: Payment
        var needsReview: Bool
        @ExplicitNull var trackingNumber: String?
        var customer: Customer

        init(_ order: Order, events: [OrderEvent]) {
            id = order.id
            status = order.status.rawValue
            createdAt = Timestamp.string(order.createdAt)
            timeline = events.filter { $0.from != $0.to }.map { TimelineEntry(status: $0.to.rawValue, at: Timestamp.string($0.at), note: $0.note) }
            lines = order.lines.map(Line.init)
            subtotal = order.subtotal.formatted
            shipping = order.shipping.formatted
            total = order.total.formatted
            subtotalMinor = order.subtotal.minorUnits
            shippingMinor = order.shipping.minorUnits
            totalMinor = order.total.minorUnits
            currency = order.currency.code
            paymentMethod = order.paymentMethod.rawValue
            catalogVersion = order.catalogVersion
            payment = Payment(order)
            needsReview = order.needsReview
            trackingNumber = order.trackingNumber
            customer = Customer(
                name: Masking.name(order.customer.name), email: Masking.email(order.customer.email), phone: Masking.phone(order.customer.phone))
        }
    }

    struct StatusAnswer: Encodable {
        var order: Status
    }
}
