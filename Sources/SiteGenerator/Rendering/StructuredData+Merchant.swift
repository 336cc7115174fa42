import StoreModel

/// Google's merchant-listing structured data: the shop-wide shipping and return policies, defined
/// once on the home page, and every product's `Offer` referring to them by `@id`.
extension StructuredData {
    /// The `@id`s of the shop-wide nodes, under the home page's absolute URL.
    struct MerchantIDs {
        let home: String
        var store: String { home + "#store" }
        var returns: String { home + "#returns" }
        var noReturns: String { home + "#returns-none" }
        func service(_ country: String) -> String { home + "#shipping-service-\(country)" }
        /// The shipping of one item to `country`: charged, or free (an item priced at or above the
        /// free-shipping threshold ships free on its own).
        func shipping(_ country: String, free: Bool) -> String { home + "#shipping-\(country)" + (free ? "-free" : "") }
    }

    /// The home page's graph: the shop as an `OnlineStore` with its contact details, its
    /// `ShippingService`s and return policy; the `OfferShippingDetails` and `MerchantReturnPolicy`
    /// nodes the offers refer to.
    static func store(_ store: StoreConfig, ids: MerchantIDs, logo: String?) -> JSONValue {
        let policies = store.policies
        let rule = store.shipping
        var shop: [(String, JSONValue)] = [
            ("@type", .string("OnlineStore")), ("@id", .string(ids.store)), ("name", .string(store.name)), ("url", .string(ids.home)),
        ]
        if !store.description.isEmpty { shop.append(("description", .string(store.description))) }
        if let logo { shop.append(("logo", .string(logo))) }
        if let email = store.contact.email { shop.append(("email", .string(email))) }
        if let phone = store.contact.phone { shop.append(("telephone", .string(phone))) }
        if let address = store.contact.address {
            var postal: [(String, JSONValue)] = [("@type", .string("PostalAddress")), ("streetAddress", .string(address))]
            if let country = policies.destinations.first?.country { postal.append(("addressCountry", .string(country))) }
            shop.append(("address", .object(postal)))
        }
        if store.contact.email != nil || store.contact.phone != nil {
            var point: [(String, JSONValue)] = [("@type", .string("ContactPoint")), ("contactType", .string("customer service"))]
            if let email = store.contact.email { point.append(("email", .string(email))) }
            if let phone = store.contact.phone { point.append(("telephone", .string(phone))) }
            shop.append(("contactPoint", .object(point)))
        }
        var graph: [JSONValue] = []
        if !policies.destinations.isEmpty {
            shop.append(("hasShippingService", .array(policies.destinations.map { .object([("@id", .string(ids.service($0.country)))]) })))
        }
        if policies.returns != nil { shop.append(("hasMerchantReturnPolicy", .array([.object([("@id", .string(ids.returns))])]))) }
        graph.append(.object(shop))
        for destination in policies.destinations {
            graph.append(shippingService(destination, rule: rule, ids: ids))
            graph.append(offerShipping(destination, rate: rule.flatFee, id: ids.shipping(destination.country, free: false)))
            if rule.freeShippingThreshold != nil {
                graph.append(offerShipping(destination, rate: .zero(rule.flatFee.currency), id: ids.shipping(destination.country, free: true)))
            }
        }
        if let returns = policies.returns {
            graph.append(returnPolicy(returns, id: ids.returns))
            graph.append(returnPolicy(.init(countries: returns.countries, window: .none, fees: returns.fees, method: returns.method), id: ids.noReturns))
        }
        return .object([("@context", .string("https://schema.org")), ("@graph", .array(graph))])
    }

    /// A destination as a `ShippingService`: the handling time, and for orders below and from the
    /// free-shipping threshold the rate and the transit time.
    static func shippingService(_ destination: MerchantPolicies.Destination, rule: ShippingRule, ids: MerchantIDs) -> JSONValue {
        let currency = rule.flatFee.currency
        func condition(from: Money, below: Money?, rate: Money) -> JSONValue {
            var value: [(String, JSONValue)] = [("@type", .string("MonetaryAmount")), ("minValue", .string(from.decimalString))]
            if let below { value.append(("maxValue", .string(Money(minorUnits: below.minorUnits - 1, currency: currency).decimalString))) }
            value.append(("currency", .string(currency.code)))
            return .object([
                ("@type", .string("ShippingConditions")),
                ("shippingDestination", region(destination.country)),
                ("orderValue", .object(value)),
                ("shippingRate", amount(rate)),
                ("transitTime", period(destination.transitDays)),
            ])
        }
        var conditions: [JSONValue] = []
        if let threshold = rule.freeShippingThreshold, threshold.minorUnits > 0 {
            conditions.append(condition(from: .zero(currency), below: threshold, rate: rule.flatFee))
            conditions.append(condition(from: threshold, below: nil, rate: .zero(currency)))
        } else {
            conditions.append(condition(from: .zero(currency), below: nil, rate: rule.fee(forSubtotal: .zero(currency))))
        }
        return .object([
            ("@type", .string("ShippingService")), ("@id", .string(ids.service(destination.country))),
            ("handlingTime", period(destination.handlingDays)), ("shippingConditions", .array(conditions)),
        ])
    }

