extension OrderJSON.StatusAnswer {
    /// The answer's JSON, byte for byte what `JSONResponse.data(self)` (Foundation's `JSONEncoder`)
    /// makes, without the encoder's containers: the keys below are written in the sorted order the
    /// encoder uses. `OrderStatusJSONTests` holds the two to the same bytes; the `Encodable` form
    /// stays the reference.
    var jsonBytes: [UInt8] {
        var json = JSONBytes()
        let order = self.order
        json.member(#"{"order":{"catalogVersion":"#, order.catalogVersion)
        json.member(#","createdAt":"#, order.createdAt)
        json.member(#","currency":"#, order.currency)
        json.member(#","customer":{"email":"#, order.customer.email)
        json.member(#","name":"#, order.customer.name)
        json.member(#","phone":"#, order.customer.phone)
        json.member(#"},"id":"#, order.id)
        json.raw(#","lines":"#)
        json.array(order.lines) { json, line in line.write(into: &json) }
        json.raw(#","needsReview":"#)
        json.bool(order.needsReview)
        json.raw(#","payment":{"atm":"#)
        if let atm = order.payment.atm {
            json.member(#"{"bankCode":"#, atm.bankCode)
            json.member(#","expireDate":"#, atm.expireDate)
            json.member(#","vAccount":"#, atm.vAccount)
            json.raw("}")
        } else {
            json.raw("null")
        }
        json.member(#","state":"#, order.payment.state)
        json.member(#"},"paymentMethod":"#, order.paymentMethod)
        json.member(#","shipping":"#, order.shipping)
        json.member(#","shippingMinor":"#, order.shippingMinor)
        json.member(#","status":"#, order.status)
        json.member(#","subtotal":"#, order.subtotal)
        json.member(#","subtotalMinor":"#, order.subtotalMinor)
        json.raw(#","timeline":"#)
        json.array(order.timeline) { json, entry in
            json.member(#"{"at":"#, entry.at)
            json.member(#","note":"#, entry.note)
            json.member(#","status":"#, entry.status)
            json.raw("}")
        }
        json.member(#","total":"#, order.total)
        json.member(#","totalMinor":"#, order.totalMinor)
        json.member(#","trackingNumber":"#, order.trackingNumber)
        json.raw("}}")
        return json.bytes
    }
}
