/// An optional member that an answer writes as `null` when absent. A synthesized `Encodable` leaves
/// absent optionals out; members marked `@ExplicitNull` keep their key, so clients always see it.
@propertyWrapper
public struct ExplicitNull<Value: Encodable>: Encodable {
    /// The member's value.
    public var wrappedValue: Value?

    /// Wraps a value.
    public init(wrappedValue: Value?) {
        self.wrappedValue = wrappedValue
    }

    /// Writes the value, or `null`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if let wrappedValue {
            try container.encode(wrappedValue)
        } else {
            try container.encodeNil()
        }
    }
}

extension ExplicitNull: Sendable where Value: Sendable {}
extension ExplicitNull: Equatable where Value: Equatable {}
extension ExplicitNull: Hashable where Value: Hashable {}
