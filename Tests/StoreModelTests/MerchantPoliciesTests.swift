import Foundation
import Testing

@testable import StoreModel

/// `shippingDetails` and `returnPolicy` in `store.json`: the defaults a shop gets without them,
/// what an owner overrides, and each mistake reported on its line.
@Suite(.timeLimit(.minutes(1))) struct MerchantPoliciesTests {
    /// The store read from `ContentFixture.defaultStore` with `extra` members added, or the problems.
    static func store(_ extra: String, locale: String = "en", currency: String = "TWD") -> Result<StoreConfig, ContentError> {
        let text = ContentFixture.defaultStore
            .replacingOccurrences(of: "\"locale\": \"en\"", with: "\"locale\": \"\(locale)\"")
            .replacingOccurrences(of: "\"currency\": \"TWD\"", with: "\"currency\": \"\(currency)\"")
            .replacingOccurrences(of: "\"shipping\": {", with: extra + "\n  \"shipping\": {")
        do {
            let fixture = try ContentFixture(store: text)
            defer { fixture.cleanUp() }
            return CatalogLoader(contentDirectory: fixture.content).loadStore()
        } catch {
            Issue.record(error)
            return .failure(ContentError(issues: []))
        }
    }

    static func problems(_ extra: String) -> [String] {
        guard case .failure(let error) = store(extra) else { return [] }
        return error.issues.map { "\($0.line): \($0.field ?? "-"): \($0.message)" }
    }

    @Test func aShopWithoutThemGetsDefaultsFromItsLocaleOrCurrency() throws {
        let taiwan = try Self.store("", locale: "zh-TW").get().policies
        #expect(taiwan.destinations == [.init(country: "TW", handlingDays: 1...2, transitDays: 1...3)])
        #expect(taiwan.returns == .init(countries: ["TW"], window: .days(7), fees: .free, method: .mail), "Taiwan's cooling-off period")
        let us = try Self.store("", currency: "USD").get().policies
        #expect(us.destinations.map(\.country) == ["US"], "no region in the locale: the currency's country")
        #expect(us.returns?.window == .days(14))
        #expect(try Self.store("", locale: "en-GB", currency: "USD").get().policies.destinations.map(\.country) == ["GB"])
        let euro = try Self.store("", locale: "de", currency: "EUR").get().policies
        #expect(euro.destinations.isEmpty && euro.returns == nil, "the euro has no one country: nothing is claimed")
    }

    @Test func anOwnerSetsDestinationsAndTheReturnPolicy() throws {
        let policies = try Self.store(
            """
              "shippingDetails": [{"country": "TW", "handlingDays": [0, 1], "transitDays": 2}, {"country": "JP", "handlingDays": [2, 3], "transitDays": [4, 7]}],
              "returnPolicy": {"countries": ["TW", "JP"], "days": 30, "fees": "customer", "method": "store"},
            """
        ).get().policies
        #expect(
            policies.destinations == [
                .init(country: "TW", handlingDays: 0...1, transitDays: 2...2), .init(country: "JP", handlingDays: 2...3, transitDays: 4...7),
            ])
        #expect(policies.returns == .init(countries: ["TW", "JP"], window: .days(30), fees: .customer, method: .store))
        #expect(try Self.store(#""returnPolicy": {"window": "none"},"#).get().policies.returns?.window == MerchantPolicies.ReturnPolicy.Window.none)
        #expect(try Self.store(#""returnPolicy": {"window": "unlimited"},"#).get().policies.returns?.window == .unlimited)
    }

    @Test func eachMistakeIsReportedOnItsLineWithItsField() {
        // The added members stand on line 8 of the fixture's store.json; problems on one line come by field.
        #expect(
            Self.problems(#""shippingDetails": [{"country": "Taiwan", "handlingDays": [3, 1]}, {"country": "TW"}, {"country": "TW"}],"#) == [
                "8: shippingDetails[0].country: \"Taiwan\" is not an ISO 3166-1 alpha-2 country code such as TW",
                "8: shippingDetails[0].handlingDays: must be [fewest, most] business days from 0 to 60, such as [1, 2]",
                "8: shippingDetails[2].country: TW is listed twice",
            ])
        #expect(
            Self.problems(#""returnPolicy": {"countries": ["tw"], "window": "forever", "days": 0, "fees": "shop", "method": "pigeon"},"#) == [
                "8: returnPolicy.countries: \"tw\" is not an ISO 3166-1 alpha-2 country code such as TW",
                "8: returnPolicy.days: must be between 1 and 365",
                "8: returnPolicy.fees: \"shop\" is not one of free, customer",
                "8: returnPolicy.method: \"pigeon\" is not one of mail, store, kiosk",
                "8: returnPolicy.window: \"forever\" is not one of days, none, unlimited",
            ])
        #expect(Self.problems(#""returnPolicy": {"window": "none", "days": 7},"#) == ["8: returnPolicy.days: is given for a window of \"none\": leave it out"])
        #expect(Self.problems(#""shippingDetails": {"country": "TW"},"#).first?.hasPrefix("8: shippingDetails: must be a list of destinations") == true)
    }
}
