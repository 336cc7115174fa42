/// An exact amount of money: integer minor units of one currency. Never floating point.
public struct Money: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The amount in minor units (cents for USD, dollars for TWD).
    public var minorUnits: Int64
    /// The currency of the amount.
    public var currency: Currency

    /// Creates an amount from minor units.
    public init(minorUnits: Int64, currency: Currency) {
        self.minorUnits = minorUnits
        self.currency = currency
    }

    /// Zero in the given currency.
    public static func zero(_ currency: Currency) -> Money { Money(minorUnits: 0, currency: currency) }

    /// The largest amount Storefront accepts for one price: 1,000,000,000 major units.
    public static let maximumMajorUnits: Int64 = 1_000_000_000

    /// Why a price string was rejected.
    public enum ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        case empty
        case notADecimal(String)
        case tooManyDecimals(String, allowed: Int)
        case negative(String)
        case tooLarge(String)

        public var description: String {
            switch self {
            case .empty: "is empty"
            case .notADecimal(let text): "\"\(text)\" is not a decimal number such as 1280 or 19.99"
            case .tooManyDecimals(let text, let allowed):
                allowed == 0
                    ? "\"\(text)\" has decimals, but this currency has no minor unit"
                    : "\"\(text)\" has more than \(allowed) decimal digits"
            case .negative(let text): "\"\(text)\" is negative"
            case .tooLarge(let text): "\"\(text)\" is larger than \(Money.maximumMajorUnits)"
            }
        }
    }

    /// Parses a decimal string in major units (`1280`, `19.99`, `1,280` is rejected) exactly.
    ///
    /// The text is read digit by digit into an integer; it never passes through floating point.
    public static func parse(_ text: String, currency: Currency) throws(ParseError) -> Money {
        let trimmed = text.trimmingASCIIWhitespace()
        guard !trimmed.isEmpty else { throw .empty }
        var bytes = Substring(trimmed).utf8[...]
        if bytes.first == UInt8(ascii: "-") { throw .negative(trimmed) }
        var whole: Int64 = 0
        var wholeDigits = 0
        while let b = bytes.first, b >= 48, b <= 57 {
            whole = whole * 10 + Int64(b - 48)
            wholeDigits += 1
            if whole > maximumMajorUnits { throw .tooLarge(trimmed) }
            bytes = bytes.dropFirst()
        }
        var fraction: Int64 = 0
        var fractionDigits = 0
        if bytes.first == UInt8(ascii: ".") {
            bytes = bytes.dropFirst()
            while let b = bytes.first, b >= 48, b <= 57 {
                fractionDigits += 1
                if fractionDigits > currency.exponent {
                    if b != 48 { throw .tooManyDecimals(trimmed, allowed: currency.exponent) }
                } else {
                    fraction = fraction * 10 + Int64(b - 48)
                }
                bytes = bytes.dropFirst()
            }
            if fractionDigits == 0 { throw .notADecimal(trimmed) }
        }
        guard bytes.isEmpty, wholeDigits > 0 else { throw .notADecimal(trimmed) }
        for _ in min(fractionDigits, currency.exponent)..<currency.exponent { fraction *= 10 }
        return Money(minorUnits: whole * currency.minorPerMajor + fraction, currency: currency)
    }

    /// The amount as a plain decimal in major units: `1280`, `19.99`.
    public var decimalString: String {
        let sign = minorUnits < 0 ? "-" : ""
        let magnitude = minorUnits.magnitude
        let per = UInt64(currency.minorPerMajor)
        let whole = magnitude / per
        guard currency.exponent > 0 else { return sign + String(whole) }
        var fraction = String(magnitude % per)
        while fraction.count < currency.exponent { fraction = "0" + fraction }
        return "\(sign)\(whole).\(fraction)"
    }

    /// The amount formatted for shoppers, for example `NT$1,280` or `US$19.99`.
    public var formatted: String { MoneyFormatter.format(self) }

    /// `TWD 1280`.
    public var description: String { "\(currency.code) \(decimalString)" }

    public static func < (lhs: Money, rhs: Money) -> Bool { lhs.minorUnits < rhs.minorUnits }

    /// Adds two amounts of one currency; traps on overflow, which validated prices cannot reach.
    public static func + (lhs: Money, rhs: Money) -> Money {
        precondition(lhs.currency == rhs.currency, "adding \(lhs.currency) to \(rhs.currency)")
        return Money(minorUnits: lhs.minorUnits + rhs.minorUnits, currency: lhs.currency)
    }

    /// Multiplies an amount by a quantity.
    public static func * (lhs: Money, rhs: Int) -> Money {
        Money(minorUnits: lhs.minorUnits * Int64(rhs), currency: lhs.currency)
    }
}

extension String {
    /// The string without leading and trailing spaces, tabs and line breaks.
    func trimmingASCIIWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let start = firstIndex(where: { !isSpace($0) }), let end = lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(self[start...end])
    }
}
