import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// The outermost middleware: assigns the request id (honouring a sane `X-Request-Id`), logs each
/// request, turns every error into a JSON answer that never leaks internals, and sets the security
/// headers on every answer.
struct EdgeMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        let requestID = request.headers[.requestID].flatMap(Self.acceptableRequestID) ?? RequestIDs.make()
        context.requestID = requestID
        let started = ContinuousClock.now
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as APIError {
            response = try error.response(from: request, context: context)
        } catch let error as HTTPError {
            response = try Self.translate(error).response(from: request, context: context)
        } catch let error where StoreError.meansDatabaseUnavailable(error) {
            context.logger.warning("database unavailable", metadata: ["error": "\(error)", "path": "\(request.uri.path)"])
            response = try APIError.databaseUnavailable.response(from: request, context: context)
        } catch is NIOTooManyBytesError {
            response = try APIError.tooLarge(limit: context.maxUploadSize).response(from: request, context: context)
        } catch {
            context.logger.error("unhandled error", metadata: ["error": "\(String(reflecting: error))", "path": "\(request.uri.path)"])
            response = try APIError.internalError.response(from: request, context: context)
        }
        Self.secure(&response.headers)
        Self.put(HTTPField(name: .requestID, value: requestID), in: &response.headers)
        let elapsed = ContinuousClock.now - started
        // Checked first: asking for `context.logger` adds the request id to a copy of it.
        if context.logLevel <= .info {
            context.logger.info(
                "request",
                metadata: [
                    "method": "\(request.method.rawValue)", "path": "\(request.uri.path)", "status": "\(response.status.code)",
                    "ms": "\(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)",
                ])
        }
        return response
    }

    /// The security headers of every answer, made (and checked) once.
    static let securityFields = [
        HTTPField(name: .xContentTypeOptions, value: "nosniff"),
        HTTPField(name: .referrerPolicy, value: "no-referrer"),
        HTTPField(name: .contentSecurityPolicy, value: "default-src 'none'; frame-ancestors 'none'"),
        HTTPField(name: .xFrameOptions, value: "DENY"),
    ]
    static let noStore = HTTPField(name: .cacheControl, value: "no-store")

    static func secure(_ headers: inout HTTPFields) {
        for field in securityFields { put(field, in: &headers) }
        if headers[.cacheControl] == nil { headers.append(noStore) }
    }

    /// Sets `field`, replacing any value of its name; appends when there is none (the usual case,
    /// and much cheaper than the subscript setter).
    static func put(_ field: HTTPField, in headers: inout HTTPFields) {
        if headers.contains(where: { $0.name == field.name }) {
            headers[field.name] = field.value
        } else {
            headers.append(field)
        }
    }

    static func acceptableRequestID(_ text: String) -> String? {
        guard (1...128).contains(text.utf8.count),
            text.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || ($0 >= 65 && $0 <= 90) || ($0 >= 97 && $0 <= 122) || $0 == 45 || $0 == 95 || $0 == 46 })
        else { return nil }
        return text
    }

    /// Hummingbird's own errors (unknown route, wrong method, bad request line) as JSON errors.
    static func translate(_ error: HTTPError) -> APIError {
        switch error.status {
        case .notFound: return .notFound("No such route.")
        case .methodNotAllowed: return APIError(.methodNotAllowed, code: "method_not_allowed", message: "This route does not accept that method.")
        case .contentTooLarge: return APIError(.contentTooLarge, code: "too_large", message: "The request body is too large.")
        case .badRequest: return APIError(.badRequest, code: "invalid_request", message: "The request is malformed.")
        default:
            if error.status.code >= 500 { return .internalError }
            return APIError(error.status, code: "http_\(error.status.code)", message: error.status.reasonPhrase)
        }
    }
}

extension HTTPField.Name {
    static let xFrameOptions = HTTPField.Name("X-Frame-Options")!
    static let referrerPolicy = HTTPField.Name("Referrer-Policy")!
}
