/// Reads `store.json` / `store.yml` into `StoreConfig`.
enum StoreConfigDecoder {
    static let knownFields: Set<String> = [
        "name", "description", "baseURL", "locale", "currency", "apiURL", "paymentMethods", "shipping", "contact", "pageSize", "lowStockThreshold",
        "logo", "shippingDetails", "returnPolicy", "images",
    ]

    static func decode(fields: [ContentField], file: String) -> (StoreConfig?, [ContentIssue]) {
        var reader = FieldReader(file: file, fields: fields, known: knownFields, fallbackLine: 1)
        let name = reader.string("name", required: true, maxLength: 200)
        let description = reader.string("description", maxLength: 500) ?? ""
        var baseURL = reader.string("baseURL", required: true, maxLength: 500)
        if let url = baseURL {
            if !(url.hasPrefix("https://") || url.hasPrefix("http://")) || url.contains(" ") {
                reader.issue(reader.line(of: "baseURL"), "baseURL", "must be an absolute http(s) URL such as https://shop.example.tw")
            }
            while baseURL?.hasSuffix("/") == true { baseURL?.removeLast() }
        }
        let locale = reader.string("locale", maxLength: 35) ?? "en"
        if !locale.unicodeScalars.allSatisfy({ $0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "-" }) {
            reader.issue(reader.line(of: "locale"), "locale", "\"\(locale)\" is not a locale such as zh-TW or en")
        }
        let currencyCode = reader.string("currency", required: true, maxLength: 3)
        let currency = currencyCode.flatMap(Currency.init(code:))
        if currencyCode != nil, currency == nil {
            reader.issue(reader.line(of: "currency"), "currency", "must be an ISO 4217 code such as TWD or USD")
        }
        var apiURL = reader.string("apiURL", maxLength: 500) ?? "/api"
        if !(apiURL.hasPrefix("https://") || apiURL.hasPrefix("http://") || apiURL.hasPrefix("/")) || apiURL.contains(" ") {
            reader.issue(reader.line(of: "apiURL"), "apiURL", "must be an absolute http(s) URL or a path starting with '/'")
        }
        while apiURL.hasSuffix("/") { apiURL.removeLast() }
        var methods: [PaymentMethod] = []
        for text in reader.stringList("paymentMethods") {
            if let method = PaymentMethod(rawValue: text) {
                methods.append(method)
            } else {
                let known = PaymentMethod.allCases.map(\.rawValue).joined(separator: ", ")
                reader.issue(reader.line(of: "paymentMethods"), "paymentMethods", "\"\(text)\" is not one of \(known)")
            }
        }
        if reader.fields["paymentMethods"] == nil { methods = [.cashOnDelivery] }
        if methods.isEmpty, reader.fields["paymentMethods"] != nil {
            reader.issue(reader.line(of: "paymentMethods"), "paymentMethods", "must list at least one payment method")
        }
        var shipping: ShippingRule? = nil
        if let currency {
            shipping = ShippingRule(flatFee: .zero(currency), freeShippingThreshold: nil)
            if let members = reader.map("shipping") {
                var sub = FieldReader(
                    file: file, fields: members, known: ["flatFee", "freeShippingThreshold", "trackingURL"], fallbackLine: reader.line(of: "shipping"))
                let fee = sub.money("flatFee", currency: currency) ?? .zero(currency)
                let threshold = sub.money("freeShippingThreshold", currency: currency)
                shipping = ShippingRule(flatFee: fee, freeShippingThreshold: threshold)
                if let tracking = sub.string("trackingURL", maxLength: 500) {
                    if let problem = ShippingRule.trackingURLProblem(tracking) {
                        sub.issue(sub.line(of: "trackingURL"), "trackingURL", problem)
                    }
                    shipping?.trackingURL = tracking
                }
                reader.absorb(sub, prefix: "shipping.")
            }
        }
        var contact = StoreConfig.Contact()
        if let members = reader.map("contact") {
            var sub = FieldReader(file: file, fields: members, known: ["email", "phone", "address"], fallbackLine: reader.line(of: "contact"))
            contact = StoreConfig.Contact(
                email: sub.string("email", maxLength: 200), phone: sub.string("phone", maxLength: 50), address: sub.string("address", maxLength: 500))
            reader.absorb(sub, prefix: "contact.")
        }
        let pageSize = reader.integer("pageSize", range: 1...200) ?? 24
        let lowStockThreshold = reader.integer("lowStockThreshold", range: ProductRules.stockRange)
        let logo = reader.string("logo", maxLength: 500)
        if let logo, let problem = ProductDecoder.imageURLProblem(logo) { reader.issue(reader.line(of: "logo"), "logo", problem) }
        var images = StoreConfig.ImageSettings()
        if let members = reader.map("images") {
            var sub = FieldReader(file: file, fields: members, known: ["avif"], fallbackLine: reader.line(of: "images"))
            images.avif = sub.bool("avif") ?? false
            reader.absorb(sub, prefix: "images.")
        }
        let policies = currency.map { MerchantPoliciesDecoder.read(from: &reader, defaults: .defaults(locale: locale, currency: $0)) }
        guard reader.issues.isEmpty, let name, let baseURL, let currency, let shipping, let policies else { return (nil, reader.issues) }
        let config = StoreConfig(
            name: name, description: description, baseURL: baseURL, locale: locale, currency: currency, apiURL: apiURL,
            paymentMethods: methods, shipping: shipping, contact: contact, pageSize: pageSize, lowStockThreshold: lowStockThreshold,
            logo: logo, policies: policies, images: images)
        return (config, [])
    }
}

extension FieldReader {
    /// Takes over a nested reader's problems, naming fields as `parent.child`.
    mutating func absorb(_ other: FieldReader, prefix: String) {
        for var issue in other.issues {
            issue.field = issue.field.map { prefix + $0 }
            self.issue(issue.line, issue.field, issue.message)
        }
    }
}
