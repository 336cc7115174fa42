import Foundation

/// What the admin order list's search text matches, the same in every store: the exact order id,
/// a part of the lower-cased e-mail, or (with three digits or more) a part of the phone's digits.
struct OrderSearch: Sendable, Hashable {
    /// The text, trimmed: compared with the order id as is.
    var id: String
    /// A `LIKE` pattern (escape `\`) for `customer_email_lower`.
    var emailPattern: String
    /// A `LIKE` pattern for `customer_phone_digits`, when the text has three digits or more.
    var phonePattern: String?

    /// The search for `text`; `nil` when there is none (absent or blank).
    init?(_ text: String?) {
        guard let search = text?.trimmingCharacters(in: .whitespaces), !search.isEmpty else { return nil }
        id = search
        emailPattern = "%" + Self.likeEscaped(search.lowercased()) + "%"
        let digits = search.filter(\.isASCIIDigit)
        phonePattern = digits.count >= 3 ? "%" + digits + "%" : nil
    }

    /// `text` with the `LIKE` wildcards and the escape character escaped by `\`.
    static func likeEscaped(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_")
    }
}

extension OrderQuery {
    /// The number of orders on a page: `limit`, at least 1.
    var pageSize: Int { max(1, limit) }
}

extension OrderPage {
    /// A page of `orders` (at most `pageSize`, newest first); `more` when the query matched more
    /// orders after them, so the page has a cursor from its last order.
    init(orders: [Order], more: Bool) {
        self.init(orders: orders, nextCursor: more ? orders.last.map { OrderCursor(createdAtMillis: $0.createdAt.millis, id: $0.id) } : nil)
    }
}
