import Foundation
import Hummingbird
import StoreModel

/// `GET /admin/products` (catalog with live stock) and `PATCH /admin/products/{sku}`.
///
/// A price or draft change rewrites only that value in the product's content file (the content
/// stays the one source of truth), then reloads the catalog; a stock change sets the live stock.
struct AdminProductController {
    let catalog: CatalogProvider
    let store: any OrderStore
    let bodyLimit: Int
    let contentChanged: ContentChangeHook

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("products", use: list)
        group.patch("products/{sku}", use: update)
    }

    struct StockJSON: Encodable {
        var available: Int
        var reserved: Int
        var sold: Int
    }

    struct ProductJSON: Encodable {
        var sku: String
        var title: String
        var priceMinor: Int64
        var price: String
        var draft: Bool
        @ExplicitNull var stock: StockJSON?
        var sourcePath: String
        /// For a variant: its product's slug (shared by its siblings) and its option values.
        var product: String?
        var options: [ChosenOption]?

        init(_ product: Product, level: StockLevel?) {
            sku = product.sku
            title = product.title
            priceMinor = product.price.minorUnits
            price = product.price.formatted
            draft = product.draft
            stock = level.map { StockJSON(available: $0.available, reserved: $0.reserved, sold: $0.sold) }
            sourcePath = product.sourcePath
            if product.isVariant {
                self.product = product.slug
                options = product.chosenOptions
            }
        }
    }

    struct ListAnswer: Encodable {
        var products: [ProductJSON]
        @ExplicitNull var nextCursor: String?
        var catalogVersion: String
    }

    struct ProductAnswer: Encodable {
        var product: ProductJSON
        var catalogVersion: String
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        let parameters = request.uri.queryParameters
        var limit = 50
        if let text = parameters.get("limit"), !text.isEmpty {
            guard let value = AdminPageLimit.parse(text) else { throw APIError.invalidRequest(["limit": AdminPageLimit.problem]) }
            limit = value
        }
        let search = parameters.get("q").map { $0.lowercased() }.flatMap { $0.isEmpty ? nil : $0 }
        let cursor = parameters.get("cursor").flatMap { $0.isEmpty ? nil : $0 }
        let catalog = catalog.current
        var products = catalog.productsBySKU
        if let search {
            products = products.filter { $0.sku.lowercased().contains(search) || $0.title.lowercased().contains(search) }
        }
        if let cursor { products = products.filter { $0.sku > cursor } }
        let page = Array(products.prefix(limit))
        let next = products.count > limit ? page.last?.sku : nil
        let levels = try await store.stockLevels(skus: page.map(\.sku))
        return try JSONResponse.make(
            status: .ok,
            body: ListAnswer(products: page.map { ProductJSON($0, level: levels[$0.sku]) }, nextCursor: next, catalogVersion: catalog.version))
    }

    @Sendable func update(_ request: Request, context: AppRequestContext) async throws -> Response {
        let sku = context.parameters.get("sku") ?? ""
        guard let product = catalog.current.product(sku: sku) else { throw APIError.notFound("No product has this SKU.") }
        let body = try await request.collectBody(limit: bodyLimit, context: context)
        let root = try JSONValue.parse(Data(buffer: body))
        guard root.isObject else { throw APIError.invalidRequest(["": "the body must be a JSON object"]) }
        let currency = catalog.current.store.currency
        var fields: [String: String] = [:]
        var price: Money? = nil
        if let value = root["price"], value != .null {
            let source: String?
            switch value {
            case .string(let text): source = text
            case .integer(let number): source = String(number)
            default: source = nil
            }
            if let source {
                do {
                    let money = try Money.parse(source, currency: currency)
                    if ProductRules.isValidPrice(money) { price = money } else { fields["price"] = ProductRules.priceProblem }
                } catch {
                    fields["price"] = error.description
                }
            } else {
                fields["price"] = "must be a decimal string such as \"380\" or \"19.99\", not \(value.typeName)"
            }
        }
        var stock: Int? = nil
        if let value = root["stock"], value != .null {
            if case .integer(let number) = value, let units = Int(exactly: number), ProductRules.isValidStock(units) {
                stock = units
            } else {
                fields["stock"] = "must be a whole number from \(ProductRules.stockRange.lowerBound) to \(ProductRules.stockRange.upperBound)"
            }
        }
        var draft: Bool? = nil
        if let value = root["draft"], value != .null {
            if case .bool(let flag) = value { draft = flag } else { fields["draft"] = "must be true or false" }
        }
        if fields.isEmpty, price == nil, stock == nil, draft == nil {
            fields["price"] = "give at least one of price, stock and draft"
        }
        guard fields.isEmpty else { throw APIError.invalidRequest(fields) }
        let actor = context.adminActor ?? "admin"

        var edits: [(key: String, value: ContentFieldEditor.Value)] = []
        if let price, price != product.price { edits.append(("price", .init(text: price.decimalString, isBoolean: false))) }
        if let draft, draft != product.draft { edits.append(("draft", .init(text: draft ? "true" : "false", isBoolean: true))) }
        if !edits.isEmpty {
            try await editContent(product, edits: edits, context: context)
            context.logger.notice(
                "admin edited product",
                metadata: [
                    "sku": "\(sku)", "actor": "\(actor)", "fields": "\(edits.map(\.key).joined(separator: ","))", "price": "\(price?.decimalString ?? "-")",
                    "draft": "\(draft.map(String.init) ?? "-")",
                ])
        }
        if let stock {
            let level = try await store.setAvailableStock(sku: sku, available: stock)
            context.logger.notice("admin set stock", metadata: ["sku": "\(sku)", "actor": "\(actor)", "available": "\(level.available)"])
        }
        let current = catalog.current
        let updated = current.product(sku: sku) ?? product
        let level = try await store.stockLevels(skus: [sku])[sku]
        return try JSONResponse.make(status: .ok, body: ProductAnswer(product: ProductJSON(updated, level: level), catalogVersion: current.version))
    }

    /// Rewrites the fields in the product's file atomically and reloads; restores the file when the reload fails.
    private func editContent(_ product: Product, edits: [(key: String, value: ContentFieldEditor.Value)], context: AppRequestContext) async throws {
        let path = CatalogLoader(contentDirectory: catalog.contentDirectory).displayPath(product.sourcePath)
        let catalog = self.catalog
        let logger = context.logger
        try await catalog.withReloadLock {
            guard let original = FileManager.default.contents(atPath: path), let text = String(data: original, encoding: .utf8) else {
                throw APIError(.conflict, code: "content_unreadable", message: "The product's content file cannot be read.")
            }
            var edited = text
            do {
                for edit in edits {
                    // A variant's price and draft are its own, in the file's `variants` list.
                    edited =
                        product.isVariant
                        ? try ContentFieldEditor.editVariant(edited, isJSON: path.hasSuffix(".json"), sku: product.sku, key: edit.key, value: edit.value)
                        : try ContentFieldEditor.edit(edited, isJSON: path.hasSuffix(".json"), key: edit.key, value: edit.value)
                }
            } catch let error as ContentFieldEditor.EditError {
                throw APIError(.conflict, code: "content_not_editable", message: "\(product.sourcePath): \(error.description)")
            }
            try AtomicFile.write(Data(edited.utf8), to: path)
            do {
                _ = try await catalog.reloadHoldingLock(.productFile(product.sourcePath))
            } catch {
                try AtomicFile.write(original, to: path)
                _ = try? await catalog.reloadHoldingLock(.productFile(product.sourcePath))
                logger.error("content edit reverted: the catalog would not load", metadata: ["error": "\(error)"])
                throw APIError(.conflict, code: "content_invalid", message: "The edit was reverted because the content would not load: \(error)")
            }
        }
        contentChanged.contentChanged(path)
    }
}
