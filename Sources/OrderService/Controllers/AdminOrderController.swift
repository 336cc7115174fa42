import Foundation
import Hummingbird
import StoreModel

/// `GET /admin/orders`, `GET /admin/orders.csv`, `GET /admin/orders/{id}` and `POST /admin/orders/{id}/status`.
struct AdminOrderController {
    let book: OrderBook
    let bodyLimit: Int

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("orders", use: list)
        group.get("orders.csv", use: exportCSV)
        group.get("orders/{id}", use: detail)
        group.post("orders/{id}/status", use: changeStatus)
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        let query = try Self.query(request, pageLimit: true)
        let page = try await book.store.listOrders(query)
        return try JSONResponse.make(
            status: .ok, body: AdminOrderJSON.Page(orders: page.orders.map(AdminOrderJSON.Summary.init), nextCursor: page.nextCursor?.token))
    }

    @Sendable func detail(_ request: Request, context: AppRequestContext) async throws -> Response {
        let order = try await book.expireIfDue(try await loadOrder(context))
        let events = try await book.store.events(orderID: order.id)
        return try JSONResponse.make(status: .ok, body: AdminOrderJSON.DetailAnswer(order: .init(order, events: events)))
    }

    @Sendable func changeStatus(_ request: Request, context: AppRequestContext) async throws -> Response {
        let current = try await loadOrder(context)
        let body = try await request.collectBody(limit: bodyLimit, context: context)
        let root = try JSONValue.parse(Data(buffer: body))
        guard root.isObject else { throw APIError.invalidRequest(["": "the body must be a JSON object"]) }
        var check = FieldValidator()
        var target: OrderStatus? = nil
        if let text = check.string(root["status"], "status", required: true, length: 1...20) {
            target = OrderStatus(rawValue: text)
            if target == nil { check.fail("status", "must be one of \(OrderStatus.allCases.map(\.rawValue).joined(separator: ", "))") }
        }
        let tracking = check.string(root["trackingNumber"], "trackingNumber", required: false, length: 1...64)
        let note = check.string(root["note"], "note", required: false, length: 0...1000, multiline: true) ?? ""
        guard check.problems.isEmpty, let target else { throw APIError.invalidRequest(check.problems) }
        let actor = context.adminActor ?? "admin"
        let change = StatusChange(orderID: current.id, to: target, role: .admin, actor: actor, note: note, trackingNumber: tracking, at: book.clock())
        let order: Order
        do {
            order = try await book.store.transition(change)
        } catch StoreError.illegalTransition(let from, let to) {
            let allowed = from.nextStates(by: .admin, method: current.paymentMethod).map(\.rawValue)
            throw APIError(
                .conflict, code: "illegal_transition",
                message:
                    "An order paid by \(current.paymentMethod.rawValue) cannot move from \(from.rawValue) to \(to.rawValue); allowed: \(allowed.isEmpty ? "none" : allowed.joined(separator: ", "))."
            )
        } catch StoreError.insufficientStock(let short) {
            throw APIError(
                .conflict, code: "insufficient_stock",
                message: "Not enough stock to take the order back: \(short.map { "\($0.key) has \($0.value)" }.sorted().joined(separator: ", ")).")
        }
        context.logger.notice(
            "admin changed order status",
            metadata: ["order": "\(order.id)", "from": "\(current.status.rawValue)", "to": "\(target.rawValue)", "actor": "\(actor)"])
        let events = try await book.store.events(orderID: order.id)
        return try JSONResponse.make(status: .ok, body: AdminOrderJSON.DetailAnswer(order: .init(order, events: events)))
    }

    @Sendable func exportCSV(_ request: Request, context: AppRequestContext) async throws -> Response {
        var exportQuery = try Self.query(request, pageLimit: false)
        exportQuery.limit = 500
        let firstQuery = exportQuery
        let store = book.store
        context.logger.notice("admin exported orders", metadata: ["actor": "\(context.adminActor ?? "admin")"])
        let body = ResponseBody { writer in
            try await writer.write(ByteBuffer(string: CSV.row(Self.csvHeader)))
            var query = firstQuery
            while true {
                let page = try await store.listOrders(query)
                var chunk = ""
                for order in page.orders {
                    for row in Self.csvRows(order) { chunk += CSV.row(row) }
                }
                if !chunk.isEmpty { try await writer.write(ByteBuffer(string: chunk)) }
                guard let next = page.nextCursor else { break }
                query.cursor = next
            }
            try await writer.finish(nil)
        }
        return Response(
            status: .ok,
            headers: [.contentType: "text/csv; charset=utf-8", .contentDisposition: "attachment; filename=\"orders.csv\""],
            body: body)
    }

    /// One row per order line: the order's columns, repeated on each of its lines, then the line's.
    static let csvHeader = [
        "id", "createdAt", "status", "paymentMethod", "currency", "subtotal", "shipping", "total", "customerName", "email", "phone",
        "postalCode", "city", "address", "trackingNumber", "note", "needsReview", "line", "sku", "title", "options", "quantity", "unitPrice",
        "lineTotal",
    ]

    static func csvRows(_ order: Order) -> [[String]] {
        let orderCells = [
            order.id, Timestamp.string(order.createdAt), order.status.rawValue, order.paymentMethod.rawValue, order.currency.code,
            order.subtotal.decimalString, order.shipping.decimalString, order.total.decimalString, order.customer.name,
            order.customer.email, order.customer.phone, order.shippingAddress.postalCode, order.shippingAddress.city,
            order.shippingAddress.address, order.trackingNumber ?? "", order.note, order.needsReview ? "yes" : "no",
        ]
        return order.lines.enumerated().map { position, line in
            orderCells + [
                String(position + 1), line.sku, line.title, line.options.map { "\($0.name): \($0.value)" }.joined(separator: "; "),
                String(line.quantity), line.unitPrice.decimalString, line.lineTotal.decimalString,
            ]
        }
    }

    private func loadOrder(_ context: AppRequestContext) async throws -> Order {
        let id = context.parameters.get("id") ?? ""
        guard OrderID.isWellFormed(id) else { throw APIError.notFound("No order has this id.") }
        do {
            return try await book.store.order(id: id)
        } catch StoreError.orderNotFound {
            throw APIError.notFound("No order has this id.")
        }
    }

    /// Reads `status`, `from`, `to`, `q`, `cursor` and `limit` (1 to 100), naming each bad parameter.
    static func query(_ request: Request, pageLimit: Bool) throws(APIError) -> OrderQuery {
        let parameters = request.uri.queryParameters
        var fields: [String: String] = [:]
        var query = OrderQuery()
        if let text = parameters.get("status"), !text.isEmpty {
            query.status = OrderStatus(rawValue: text)
            if query.status == nil { fields["status"] = "must be one of \(OrderStatus.allCases.map(\.rawValue).joined(separator: ", "))" }
        }
        for name in ["from", "to"] {
            guard let text = parameters.get(name), !text.isEmpty else { continue }
            guard let date = Timestamp.parse(text) else {
                fields[name] = "must be an ISO 8601 date or time such as 2025-01-31 or 2025-01-31T12:00:00Z"
                continue
            }
            if name == "from" { query.from = date } else { query.to = date }
        }
        if let q = parameters.get("q"), !q.isEmpty {
            if q.count > 100 { fields["q"] = "must be at most 100 characters" } else { query.search = q }
        }
        if let text = parameters.get("cursor"), !text.isEmpty {
            query.cursor = OrderCursor(token: text)
            if query.cursor == nil { fields["cursor"] = "is not a cursor from a previous page" }
        }
        if pageLimit, let text = parameters.get("limit"), !text.isEmpty {
            if let limit = AdminPageLimit.parse(text) { query.limit = limit } else { fields["limit"] = AdminPageLimit.problem }
        }
        guard fields.isEmpty else { throw APIError.invalidRequest(fields) }
        return query
    }
}