    /// One item's shipping to a destination at `rate`, as an offer's `shippingDetails`.
    static func offerShipping(_ destination: MerchantPolicies.Destination, rate: Money, id: String) -> JSONValue {
        .object([
            ("@type", .string("OfferShippingDetails")), ("@id", .string(id)),
            ("shippingDestination", region(destination.country)),
            ("shippingRate", amount(rate)),
            (
                "deliveryTime",
                .object([
                    ("@type", .string("ShippingDeliveryTime")),
                    ("handlingTime", days(destination.handlingDays)),
                    ("transitTime", days(destination.transitDays)),
                ])
            ),
        ])
    }

    static func returnPolicy(_ policy: MerchantPolicies.ReturnPolicy, id: String) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("@type", .string("MerchantReturnPolicy")), ("@id", .string(id)),
            ("applicableCountry", .array(policy.countries.map(JSONValue.string))),
        ]
        switch policy.window {
        case .days(let days):
            members.append(("returnPolicyCategory", .string("https://schema.org/MerchantReturnFiniteReturnWindow")))
            members.append(("merchantReturnDays", .int(Int64(days))))
        case .unlimited: members.append(("returnPolicyCategory", .string("https://schema.org/MerchantReturnUnlimitedWindow")))
        case .none:
            members.append(("returnPolicyCategory", .string("https://schema.org/MerchantReturnNotPermitted")))
            return .object(members)
        }
        let fees = policy.fees == .free ? "FreeReturn" : "ReturnFeesCustomerResponsibility"
        let method = ["mail": "ReturnByMail", "store": "ReturnInStore", "kiosk": "ReturnAtKiosk"][policy.method.rawValue]!
        members.append(("returnFees", .string("https://schema.org/" + fees)))
        members.append(("returnMethod", .string("https://schema.org/" + method)))
        return .object(members)
    }

    /// What an offer adds for merchant listings: the struck-through former price and the sale's
    /// end, and references to the shipping and the return policy that apply.
    static func listingMembers(of product: Product, store: StoreConfig, ids: MerchantIDs) -> [(String, JSONValue)] {
        var members: [(String, JSONValue)] = []
        if product.isOnSale, let compare = product.compareAtPrice {
            members.append(
                (
                    "priceSpecification",
                    .object([
                        ("@type", .string("UnitPriceSpecification")), ("priceType", .string("https://schema.org/StrikethroughPrice")),
                        ("price", .string(compare.decimalString)), ("priceCurrency", .string(compare.currency.code)),
                    ])
                ))
        }
        if let saleEnds = product.saleEnds { members.append(("priceValidUntil", .string(saleEnds.description))) }
        let free = store.shipping.fee(forSubtotal: product.price).minorUnits == 0 && store.shipping.freeShippingThreshold != nil
        let shipping = store.policies.destinations.map { JSONValue.object([("@id", .string(ids.shipping($0.country, free: free)))]) }
        if !shipping.isEmpty { members.append(("shippingDetails", .array(shipping))) }
        if store.policies.returns != nil {
            members.append(("hasMerchantReturnPolicy", .object([("@id", .string(product.returnable ? ids.returns : ids.noReturns))])))
        }
        return members
    }

    private static func region(_ country: String) -> JSONValue {
        .object([("@type", .string("DefinedRegion")), ("addressCountry", .string(country))])
    }

    private static func amount(_ money: Money) -> JSONValue {
        .object([("@type", .string("MonetaryAmount")), ("value", .string(money.decimalString)), ("currency", .string(money.currency.code))])
    }

    /// Business days as a `QuantitativeValue`: `unitCode` `DAY` in a delivery time, `d` in a
    /// `ServicePeriod` (as schema.org and Google's examples write them).
    private static func days(_ range: ClosedRange<Int>, unit: String = "DAY") -> JSONValue {
        .object([
            ("@type", .string("QuantitativeValue")), ("minValue", .int(Int64(range.lowerBound))), ("maxValue", .int(Int64(range.upperBound))),
            ("unitCode", .string(unit)),
        ])
    }

    /// Business days as a `ServicePeriod`, as `ShippingService` wants them.
    private static func period(_ range: ClosedRange<Int>) -> JSONValue {
        .object([("@type", .string("ServicePeriod")), ("duration", days(range, unit: "d"))])
    }
}
