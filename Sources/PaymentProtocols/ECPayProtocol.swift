import Foundation

/// Facts of ECPay's All-In-One checkout (AioCheckOut/V5) shared by the API and the sandbox.
public enum ECPayProtocol {
    /// The public stage merchant id.
    public static let stageMerchantID = "3002607"
    /// The public stage HashKey.
    public static let stageHashKey = "pwFHCqoQZGmho4w6"
    /// The public stage HashIV.
    public static let stageHashIV = "EkRm7iFT261dpevs"
    /// The stage gateway's origin.
    public static let stageOrigin = "https://payment-stage.ecpay.com.tw"
    /// The production gateway's origin.
    public static let productionOrigin = "https://payment.ecpay.com.tw"
    /// The checkout path under a gateway origin.
    public static let checkoutPath = "/Cashier/AioCheckOut/V5"
    /// The server-to-server order query path under a gateway origin.
    public static let queryPath = "/Cashier/QueryTradeInfo/V5"
    /// The reply that tells ECPay a notification was accepted.
    public static let acceptedReply = "1|OK"
    /// The longest `ItemName`.
    public static let itemNameLimit = 400
    /// The longest `MerchantTradeNo`.
    public static let tradeNumberLimit = 20

    /// Taiwan time (UTC+8, no daylight saving), in which every ECPay date is written.
    public static let taiwanTime = TimeZone(secondsFromGMT: 8 * 3600)!

    /// `yyyy/MM/dd HH:mm:ss` in Taiwan time.
    public static func tradeDate(_ date: Date) -> String {
        format(date, withTime: true)
    }

    /// `yyyy/MM/dd` in Taiwan time.
    public static func day(_ date: Date) -> String {
        format(date, withTime: false)
    }

    /// Parses `yyyy/MM/dd HH:mm:ss` or `yyyy/MM/dd` in Taiwan time.
    public static func parseDate(_ text: String) -> Date? {
        let parts = text.split(whereSeparator: { $0 == "/" || $0 == " " || $0 == ":" }).map { Int($0) }
        guard parts.count == 3 || parts.count == 6, parts.allSatisfy({ $0 != nil }) else { return nil }
        var components = DateComponents()
        components.timeZone = taiwanTime
        components.year = parts[0]
        components.month = parts[1]
        components.day = parts[2]
        if parts.count == 6 {
            components.hour = parts[3]
            components.minute = parts[4]
            components.second = parts[5]
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = taiwanTime
        return calendar.date(from: components)
    }

    /// Whether `text` can be a `MerchantTradeNo`: 1 to 20 ASCII letters and digits.
    public static func isValidTradeNumber(_ text: String) -> Bool {
        (1...tradeNumberLimit).contains(text.utf8.count)
            && text.utf8.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 65 && $0 <= 90) || ($0 >= 97 && $0 <= 122) }
    }

    /// An item name for `ItemName`: control characters and the `#` separator become spaces, runs of
    /// white space collapse, and the text is trimmed.
    public static func cleanItemName(_ text: String) -> String {
        var out = ""
        var lastWasSpace = true
        for scalar in text.unicodeScalars {
            let isSpace =
                scalar == "#" || scalar.properties.generalCategory == .control || scalar.properties.isWhitespace
                || scalar.properties.generalCategory == .format
            if isSpace {
                if !lastWasSpace { out.unicodeScalars.append(" ") }
                lastWasSpace = true
            } else {
                out.unicodeScalars.append(scalar)
                lastWasSpace = false
            }
        }
        return out.trimmingCharacters(in: .whitespaces)
    }

    /// Items joined by `#`, each cleaned, cut to at most `itemNameLimit` characters (never inside a
    /// character, and never leaving a dangling `#`).
    public static func itemName(_ items: [String]) -> String {
        var joined = items.map(cleanItemName).filter { !$0.isEmpty }.joined(separator: "#")
        if joined.count > itemNameLimit {
            joined = String(joined.prefix(itemNameLimit))
            while joined.hasSuffix("#") || joined.hasSuffix(" ") { joined.removeLast() }
        }
        return joined
    }

    private static func format(_ date: Date, withTime: Bool) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = taiwanTime
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func two(_ value: Int?) -> String { let v = value ?? 0; return v < 10 ? "0\(v)" : "\(v)" }
        let day = "\(c.year ?? 0)/\(two(c.month))/\(two(c.day))"
        return withTime ? day + " \(two(c.hour)):\(two(c.minute)):\(two(c.second))" : day
    }
}
