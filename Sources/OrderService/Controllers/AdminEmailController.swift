import Foundation
import Hummingbird
import Notifications
import StoreModel

/// `/admin/emails`: the e-mails the shop sends, and a preview of each with a sample order.
struct AdminEmailController {
    let notifications: NotificationComponents
    let catalog: CatalogProvider

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("emails", use: list)
        group.get("emails/:name/preview", use: preview)
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        struct Template: Encodable {
            var name: String
            var audience: String
        }
        struct Answer: Encodable {
            var enabled: Bool
            var templates: [Template]
        }
        let templates = EmailTemplates.catalog.map { Template(name: $0.name, audience: $0.audience.rawValue) }
        return try JSONResponse.make(status: .ok, body: Answer(enabled: notifications.composer != nil, templates: templates))
    }

    @Sendable func preview(_ request: Request, context: AppRequestContext) async throws -> Response {
        struct Answer: Encodable {
            var name: String
            var locale: String
            var subject: String
            var text: String
            var html: String
        }
        let name = context.parameters.get("name") ?? ""
        guard let template = EmailTemplates.catalog.first(where: { $0.name == name }) else { throw APIError.notFound("No e-mail has this name.") }
        let store = catalog.current.store
        var templates = notifications.templates
        if let locale = request.uri.queryParameters.get("locale"), !locale.isEmpty, locale != templates.locale {
            guard locale.count <= 20, locale.allSatisfy({ $0.isLetter || $0 == "-" }) else {
                throw APIError.invalidRequest(["locale": "is not a locale such as en or zh-TW"])
            }
            templates = try EmailTemplates.load(theme: notifications.theme, locale: locale)
        }
        let payload = SampleEvent.payload(for: template.name, catalog: catalog.current)
        let values = EmailComposer.values(
            payload, store: store, storefrontURL: notifications.composer?.storefrontURL, adminURL: notifications.composer?.adminURL,
            strings: templates.strings)
        guard let rendered = templates.render(template.name, values: values) else { throw APIError.notFound("The theme has no such e-mail.") }
        return try JSONResponse.make(
            status: .ok, body: Answer(name: template.name, locale: templates.locale, subject: rendered.subject, text: rendered.text, html: rendered.html))
    }
}

/// A made-up event for previews: an order of the catalog's first products.
enum SampleEvent {
    static func payload(for template: String, catalog: Catalog) -> EventPayload {
        let store = catalog.store
        let products = catalog.products.prefix(2)
        var lines: [PricedLine] = products.enumerated().map { index, product in
            let quantity = index + 1
            return PricedLine(
                sku: product.sku, title: product.title, quantity: quantity, unitPrice: product.price,
                lineTotal: Money(minorUnits: product.price.minorUnits * Int64(quantity), currency: store.currency))
        }
        if lines.isEmpty {
            let price = Money(minorUnits: 128_000, currency: store.currency)
            lines = [PricedLine(sku: "SAMPLE-1", title: "Sample", quantity: 1, unitPrice: price, lineTotal: price)]
        }
        let subtotal = Money(minorUnits: lines.reduce(0) { $0 + $1.lineTotal.minorUnits }, currency: store.currency)
        let shipping = store.shipping.fee(forSubtotal: subtotal)
        let now = Date()
        let method: PaymentMethod = template.contains("payment-info") ? .atm : (template == "order-received" ? .cashOnDelivery : .creditCard)
        let order = Order(
            id: "A1B2C3D4", status: status(for: template), paymentMethod: method, lines: lines, subtotal: subtotal, shipping: shipping,
            total: Money(minorUnits: subtotal.minorUnits + shipping.minorUnits, currency: store.currency), catalogVersion: catalog.version,
            customer: Customer(name: "王小明", email: "shopper@example.com", phone: "0912-345-678"),
            shippingAddress: ShippingAddress(postalCode: "742", city: "台南市", address: "大內區頭社里 1 號"), note: "", createdAt: now, updatedAt: now,
            expiresAt: nil, trackingNumber: template.contains("shipped") ? "900123456789" : nil, needsReview: template.contains("review"),
            paymentInstructions: method == .atm
                ? PaymentInstructions(atm: ATMInstructions(bankCode: "812", vAccount: "9103522175887271", expireDate: "2026/12/31")) : nil)
        var data = EventData(order: OrderData(order))
        if template == "owner-needs-review" { data.reviewReason = "The payment arrived after the order expired." }
        if template == "owner-low-stock" {
            let product = catalog.products.first
            data = EventData(stock: StockData(sku: product?.sku ?? "SAMPLE-1", title: product?.title ?? "Sample", available: 2, threshold: 3))
        }
        if template == "owner-delivery-failed" {
            data = EventData()
            data.delivery = FailedDeliveryData(
                deliveryId: 42, eventId: "evt_sample", eventType: "order.paid", channel: "webhook", destination: "we_sample", attempts: 15,
                lastError: "503 Service Unavailable")
        }
        return EventPayload(type: "preview", timestamp: EventPayload.timestamp(now), data: data)
    }

    static func status(for template: String) -> OrderStatus {
        if template.contains("paid") { return .paid }
        if template.contains("shipped") { return .shipped }
        if template.contains("cancelled") { return .cancelled }
        if template.contains("expired") { return .expired }
        if template.contains("refunded") { return .refunded }
        return .created
    }
}
