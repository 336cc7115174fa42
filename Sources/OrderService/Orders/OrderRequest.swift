import Foundation
import StoreModel

/// A checked `POST /order` body. Unknown fields are ignored; any price the client sends plays no part.
struct OrderRequest: Sendable, Hashable {
    var items: [CartItem]
    var customer: Customer
    var shipping: ShippingAddress
    var paymentMethod: PaymentMethod
    var note: String
    var catalogVersion: String?

    static let maximumLines = 50
    static let quantities = 1...99

    /// Reads and checks a body, reporting every bad field at once (as `items[0].quantity`, `customer.email`, ...).
    static func parse(_ data: Data, enabledMethods: [PaymentMethod]) throws(APIError) -> OrderRequest {
        let root = try JSONValue.parse(data)
        guard root.isObject else {
            throw APIError.invalidRequest(["": "the body must be a JSON object"], message: "The body must be a JSON object.")
        }
        var check = FieldValidator()
        var items: [CartItem] = []
        switch root["items"] {
        case .array(let lines):
            if lines.isEmpty || lines.count > maximumLines {
                check.fail("items", "must have 1 to \(maximumLines) lines")
            }
            for (index, line) in lines.prefix(maximumLines).enumerated() {
                let prefix = "items[\(index)]"
                guard case .object = line else {
                    check.fail(prefix, "must be an object with sku and quantity")
                    continue
                }
                let sku = check.string(line["sku"], prefix + ".sku", required: true, length: ProductRules.skuLength)
                if let sku, !ProductRules.isValidSKU(sku) {
                    check.fail(prefix + ".sku", ProductRules.skuCharactersProblem)
                }
                let quantity = check.integer(line["quantity"], prefix + ".quantity", range: quantities)
                if let sku, let quantity, ProductRules.isValidSKU(sku) { items.append(CartItem(sku: sku, quantity: quantity)) }
            }
        case nil, .null?: check.fail("items", "is required")
        case let other?: check.fail("items", "must be an array, not \(other.typeName)")
        }

        let customerValue = root["customer"]
        if let customerValue, customerValue != .null, !customerValue.isObject { check.fail("customer", "must be an object") }
        let name = check.string(customerValue?["name"], "customer.name", required: true, length: 1...100)
        let email = check.string(customerValue?["email"], "customer.email", required: true, length: 3...254)
        if let email, !Self.isPlausibleEmail(email) { check.fail("customer.email", "is not an e-mail address") }
        let phone = check.string(customerValue?["phone"], "customer.phone", required: true, length: 6...30)
        if let phone, !Self.isPlausiblePhone(phone) {
            check.fail("customer.phone", "must be 6 to 20 digits (spaces, '+', '-' and parentheses allowed)")
        }

        let shippingValue = root["shipping"]
        if let shippingValue, shippingValue != .null, !shippingValue.isObject { check.fail("shipping", "must be an object") }
        let postalCode = check.string(shippingValue?["postalCode"], "shipping.postalCode", required: false, length: 1...12) ?? ""
        if !postalCode.isEmpty, !postalCode.unicodeScalars.allSatisfy({ $0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == " " || $0 == "-" }) {
            check.fail("shipping.postalCode", "may contain only letters, digits, spaces and '-'")
        }
        let city = check.string(shippingValue?["city"], "shipping.city", required: true, length: 1...60)
        let address = check.string(shippingValue?["address"], "shipping.address", required: true, length: 1...200)

        var method: PaymentMethod? = nil
        if let text = check.string(root["paymentMethod"], "paymentMethod", required: true, length: 1...32) {
            if let known = PaymentMethod(rawValue: text), enabledMethods.contains(known) {
                method = known
            } else {
                check.fail("paymentMethod", "must be one of \(enabledMethods.map(\.rawValue).joined(separator: ", "))")
            }
        }
        let note = check.string(root["note"], "note", required: false, length: 0...1000, multiline: true) ?? ""
        let catalogVersion = check.string(root["catalogVersion"], "catalogVersion", required: false, length: 1...64)

        guard check.problems.isEmpty, let name, let email, let phone, let city, let address, let method else {
            throw APIError.invalidRequest(check.problems)
        }
        return OrderRequest(
            items: items, customer: Customer(name: name, email: email, phone: phone),
            shipping: ShippingAddress(postalCode: postalCode, city: city, address: address), paymentMethod: method,
            note: note, catalogVersion: catalogVersion)
    }

    static func isPlausibleEmail(_ email: String) -> Bool {
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[0].count <= 64 else { return false }
        let domain = parts[1]
        guard domain.contains("."), !domain.hasPrefix("."), !domain.hasSuffix("."), !domain.contains("..") else { return false }
        return !email.contains(where: { $0 == " " || $0 == "<" || $0 == ">" || $0 == "\"" || $0 == "," || $0 == ";" })
    }

    static func isPlausiblePhone(_ phone: String) -> Bool {
        let digits = phone.filter(\.isASCIIDigit).count
        return (6...20).contains(digits) && phone.allSatisfy { $0.isASCIIDigit || " +-()".contains($0) }
    }
}
