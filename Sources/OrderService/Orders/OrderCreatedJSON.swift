import StoreModel

extension OrderJSON.Created {
    /// The first `POST /order` answer, `{"order":{...},"payment":null}`: byte for byte what
    /// `JSONResponse.data(CreatedAnswer(order: self, payment: nil))` (Foundation's `JSONEncoder`)
    /// makes, with the keys written in the encoder's sorted order. An answer with a payment step
    /// is still encoded by `JSONEncoder`. `OrderStatusJSONTests` holds the two to the same bytes.
    var answerWithoutPaymentBytes: [UInt8] {
        var json = JSONBytes(capacity: 512 + 256 * lines.count)
        json.member(#"{"order":{"catalogVersion":"#, catalogVersion)
        json.member(#","createdAt":"#, createdAt)
        json.member(#","currency":"#, currency)
        json.member(#","id":"#, id)
        json.raw(#","lines":"#)
        json.array(lines) { json, line in line.write(into: &json) }
        json.member(#","paymentMethod":"#, paymentMethod)
        json.member(#","shipping":"#, shipping)
        json.member(#","shippingMinor":"#, shippingMinor)
        json.member(#","status":"#, status)
        json.member(#","subtotal":"#, subtotal)
        json.member(#","subtotalMinor":"#, subtotalMinor)
        json.member(#","total":"#, total)
        json.member(#","totalMinor":"#, totalMinor)
        json.raw(#"},"payment":null}"#)
        return json.bytes
    }
}

extension OrderJSON.Line {
    /// The line's JSON object, keys in `JSONEncoder`'s sorted order (both hand-written answers use it).
    func write(into json: inout JSONBytes) {
        json.member(#"{"lineTotal":"#, lineTotal)
        json.member(#","lineTotalMinor":"#, lineTotalMinor)
        if let options { json.options(options) }
        json.member(#","quantity":"#, quantity)
        json.member(#","sku":"#, sku)
        json.member(#","title":"#, title)
        json.member(#","unitPrice":"#, unitPrice)
        json.member(#","unitPriceMinor":"#, unitPriceMinor)
        json.raw("}")
    }
}

extension JSONBytes {
    /// `,"options":[{"name":…,"value":…},…]`: a line's option values, keys in `JSONEncoder`'s sorted
    /// order (the order answers and the event payloads both write them).
    mutating func options(_ options: [ChosenOption]) {
        raw(#","options":"#)
        optionList(options)
    }

    /// `[{"name":…,"value":…},…]`, also the text of the `order_lines.options` column.
    mutating func optionList(_ options: [ChosenOption]) {
        raw("[")
        for (position, option) in options.enumerated() {
            raw(position == 0 ? #"{"name":"# : #",{"name":"#)
            string(option.name)
            raw(#","value":"#)
            string(option.value)
            raw("}")
        }
        raw("]")
    }
}
