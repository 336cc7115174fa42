/// Formats money for shoppers without Foundation's locale machinery, so the pages and the API
/// print identical strings on every platform.
public enum MoneyFormatter {
    /// Symbols shown before the amount.
    private static let symbols: [String: String] = [
        "TWD": "NT$", "USD": "US$", "EUR": "€", "JPY": "¥", "GBP": "£", "HKD": "HK$", "CNY": "CN¥",
        "KRW": "₩", "SGD": "S$", "AUD": "A$", "CAD": "CA$",
    ]

    /// `NT$1,280`, `US$19.99`, `-NT$150`.
    public static func format(_ money: Money) -> String {
        let symbol = symbols[money.currency.code] ?? (money.currency.code + " ")
        let decimal = Money(minorUnits: Int64(money.minorUnits.magnitude), currency: money.currency).decimalString
        let parts = decimal.split(separator: ".", maxSplits: 1)
        let whole = groupThousands(String(parts[0]))
        let body = parts.count == 2 ? whole + "." + parts[1] : whole
        return (money.minorUnits < 0 ? "-" : "") + symbol + body
    }

    private static func groupThousands(_ digits: String) -> String {
        var out = ""
        for (index, character) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { out.append(",") }
            out.append(character)
        }
        return out
    }
}
