import Foundation
import StoreModel

/// A generic JSON value, so that request bodies can be checked field by field and every problem
/// reported at once (a typed `Decodable` stops at the first wrong type).
enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case integer(Int64)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// Parses a body; throws `APIError.invalidJSON` when it is not JSON (or not UTF-8).
    ///
    /// It reads with the content's strict JSON reader (`ContentJSON`), several times faster than
    /// `JSONDecoder` into this enum: a number is `.integer` when it is written as one and fits
    /// 64 bits, else `.number`; a number too big for a `Double` is not JSON; of two members with
    /// one name the last counts.
    static func parse(_ data: Data) throws(APIError) -> JSONValue {
        guard let text = String(validating: data, as: UTF8.self), let parsed = try? ContentJSON.parse(text), let value = JSONValue(parsed) else {
            throw APIError.invalidJSON()
        }
        return value
    }

    /// The value read by `ContentJSON`; `nil` for a number no `Double` can hold.
    init?(_ value: ContentValue) {
        switch value.kind {
        case .null: self = .null
        case .scalar(let text, quoted: true): self = .string(text)
        case .scalar("true", quoted: false): self = .bool(true)
        case .scalar("false", quoted: false): self = .bool(false)
        case .scalar(let text, quoted: false):
            if let integer = Int64(text) {
                self = .integer(integer)
            } else if let number = Double(text), number.isFinite {
                self = .number(number)
            } else {
                return nil
            }
        case .list(let items):
            var array: [JSONValue] = []
            array.reserveCapacity(items.count)
            for item in items {
                guard let element = JSONValue(item) else { return nil }
                array.append(element)
            }
            self = .array(array)
        case .map(let members):
            var object: [String: JSONValue] = [:]
            object.reserveCapacity(members.count)
            for member in members {
                guard let element = JSONValue(member.value) else { return nil }
                object[member.key] = element
            }
            self = .object(object)
        }
    }

    subscript(key: String) -> JSONValue? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    var isObject: Bool {
        if case .object = self { return true }
        return false
    }

    var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .integer, .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}
