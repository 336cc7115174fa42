import Foundation
import HTTPTypes
import Hummingbird

/// An error answered to the client as `{"error": {"code", "message", "fields"?, "lines"?}}`.
///
/// Only these errors reach clients with their message; anything else becomes a bare 500 `internal`.
public struct APIError: HTTPResponseError, Sendable {
    /// The HTTP status.
    public var status: HTTPResponse.Status
    /// A stable machine-readable code such as `invalid_request`.
    public var code: String
    /// A human-readable explanation.
    public var message: String
    /// Each bad request field and what is wrong with it.
    public var fields: [String: String]?
    /// The current price and availability of each cart line (for `cart_changed`).
    public var lines: [CartLineStatus]?
    /// The current catalog version, for answers that depend on prices.
    public var catalogVersion: String?
    /// Extra response headers (for example `Retry-After`).
    public var headers: HTTPFields

    /// Creates an error.
    public init(
        _ status: HTTPResponse.Status, code: String, message: String, fields: [String: String]? = nil,
        lines: [CartLineStatus]? = nil, catalogVersion: String? = nil, headers: HTTPFields = [:]
    ) {
        self.status = status
        self.code = code
        self.message = message
        self.fields = fields
        self.lines = lines
        self.catalogVersion = catalogVersion
        self.headers = headers
    }

    /// Encodes the error document.
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var response = try JSONResponse.make(
            status: status, body: Document(error: .init(code: code, message: message, fields: fields, lines: lines), catalogVersion: catalogVersion))
        for field in headers { response.headers.append(field) }
        return response
    }

    private struct Document: Encodable {
        struct Body: Encodable {
            var code: String
            var message: String
            var fields: [String: String]?
            var lines: [CartLineStatus]?
        }
        var error: Body
        var catalogVersion: String?
    }
}

extension APIError {
    /// 400: the body is not JSON.
    static func invalidJSON(_ message: String = "The request body is not valid JSON.") -> APIError {
        APIError(.badRequest, code: "invalid_json", message: message)
    }

    /// 400: some fields are invalid.
    static func invalidRequest(_ fields: [String: String], message: String = "Some fields are invalid.") -> APIError {
        APIError(.badRequest, code: "invalid_request", message: message, fields: fields.isEmpty ? nil : fields)
    }

    /// 404 with one message for every kind of miss.
    static func notFound(_ message: String = "Not found.") -> APIError {
        APIError(.notFound, code: "not_found", message: message)
    }

    /// 503: the shop is closed.
    static func shopClosed(_ message: String) -> APIError {
        APIError(.serviceUnavailable, code: "shop_closed", message: message.isEmpty ? "The shop is not taking orders right now." : message)
    }

    /// 429 with `Retry-After`.
    static func rateLimited(retryAfter seconds: Int) -> APIError {
        APIError(.tooManyRequests, code: "rate_limited", message: "Too many requests; try again in \(seconds) s.", headers: [.retryAfter: String(seconds)])
    }

    /// 401 for a missing or wrong admin token.
    static let unauthorized = APIError(.unauthorized, code: "unauthorized", message: "A valid admin token is required.", headers: [.wwwAuthenticate: "Bearer"])

    /// 403 when no admin token is configured.
    static let adminDisabled = APIError(.forbidden, code: "admin_disabled", message: "The admin API is off: no ADMIN_TOKEN is configured.")

    /// 413 for a body over the route's limit.
    static func tooLarge(limit: Int) -> APIError {
        APIError(.contentTooLarge, code: "too_large", message: "The request body is larger than \(limit) bytes.")
    }

    /// 503: the database cannot be reached now; `Retry-After` asks clients to wait a little.
    static let databaseUnavailable = APIError(
        .serviceUnavailable, code: "database_unavailable", message: "The order database is not reachable right now; please try again shortly.",
        headers: [.retryAfter: "2"])

    /// 500 without details.
    static let internalError = APIError(.internalServerError, code: "internal", message: "Something went wrong on our side.")
}

/// The current state of one requested cart line, sent with `cart_changed`.
public struct CartLineStatus: Sendable, Hashable, Encodable {
    /// The requested SKU.
    public var sku: String
    /// The product name; `nil` for an unknown SKU.
    @ExplicitNull public var title: String?
    /// Whether the line can be ordered as requested.
    public var available: Bool
    /// Live stock; `nil` when untracked or unknown.
    @ExplicitNull public var stock: Int?
    /// The current unit price in minor units; `nil` for an unknown SKU.
    @ExplicitNull public var priceMinor: Int64?
    /// The current unit price formatted; `nil` for an unknown SKU.
    @ExplicitNull public var price: String?
}
