/// How amounts of one currency are written for shoppers: the parameters behind `MoneyFormatter`.
///
/// The generator publishes these parameters with every page (`<meta name="currency">`), and the
/// theme's scripts format the cart and checkout with them, so a price reads the same in the HTML,
/// in the browser and in the order API's answers.
public struct MoneyFormat: Sendable, Hashable {
    /// Text before the number: `NT$`, `US$`, or the code and a space (`CHF `) for a currency
    /// without a known symbol.
    public var prefix: String
    /// Text after the number (empty for every currency Storefront knows).
    public var suffix: String
    /// Digits after the decimal separator: the currency's exponent (TWD 0, USD 2).
    public var decimals: Int
    /// Written between groups of the whole part's digits (`,` in `1,280`).
    public var groupSeparator: String
    /// Digits per group of the whole part, counted from the right (3).
    public var groupSize: Int
    /// Written between the whole part and the decimals (`.` in `19.99`).
    public var decimalSeparator: String
    /// Written before the prefix of a negative amount (`-NT$150`).
    public var minusSign: String

    /// Writes an amount given in minor units: `128000` in USD is `US$1,280.00`.
    public func format(minorUnits: Int64) -> String {
        var digits = String(minorUnits.magnitude)
        if digits.count <= decimals { digits = String(repeating: "0", count: decimals + 1 - digits.count) + digits }
        let whole = digits.dropLast(decimals)
        var out = minorUnits < 0 ? minusSign + prefix : prefix
        for (index, digit) in whole.enumerated() {
            if index > 0, (whole.count - index) % groupSize == 0 { out += groupSeparator }
            out.append(digit)
        }
        if decimals > 0 { out += decimalSeparator + digits.suffix(decimals) }
        return out + suffix
    }
}
