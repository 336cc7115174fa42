import Foundation
import StoreModel

/// How an order line keeps its variant's option values in the database (`order_lines.options`,
/// both stores): empty for a product without options, else JSON `[{"name":…,"value":…}]`, in the
/// product's option order.
enum OrderLineOptions {
    /// The column's text for `options`.
    static func column(_ options: [ChosenOption]) -> String {
        guard !options.isEmpty else { return "" }
        var json = JSONBytes(capacity: 48 * options.count)
        json.optionList(options)
        return String(decoding: json.bytes, as: UTF8.self)
    }

    /// The options a column's text holds; throws `StoreError.corruptRow` naming `row` when it is
    /// neither empty nor that JSON.
    static func parse(_ text: String, row: String) throws -> [ChosenOption] {
        guard !text.isEmpty else { return [] }
        do {
            return try JSONDecoder().decode([ChosenOption].self, from: Data(text.utf8))
        } catch {
            throw StoreError.corruptRow("\(row): options")
        }
    }
}
