import Foundation
import HTTPTypes
import Hummingbird

/// `POST /order` and `GET /order`: the shopper's routes.
struct OrderController {
    let book: OrderBook
    /// The largest accepted order body.
    let bodyLimit: Int

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post(use: create)
        group.get(use: lookup)
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> Response {
        let key = try Self.idempotencyKey(request.headers[.idempotencyKey])
        let body = try await request.collectBody(limit: bodyLimit, context: context)
        let placement = try await book.place(body: Data(buffer: body), idempotencyKey: key, logger: context.logger)
        var headers: HTTPFields = [:]
        if placement.replayed { headers[HTTPField.Name("Idempotent-Replayed")!] = "true" }
        if let id = placement.orderID { headers[.location] = "/order?id=\(id)" }
        return JSONResponse.make(status: .init(code: placement.status), data: placement.body, headers: headers)
    }

    @Sendable func lookup(_ request: Request, context: AppRequestContext) async throws -> Response {
        let query = request.uri.queryParameters
        var fields: [String: String] = [:]
        let id = query.get("id") ?? ""
        let contact = query.get("contact") ?? ""
        if id.isEmpty { fields["id"] = "is required" }
        if contact.isEmpty { fields["contact"] = "is required (the order's e-mail or phone)" }
        if id.count > 64 { fields["id"] = "is too long" }
        if contact.count > 254 { fields["contact"] = "is too long" }
        guard fields.isEmpty else { throw APIError.invalidRequest(fields) }
        return JSONResponse.make(status: .ok, buffer: try await book.lookupAnswer(id: id, contact: contact))
    }

    /// A valid `Idempotency-Key` (1 to 255 visible ASCII characters), or `nil` when absent.
    static func idempotencyKey(_ header: String?) throws(APIError) -> String? {
        guard let header else { return nil }
        guard (1...255).contains(header.utf8.count), header.utf8.allSatisfy({ $0 > 32 && $0 < 127 }) else {
            throw APIError.invalidRequest(["Idempotency-Key": "must be 1 to 255 visible ASCII characters"])
        }
        return header
    }
}
