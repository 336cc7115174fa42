/// How many entries one page of an admin list may hold (`?limit=`), for every admin list.
enum AdminPageLimit {
    /// The limits a client may ask for.
    static let range = 1...100

    /// Says why another `limit` is refused.
    static let problem = "must be a whole number from \(range.lowerBound) to \(range.upperBound)"

    /// The limit `text` asks for, or `nil` when it is not a whole number in `range`.
    static func parse(_ text: String) -> Int? {
        guard let value = Int(text), range.contains(value) else { return nil }
        return value
    }
}
