import Testing

@testable import StoreModel

@Suite(.timeLimit(.minutes(2))) struct MoneyTests {
    let twd = Currency(code: "TWD")!
    let usd = Currency(code: "USD")!
    let kwd = Currency(code: "KWD")!

    @Test(arguments: [
        ("1280", "TWD", Int64(1280)), ("0001280", "TWD", 1280), ("19.99", "USD", 1999), ("0.1", "USD", 10),
        ("19.990", "USD", 1999), ("1.234", "KWD", 1234), ("  42 ", "USD", 4200), ("1000000000", "TWD", 1_000_000_000),
        ("0.07", "USD", 7), ("999999999.99", "USD", 99_999_999_999),
    ])
    func parsesExactly(text: String, code: String, minor: Int64) throws {
        let money = try Money.parse(text, currency: Currency(code: code)!)
        #expect(money.minorUnits == minor)
    }

    @Test func decimalsThatFloatingPointWouldRoundAreExact() throws {
        // 0.29 * 100 is 28.999999999999996 in binary floating point.
        #expect(try Money.parse("0.29", currency: usd).minorUnits == 29)
        #expect(try Money.parse("1.15", currency: usd).minorUnits == 115)
        #expect(try Money.parse("4.35", currency: usd).minorUnits == 435)
    }

    @Test(arguments: ["", "abc", "12,80", "1e3", "+5", ".5", "5.", "1.2.3", "0x10", "١٢", "12 80", "NaN", "Infinity"])
    func rejectsWhatIsNotADecimal(text: String) {
        #expect(throws: Money.ParseError.self) { try Money.parse(text, currency: usd) }
    }

    @Test func rejectsNegativeTooPreciseAndTooLarge() {
        #expect(throws: Money.ParseError.negative("-5")) { try Money.parse("-5", currency: usd) }
        #expect(throws: Money.ParseError.tooManyDecimals("19.999", allowed: 2)) { try Money.parse("19.999", currency: usd) }
        #expect(throws: Money.ParseError.tooManyDecimals("19.5", allowed: 0)) { try Money.parse("19.5", currency: twd) }
        #expect(throws: Money.ParseError.tooLarge("1000000001")) { try Money.parse("1000000001", currency: twd) }
        #expect(throws: Money.ParseError.tooLarge("99999999999999999999999")) { try Money.parse("99999999999999999999999", currency: twd) }
    }

    @Test func formatsForShoppers() {
        #expect(Money(minorUnits: 1280, currency: twd).formatted == "NT$1,280")
        #expect(Money(minorUnits: 1_234_567, currency: twd).formatted == "NT$1,234,567")
        #expect(Money(minorUnits: 1999, currency: usd).formatted == "US$19.99")
        #expect(Money(minorUnits: 5, currency: usd).formatted == "US$0.05")
        #expect(Money(minorUnits: -150, currency: twd).formatted == "-NT$150")
        #expect(Money(minorUnits: 1234, currency: kwd).decimalString == "1.234")
        #expect(Money(minorUnits: 100_000, currency: usd).decimalString == "1000.00")
    }

    @Test func currencyCodesAreValidated() {
        #expect(Currency(code: "twd") == nil)
        #expect(Currency(code: "TW") == nil)
        #expect(Currency(code: "TWD")?.exponent == 0)
        #expect(Currency(code: "EUR")?.exponent == 2)
    }

    @Test func arithmeticStaysInMinorUnits() {
        let price = Money(minorUnits: 1999, currency: usd)
        #expect((price * 3).minorUnits == 5997)
        #expect((price + price).minorUnits == 3998)
    }
}
