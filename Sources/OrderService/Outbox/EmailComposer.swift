import Foundation
import Notifications
import StoreModel

/// Turns an e-mail delivery into a MIME message: the event's payload becomes the template's
/// values, the theme's template gives the words, and the delivery's id gives a `Message-ID` that
/// every retry repeats.
struct EmailComposer: Sendable {
    let templates: EmailTemplates
    let from: MailAddress
    /// The storefront's public URL when it differs from `store.json`'s `baseURL`.
    let storefrontURL: String?
    /// The admin page, linked from the owner's e-mails.
    let adminURL: String?

    /// Problems turning a delivery into a message.
    struct ComposeError: Error, CustomStringConvertible {
        var description: String
    }

    /// The message for `due`, addressed to its destination.
    func message(for due: DueDelivery, store: StoreConfig) throws -> MailMessage {
        guard let template = due.delivery.template else { throw ComposeError(description: "delivery \(due.delivery.id) has no template") }
        let payload = try EventPayload.decode(due.payload)
        let values = Self.values(payload, store: store, storefrontURL: storefrontURL, adminURL: adminURL, strings: templates.strings)
        guard let rendered = templates.render(template, values: values) else {
            throw ComposeError(description: "the theme has no e-mail template \(template)")
        }
        let to = try MailAddress(parsing: due.delivery.destination)
        return MailMessage(
            from: from, to: [to], subject: rendered.subject, text: rendered.text, html: rendered.html,
            messageID: Self.messageID(delivery: due.delivery, from: from), date: Self.date(of: payload) ?? Date(),
            headers: [("X-Storefront-Event", payload.type), ("Auto-Submitted", "auto-generated")])
    }

    /// `<delivery>.<event>@<the sender's domain>`: the same on every attempt of the delivery.
    static func messageID(delivery: Delivery, from: MailAddress) -> String {
        let domain = from.address.split(separator: "@").last.map(String.init) ?? "storefront.invalid"
        return "d\(delivery.id).\(delivery.eventID)@\(domain)"
    }

    static func date(of payload: EventPayload) -> Date? {
        Timestamp.parse(payload.timestamp)
    }

    /// The values every e-mail template gets (see `themes/default/emails/README.md`): `shop`,
    /// `order`, `payment`, `review`, `stock`, `delivery`, `admin`; all display-ready strings.
    static func values(_ payload: EventPayload, store: StoreConfig, storefrontURL: String?, adminURL: String?, strings: [String: String]) -> [String: Any] {
        let shopURL = storefrontURL ?? store.baseURL
        var values: [String: Any] = [
            "shop": ["name": store.name, "url": shopURL, "email": store.contact.email ?? "", "phone": store.contact.phone ?? ""],
            "admin": ["url": adminURL ?? (shopURL + "/admin/")],
        ]
        if let order = payload.data.order {
            values["order"] = orderValues(order, store: store, shopURL: shopURL, strings: strings)
            if let atm = order.atm { values["payment"] = ["bankCode": atm.bankCode, "account": atm.account, "deadline": atm.deadline] }
        }
        if let reason = payload.data.reviewReason { values["review"] = ["reason": reason] }
        if let stock = payload.data.stock {
            values["stock"] = ["sku": stock.sku, "title": stock.title, "available": "\(stock.available)", "threshold": "\(stock.threshold)"]
        }
        if let delivery = payload.data.delivery {
            values["delivery"] = [
                "destination": delivery.destination, "eventType": delivery.eventType, "attempts": "\(delivery.attempts)", "lastError": delivery.lastError,
            ]
        }
        return withoutEmptyStrings(values)
    }

    /// Drops empty strings, so that a section on a missing value (`{{#order.trackingNumber}}`) hides.
    static func withoutEmptyStrings(_ values: [String: Any]) -> [String: Any] {
        values.compactMapValues { value -> Any? in
            switch value {
            case let text as String: text.isEmpty ? nil : text
            case let nested as [String: Any]: withoutEmptyStrings(nested)
            case let list as [[String: Any]]: list.map(withoutEmptyStrings)
            default: value
            }
        }
    }

    static func orderValues(_ order: OrderData, store: StoreConfig, shopURL: String, strings: [String: String]) -> [String: Any] {
        let currency = Currency(code: order.currency) ?? store.currency
        func money(_ decimal: String) -> String { (try? Money.parse(decimal, currency: currency))?.formatted ?? decimal }
        let tracking = order.trackingNumber ?? ""
        let trackingURL = store.shipping.trackingLink(for: tracking) ?? ""
        let address = [order.shippingAddress.postalCode, order.shippingAddress.city, order.shippingAddress.address].filter { !$0.isEmpty }
        return [
            "id": order.id,
            "url": PaymentURLs(api: "", storefront: shopURL).orderPage(order.id),
            "total": money(order.total), "subtotal": money(order.subtotal), "shipping": money(order.shipping),
            "createdAt": displayDate(order.createdAt),
            "paymentMethod": strings["paymentMethod_\(order.paymentMethod)"] ?? order.paymentMethod,
            "status": strings["status_\(order.status)"] ?? order.status,
            "isCashOnDelivery": order.paymentMethod == PaymentMethod.cashOnDelivery.rawValue,
            "isATM": order.paymentMethod == PaymentMethod.atm.rawValue,
            "customerName": order.customer.name, "customerEmail": order.customer.email, "customerPhone": order.customer.phone,
            "shippingAddress": address.joined(separator: " "),
            "note": order.note, "hasNote": !order.note.isEmpty,
            "trackingNumber": tracking, "trackingURL": trackingURL, "hasTrackingURL": !trackingURL.isEmpty,
            "lines": order.lines.map { line -> [String: Any] in
                [
                    "title": line.title, "sku": line.sku, "quantity": "\(line.quantity)", "unitPrice": money(line.unitPrice),
                    "lineTotal": money(line.lineTotal),
                    "options": (line.options ?? []).displayText,
                ]
            },
        ]
    }

    /// `2026-12-08 14:05` in the server's time zone (`TZ`).
    static func displayDate(_ iso: String) -> String {
        guard let date = Timestamp.parse(iso) else { return iso }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .current
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        func two(_ n: Int?) -> String { n.map { $0 < 10 ? "0\($0)" : "\($0)" } ?? "00" }
        return "\(c.year ?? 0)-\(two(c.month))-\(two(c.day)) \(two(c.hour)):\(two(c.minute))"
    }
}
