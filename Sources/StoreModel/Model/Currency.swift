/// An ISO 4217 currency with the number of digits Storefront uses after the decimal point.
///
/// Storefront follows local practice where it differs from ISO 4217: the New Taiwan dollar is
/// priced and paid in whole dollars (ECPay takes integer amounts), so `TWD` has no minor digits.
public struct Currency: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The three-letter ISO 4217 code, for example `TWD`.
    public let code: String
    /// Digits after the decimal point: the price `19.99` in a 2-digit currency is 1999 minor units.
    public let exponent: Int

    /// Known currencies whose exponent is not 2.
    private static let exponents: [String: Int] = [
        "TWD": 0, "JPY": 0, "KRW": 0, "VND": 0, "CLP": 0, "ISK": 0, "HUF": 2, "UGX": 0, "XAF": 0, "XOF": 0,
        "BHD": 3, "KWD": 3, "OMR": 3, "JOD": 3, "TND": 3, "IQD": 3, "LYD": 3,
    ]

    /// Creates a currency from its ISO 4217 code; `nil` when the code is not three capital letters.
    public init?(code: String) {
        guard code.utf8.count == 3, code.utf8.allSatisfy({ $0 >= 65 && $0 <= 90 }) else { return nil }
        self.code = code
        self.exponent = Self.exponents[code] ?? 2
    }

    /// The code, for example `TWD`.
    public var description: String { code }

    /// The value of one major unit in minor units (1 for TWD, 100 for USD).
    public var minorPerMajor: Int64 {
        var value: Int64 = 1
        for _ in 0..<exponent { value *= 10 }
        return value
    }

    public init(from decoder: any Decoder) throws {
        let code = try decoder.singleValueContainer().decode(String.self)
        guard let currency = Currency(code: code) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not an ISO 4217 code: \(code)"))
        }
        self = currency
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(code)
    }
}
