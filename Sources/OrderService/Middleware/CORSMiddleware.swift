import HTTPTypes
import Hummingbird

/// CORS for the configured origins only (exact match). Other origins get no CORS headers, and
/// their preflights a 403. Every answer varies on `Origin`.
struct AllowedOriginsMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let origins: Set<String>

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let origin = request.headers[.origin]
        let allowed = origin.map { origins.contains($0) } ?? false
        if request.method == .options, origin != nil, request.headers[.accessControlRequestMethod] != nil {
            guard allowed, let origin else {
                throw APIError(.forbidden, code: "origin_not_allowed", message: "This origin may not call the API.")
            }
            var headers: HTTPFields = [:]
            Self.addCORS(&headers, origin: origin)
            headers[.accessControlAllowMethods] = "GET, POST, PUT, PATCH, OPTIONS"
            headers[.accessControlAllowHeaders] = "Content-Type, Idempotency-Key, X-Request-Id, Authorization"
            headers[.accessControlMaxAge] = "600"
            headers[.vary] = "Origin"
            return Response(status: .noContent, headers: headers)
        }
        var response = try await next(request, context)
        if allowed, let origin { Self.addCORS(&response.headers, origin: origin) }
        if !response.headers.contains(where: { $0.name == .vary && $0.value == "Origin" }) {
            response.headers.append(HTTPField(name: .vary, value: "Origin"))
        }
        return response
    }

    static func addCORS(_ headers: inout HTTPFields, origin: String) {
        headers[.accessControlAllowOrigin] = origin
        headers[.accessControlExposeHeaders] = "Retry-After, X-Request-Id"
    }
}
