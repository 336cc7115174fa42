/// One way a product varies (`重量`, `Size`, `Colour`), with the values its variants may take.
public struct ProductOption: Sendable, Hashable {
    /// The option's name, shown beside its picker.
    public var name: String
    /// Its values, in the order the owner listed them (the picker's order).
    public var values: [String]

    /// Creates an option.
    public init(name: String, values: [String]) {
        self.name = name
        self.values = values
    }
}

/// One option value of a variant, named: what an order line keeps, so that a later content
/// change never alters what was bought.
public struct ChosenOption: Sendable, Hashable, Codable {
    /// The option's name (`重量`).
    public var name: String
    /// The variant's value for it (`3 公斤`).
    public var value: String

    /// Creates a chosen option.
    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

extension [ChosenOption] {
    /// The values as shoppers see them on a cart line: `3 公斤 / 紅`.
    public var displayText: String { map(\.value).joined(separator: " / ") }
}
