/// The shop's settings from `content/store.json` or `content/store.yml`.
public struct StoreConfig: Sendable, Hashable {
    /// The shop's name.
    public var name: String
    /// A sentence about the shop, for meta descriptions.
    public var description: String
    /// The absolute URL the shop is served from, without a trailing slash.
    public var baseURL: String
    /// A BCP 47 locale such as `zh-TW` or `en`.
    public var locale: String
    /// The currency of every price.
    public var currency: Currency
    /// The order API's public base URL (absolute, or a path such as `/api`), without a trailing slash.
    public var apiURL: String
    /// The payment methods shoppers may choose.
    public var paymentMethods: [PaymentMethod]
    /// How shipping is charged.
    public var shipping: ShippingRule
    /// How to reach the shop.
    public var contact: Contact
    /// Products per listing page.
    public var pageSize: Int
    /// The available stock at or below which the owner hears `stock.low`, for products without
    /// their own `lowStock`; `nil` means no alerts for them.
    public var lowStockThreshold: Int?
    /// The shop's logo (a site path or an absolute URL), for the structured data.
    public var logo: String?
    /// Shipping destinations and the return policy, for merchant listings.
    public var policies: MerchantPolicies
    /// How the build makes responsive images.
    public var images: ImageSettings

    /// `store.json`'s `images`: how the build makes responsive images.
    public struct ImageSettings: Sendable, Hashable {
        /// Whether AVIF copies are made too (`images.avif`); off by default, because AVIF is slow
        /// to encode.
        public var avif: Bool

        /// Creates image settings.
        public init(avif: Bool = false) {
            self.avif = avif
        }
    }

    /// Contact details; each may be empty.
    public struct Contact: Sendable, Hashable {
        /// E-mail address.
        public var email: String?
        /// Telephone number.
        public var phone: String?
        /// Postal address.
        public var address: String?

        /// Creates contact details.
        public init(email: String? = nil, phone: String? = nil, address: String? = nil) {
            self.email = email
            self.phone = phone
            self.address = address
        }
    }

    /// Creates settings.
    public init(
        name: String, description: String = "", baseURL: String, locale: String, currency: Currency, apiURL: String,
        paymentMethods: [PaymentMethod], shipping: ShippingRule, contact: Contact = Contact(), pageSize: Int = 24,
        lowStockThreshold: Int? = nil, logo: String? = nil, policies: MerchantPolicies? = nil, images: ImageSettings = ImageSettings()
    ) {
        self.name = name
        self.description = description
        self.baseURL = baseURL
        self.locale = locale
        self.currency = currency
        self.apiURL = apiURL
        self.paymentMethods = paymentMethods
        self.shipping = shipping
        self.contact = contact
        self.pageSize = pageSize
        self.lowStockThreshold = lowStockThreshold
        self.logo = logo
        self.policies = policies ?? .defaults(locale: locale, currency: currency)
        self.images = images
    }

    /// The path part of `baseURL` (`""` for a site at the root of its host, `/shop` under a folder).
    public var basePath: String {
        guard let schemeEnd = baseURL.range(of: "://") else { return "" }
        let afterHost = baseURL[schemeEnd.upperBound...]
        guard let slash = afterHost.firstIndex(of: "/") else { return "" }
        var path = String(afterHost[slash...])
        while path.hasSuffix("/") { path.removeLast() }
        return path
    }

    /// `baseURL` with the given site path appended (`/products/x/` becomes `https://shop.tw/products/x/`).
    public func absoluteURL(_ sitePath: String) -> String {
        // The scheme and host: everything before the first "/" after the first "://".
        let bytes = baseURL.utf8
        var hostEnd = bytes.endIndex
        var index = bytes.startIndex
        while index < bytes.endIndex {
            if bytes[index] == UInt8(ascii: ":"), baseURL.utf8[index...].starts(with: "://".utf8) {
                let afterScheme = bytes.index(index, offsetBy: 3)
                hostEnd = bytes[afterScheme...].firstIndex(of: UInt8(ascii: "/")) ?? bytes.endIndex
                break
            }
            index = bytes.index(after: index)
        }
        return String(baseURL[..<hostEnd]) + sitePath
    }
}
