/// Formats money for shoppers without Foundation's locale machinery, so the pages, the browser
/// scripts and the API print identical strings on every platform.
///
/// The shop's currency decides the format, once: `format(for:)` gives its parameters, which
/// `format(_:)` itself uses and which the generator hands to the theme's scripts.
public enum MoneyFormatter {
    /// Symbols shown before the amount.
    private static let symbols: [String: String] = [
        "TWD": "NT$", "USD": "US$", "EUR": "€", "JPY": "¥", "GBP": "£", "HKD": "HK$", "CNY": "CN¥",
        "KRW": "₩", "SGD": "S$", "AUD": "A$", "CAD": "CA$",
    ]

    /// The format of `currency`'s amounts: symbol prefix, its decimals, `,` groups of three and a `.`.
    public static func format(for currency: Currency) -> MoneyFormat {
        MoneyFormat(
            prefix: symbols[currency.code] ?? (currency.code + " "), suffix: "", decimals: currency.exponent,
            groupSeparator: ",", groupSize: 3, decimalSeparator: ".", minusSign: "-")
    }

    /// `NT$1,280`, `US$19.99`, `-NT$150`.
    public static func format(_ money: Money) -> String {
        format(for: money.currency).format(minorUnits: money.minorUnits)
    }
}
