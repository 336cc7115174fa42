import Testing

@testable import StoreModel

/// `MoneyFormatter.format(for:)` is what the theme's scripts format with: its parameters, applied
/// the way `site.js` applies them, must give exactly `MoneyFormatter.format(_:)`'s strings.
@Suite(.timeLimit(.minutes(2))) struct MoneyFormatTests {
    static let codes = ["TWD", "USD", "EUR", "JPY", "GBP", "KRW", "KWD", "BHD", "CHF", "SEK", "VND", "CAD"]

    /// Amounts around every grouping boundary and the extremes, plus a fixed pseudo-random spread.
    static let amounts: [Int64] = {
        var values: [Int64] = [
            0, 1, 5, 9, 10, 99, 100, 101, 999, 1000, 1001, 9999, 10_000, 99_999, 100_000, 999_999,
            1_000_000, 1_234_567, 12_345_678_901, 99_999_999_999_999, Int64.max, -1, -150, -100_000, -Int64.max,
        ]
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        for _ in 0..<200 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            values.append(Int64(state >> 20) % 10_000_000_000 * (state & 1 == 0 ? 1 : -1))
        }
        return values
    }()

    /// An independent writer of the parameters: starts from `Money.decimalString` (not from the
    /// formatter's digit handling) and follows site.js's steps.
    static func reference(_ money: Money, _ format: MoneyFormat) -> String {
        let decimal = Money(minorUnits: Int64(money.minorUnits.magnitude), currency: money.currency).decimalString
        let parts = decimal.split(separator: ".").map(String.init)
        var whole = parts[0]
        var groups: [String] = []
        while whole.count > format.groupSize {
            groups.insert(String(whole.suffix(format.groupSize)), at: 0)
            whole = String(whole.dropLast(format.groupSize))
        }
        groups.insert(whole, at: 0)
        var text = groups.joined(separator: format.groupSeparator)
        if parts.count == 2 { text += format.decimalSeparator + parts[1] }
        return (money.minorUnits < 0 ? format.minusSign : "") + format.prefix + text + format.suffix
    }

    @Test(arguments: codes)
    func parametersReproduceTheFormatter(code: String) {
        let currency = Currency(code: code)!
        let format = MoneyFormatter.format(for: currency)
        #expect(format.decimals == currency.exponent)
        for minor in Self.amounts {
            let money = Money(minorUnits: minor, currency: currency)
            #expect(MoneyFormatter.format(money) == Self.reference(money, format), "\(code) \(minor)")
            #expect(money.formatted == format.format(minorUnits: minor))
        }
    }

    @Test func knownStrings() {
        let usd = Currency(code: "USD")!, twd = Currency(code: "TWD")!, kwd = Currency(code: "KWD")!, chf = Currency(code: "CHF")!
        #expect(Money(minorUnits: 38_000, currency: usd).formatted == "US$380.00")
        #expect(Money(minorUnits: 380, currency: twd).formatted == "NT$380")
        #expect(Money(minorUnits: 1_234_567, currency: kwd).formatted == "KWD 1,234.567")
        #expect(Money(minorUnits: 7, currency: chf).formatted == "CHF 0.07")
        #expect(Money(minorUnits: -100_000, currency: usd).formatted == "-US$1,000.00")
        #expect(MoneyFormatter.format(for: chf).prefix == "CHF ")
    }
}
