import Foundation

/// `EventPayload.encoded()` written byte by byte: the same bytes as `JSONEncoder` with
/// `[.sortedKeys, .withoutEscapingSlashes]` (the reference, `referenceEncoded()`; `EventPayloadJSONTests`
/// holds the two equal), at a fraction of the cost, since every order pays for it.
extension EventPayload {
    /// The JSON bytes, at most `maximumBytes`: an order too big loses its lines (`linesOmitted`).
    func encoded() throws -> Data {
        limited { Data(Self.write($0)) }
    }

    /// `encode`'s bytes, or, for an order over `maximumBytes`, those of the order without its lines.
    func limited(_ encode: (EventPayload) throws -> Data) rethrows -> Data {
        let bytes = try encode(self)
        guard bytes.count > Self.maximumBytes, let order = data.order else { return bytes }
        var smaller = self
        smaller.data.order = order.withoutLines()
        return try encode(smaller)
    }

    static func write(_ payload: EventPayload) -> [UInt8] {
        var json = JSONBytes(capacity: 1024)
        json.raw(#"{"data":{"#)
        let data = payload.data
        var first = true
        func key(_ name: StaticString, _ json: inout JSONBytes) {
            if !first { json.raw(",") }
            first = false
            json.raw(name)
        }
        if let delivery = data.delivery {
            key(#""delivery":"#, &json)
            json.member(#"{"attempts":"#, delivery.attempts)
            json.member(#","channel":"#, delivery.channel)
            json.member(#","deliveryId":"#, delivery.deliveryId)
            json.member(#","destination":"#, delivery.destination)
            json.member(#","eventId":"#, delivery.eventId)
            json.member(#","eventType":"#, delivery.eventType)
            json.member(#","lastError":"#, delivery.lastError)
            json.raw("}")
        }
        if let message = data.message {
            key(#""message":"#, &json)
            json.string(message)
        }
        if let order = data.order {
            key(#""order":"#, &json)
            writeOrder(order, &json)
        }
        if let reason = data.reviewReason {
            key(#""reviewReason":"#, &json)
            json.string(reason)
        }
        if let stock = data.stock {
            key(#""stock":"#, &json)
            json.member(#"{"available":"#, stock.available)
            json.member(#","sku":"#, stock.sku)
            json.member(#","threshold":"#, stock.threshold)
            json.member(#","title":"#, stock.title)
            json.raw("}")
        }
        json.member(#"},"timestamp":"#, payload.timestamp)
        json.member(#","type":"#, payload.type)
        json.raw("}")
        return json.bytes
    }

    static func writeOrder(_ order: OrderData, _ json: inout JSONBytes) {
        json.raw("{")
        if let atm = order.atm {
            json.member(#""atm":{"account":"#, atm.account)
            json.member(#","bankCode":"#, atm.bankCode)
            json.member(#","deadline":"#, atm.deadline)
            json.raw("},")
        }
        json.member(#""createdAt":"#, order.createdAt)
        json.member(#","currency":"#, order.currency)
        json.member(#","customer":{"email":"#, order.customer.email)
        json.member(#","name":"#, order.customer.name)
        json.member(#","phone":"#, order.customer.phone)
        json.member(#"},"id":"#, order.id)
        json.raw(#","lines":"#)
        json.array(order.lines) { json, line in
            json.member(#"{"lineTotal":"#, line.lineTotal)
            if let options = line.options { json.options(options) }
            json.member(#","quantity":"#, line.quantity)
            json.member(#","sku":"#, line.sku)
            json.member(#","title":"#, line.title)
            json.member(#","unitPrice":"#, line.unitPrice)
            json.raw("}")
        }
        if let omitted = order.linesOmitted { json.member(#","linesOmitted":"#, omitted) }
        json.raw(#","needsReview":"#)
        json.bool(order.needsReview)
        json.member(#","note":"#, order.note)
        json.member(#","paymentMethod":"#, order.paymentMethod)
        json.member(#","paymentState":"#, order.paymentState)
        json.member(#","shipping":"#, order.shipping)
        json.member(#","shippingAddress":{"address":"#, order.shippingAddress.address)
        json.member(#","city":"#, order.shippingAddress.city)
        json.member(#","postalCode":"#, order.shippingAddress.postalCode)
        json.member(#"},"status":"#, order.status)
        json.member(#","subtotal":"#, order.subtotal)
        json.member(#","total":"#, order.total)
        if let tracking = order.trackingNumber { json.member(#","trackingNumber":"#, tracking) }
        json.raw("}")
    }

    /// The reference: `JSONEncoder` on the `Encodable` form, with the same size limit.
    func referenceEncoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try limited { try encoder.encode($0) }
    }
}

extension OrderData {
    /// The order without its line items, counting them in `linesOmitted`.
    func withoutLines() -> OrderData {
        var copy = self
        copy.linesOmitted = lines.count
        copy.lines = []
        return copy
    }
}
