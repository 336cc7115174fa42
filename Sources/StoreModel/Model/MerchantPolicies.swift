/// Where the shop ships, how fast, and how returns work: `shippingDetails` and `returnPolicy` in
/// `store.json`, which the pages publish as Google's merchant-listing structured data. The rate is
/// always the shop's `ShippingRule` (the fee the order API charges), so the two cannot disagree.
public struct MerchantPolicies: Sendable, Hashable {
    /// One destination country.
    public struct Destination: Sendable, Hashable {
        /// ISO 3166-1 alpha-2, such as `TW`.
        public var country: String
        /// Business days from the order to the parcel leaving (`[1, 2]`).
        public var handlingDays: ClosedRange<Int>
        /// Business days from leaving to arriving.
        public var transitDays: ClosedRange<Int>

        /// Creates a destination.
        public init(country: String, handlingDays: ClosedRange<Int>, transitDays: ClosedRange<Int>) {
            self.country = country
            self.handlingDays = handlingDays
            self.transitDays = transitDays
        }
    }

    /// The shop's return policy.
    public struct ReturnPolicy: Sendable, Hashable {
        /// The window for returns.
        public enum Window: Sendable, Hashable {
            /// Within so many days of delivery.
            case days(Int)
            /// No returns.
            case none
            /// Any time.
            case unlimited
        }
        /// Who pays to send a return back.
        public enum Fees: String, Sendable, Hashable, CaseIterable {
            /// The shop.
            case free
            /// The shopper.
            case customer
        }
        /// How a return comes back.
        public enum Method: String, Sendable, Hashable, CaseIterable {
            case mail, store, kiosk
        }

        /// ISO 3166-1 alpha-2 codes of the countries it applies to.
        public var countries: [String]
        public var window: Window
        public var fees: Fees
        public var method: Method

        /// Creates a policy.
        public init(countries: [String], window: Window, fees: Fees, method: Method) {
            self.countries = countries
            self.window = window
            self.fees = fees
            self.method = method
        }
    }

    /// The countries the shop ships to; empty when neither `store.json` nor the defaults name one.
    public var destinations: [Destination]
    /// The return policy; `nil` with no country to apply it to.
    public var returns: ReturnPolicy?

    /// Creates policies.
    public init(destinations: [Destination], returns: ReturnPolicy?) {
        self.destinations = destinations
        self.returns = returns
    }

    /// The defaults for a shop with this locale and currency, which `store.json` overrides. The
    /// country is the locale's region (`zh-TW`) or the currency's country (`TWD`). Parcels leave in
    /// 1 to 2 business days and arrive in 1 to 3. Returns: free, by mail, within 7 days for a `TWD`
    /// shop (Taiwan's cooling-off period for distance sales, Consumer Protection Act article 19)
    /// and 14 days otherwise (the EU's withdrawal period). Both are defaults: the owner must check
    /// them against the shop's terms and the law that applies.
    public static func defaults(locale: String, currency: Currency) -> MerchantPolicies {
        guard let country = defaultCountry(locale: locale, currency: currency) else { return MerchantPolicies(destinations: [], returns: nil) }
        return MerchantPolicies(
            destinations: [Destination(country: country, handlingDays: 1...2, transitDays: 1...3)],
            returns: ReturnPolicy(countries: [country], window: .days(currency.code == "TWD" ? 7 : 14), fees: .free, method: .mail))
    }

    /// The locale's region, else the country of the currency (none for the euro, shared by many).
    static func defaultCountry(locale: String, currency: Currency) -> String? {
        let parts = locale.split(separator: "-")
        if let region = parts.dropFirst().last(where: { $0.count == 2 && $0.allSatisfy(\.isLetter) }) { return region.uppercased() }
        let byCurrency = [
            "TWD": "TW", "USD": "US", "JPY": "JP", "GBP": "GB", "HKD": "HK", "SGD": "SG", "CNY": "CN", "KRW": "KR", "AUD": "AU",
            "CAD": "CA", "NZD": "NZ", "MYR": "MY", "THB": "TH", "CHF": "CH", "SEK": "SE", "NOK": "NO", "DKK": "DK",
        ]
        return byCurrency[currency.code]
    }

    /// Whether `code` is written as an ISO 3166-1 alpha-2 code (two capital letters).
    public static func isCountryCode(_ code: String) -> Bool {
        code.utf8.count == 2 && code.utf8.allSatisfy { (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) }
    }
}
