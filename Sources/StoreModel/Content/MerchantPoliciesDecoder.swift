/// Reads `shippingDetails` and `returnPolicy` from `store.json`, over the defaults:
///
///     "shippingDetails": [{"country": "TW", "handlingDays": [1, 2], "transitDays": [1, 2]}],
///     "returnPolicy": {"countries": ["TW"], "days": 7, "fees": "free", "method": "mail"}
///
/// `returnPolicy.window` may be `days` (the default, with `days`), `none` or `unlimited`.
enum MerchantPoliciesDecoder {
    static let destinationFields: Set<String> = ["country", "handlingDays", "transitDays"]
    static let returnFields: Set<String> = ["countries", "window", "days", "fees", "method"]

    static func read(from reader: inout FieldReader, defaults: MerchantPolicies) -> MerchantPolicies {
        var policies = defaults
        if let field = reader.fields["shippingDetails"] {
            var destinations: [MerchantPolicies.Destination] = []
            if let items = reader.listItems(field, noun: "destinations", shape: "each with country, handlingDays and transitDays", maximum: 250) {
                for (index, item) in items.enumerated() {
                    let name = "shippingDetails[\(index)]"
                    guard var sub = reader.itemReader(item, name: name, known: destinationFields, members: "country, handlingDays and transitDays")
                    else { continue }
                    let country = Self.country(&sub, "country", required: true)
                    let handling = Self.days(&sub, "handlingDays") ?? 1...2
                    let transit = Self.days(&sub, "transitDays") ?? 1...3
                    if let country, destinations.contains(where: { $0.country == country }) {
                        sub.issue(sub.line(of: "country"), "country", "\(country) is listed twice")
                    }
                    reader.adopt(sub, as: name)
                    if let country { destinations.append(.init(country: country, handlingDays: handling, transitDays: transit)) }
                }
            }
            policies.destinations = destinations
        }
        if let members = reader.map("returnPolicy") {
            var sub = FieldReader(file: reader.file, fields: members, known: returnFields, fallbackLine: reader.line(of: "returnPolicy"))
            var policy =
                defaults.returns
                ?? MerchantPolicies.ReturnPolicy(countries: policies.destinations.map(\.country), window: .days(14), fees: .free, method: .mail)
            if sub.fields["countries"] != nil {
                let countries = sub.stringList("countries", maxItems: 250)
                for code in countries { if let problem = countryProblem(code) { sub.issue(sub.line(of: "countries"), "countries", problem) } }
                if countries.isEmpty { sub.issue(sub.line(of: "countries"), "countries", "must name at least one country") }
                policy.countries = countries
            }
            let days = sub.integer("days", range: 1...365)
            let window = sub.string("window", maxLength: 20) ?? "days"
            switch window {
            case "days": if let days { policy.window = .days(days) }
            case "none", "unlimited":
                if days != nil { sub.issue(sub.line(of: "days"), "days", "is given for a window of \"\(window)\": leave it out") }
                policy.window = window == "none" ? .none : .unlimited
            default: sub.issue(sub.line(of: "window"), "window", "\"\(window)\" is not one of days, none, unlimited")
            }
            if let fees: MerchantPolicies.ReturnPolicy.Fees = sub.choice("fees") { policy.fees = fees }
            if let method: MerchantPolicies.ReturnPolicy.Method = sub.choice("method") { policy.method = method }
            reader.absorb(sub, prefix: "returnPolicy.")
            policies.returns = policy
        }
        return policies
    }

    static func country(_ reader: inout FieldReader, _ key: String, required: Bool) -> String? {
        guard let code = reader.string(key, required: required, maxLength: 10) else { return nil }
        if let problem = countryProblem(code) {
            reader.issue(reader.line(of: key), key, problem)
            return nil
        }
        return code
    }

    /// Why `code` is no country code, or `nil`.
    static func countryProblem(_ code: String) -> String? {
        MerchantPolicies.isCountryCode(code) ? nil : "\"\(code)\" is not an ISO 3166-1 alpha-2 country code such as TW"
    }

    /// `[min, max]` business days (0 to 60), or one number for both.
    static func days(_ reader: inout FieldReader, _ key: String) -> ClosedRange<Int>? {
        guard let field = reader.fields[key] else { return nil }
        let items: [ContentValue]
        switch field.value.kind {
        case .scalar: items = [field.value, field.value]
        case .list(let list) where list.count == 2: items = list
        default: items = []
        }
        let numbers = items.compactMap { item -> Int? in
            guard case .scalar(let text, _) = item.kind, let value = Int(text.trimmingASCIIWhitespace()), (0...60).contains(value) else { return nil }
            return value
        }
        guard numbers.count == 2, numbers[0] <= numbers[1] else {
            reader.issue(field.line, key, "must be [fewest, most] business days from 0 to 60, such as [1, 2]")
            return nil
        }
        return numbers[0]...numbers[1]
    }
}
