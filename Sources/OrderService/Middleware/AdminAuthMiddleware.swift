import Crypto
import Foundation
import Hummingbird

/// Guards the admin routes with `Authorization: Bearer <token>`.
///
/// Tokens are compared in constant time. Without any configured token the admin API answers 403
/// `admin_disabled`. A wrong or missing token answers 401; from the fourth failure in a row from
/// one address each 401 is held back longer (0.2 s, doubling, at most 3 s), and once the failure
/// limit is reached that address is locked out (429 with `Retry-After`) for a while.
struct AdminAuthMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let tokens: [String]
    let failures: RateLimiter
    let addresses: ClientAddressResolver

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard !tokens.isEmpty else { throw APIError.adminDisabled }
        let client = addresses.address(of: request, context: context)
        if let wait = failures.isExhausted(client) {
            context.logger.warning("admin locked out", metadata: ["client": "\(client)"])
            throw APIError.rateLimited(retryAfter: wait)
        }
        guard let presented = Self.bearerToken(request.headers[.authorization]), let token = Self.match(presented, tokens) else {
            _ = failures.acquire(client)
            let delay = Self.penalty(afterFailures: failures.spent(client))
            context.logger.warning(
                "admin authentication failed",
                metadata: ["client": "\(client)", "delay_ms": "\(delay.components.seconds * 1000 + delay.components.attoseconds / 1_000_000_000_000_000)"])
            try? await Task.sleep(for: delay)
            throw APIError.unauthorized
        }
        var context = context
        context.adminActor = "admin:" + Self.fingerprint(token)
        context.logger[metadataKey: "actor"] = .string(context.adminActor!)
        return try await next(request, context)
    }

    /// How long to hold back the 401 after `failures` recent failures from one address.
    static func penalty(afterFailures failures: Int) -> Duration {
        guard failures > 3 else { return .zero }
        return .milliseconds(min(3_000, 200 << min(failures - 4, 10)))
    }

    static func bearerToken(_ header: String?) -> String? {
        guard let header, header.count > 7, header.prefix(7).lowercased() == "bearer " else { return nil }
        let token = header.dropFirst(7).trimmingCharacters(in: .whitespaces)
        return token.isEmpty ? nil : token
    }

    /// The configured token equal to `presented`, comparing every token in constant time.
    static func match(_ presented: String, _ tokens: [String]) -> String? {
        var found: String? = nil
        for token in tokens where ConstantTime.equal(presented.utf8, token.utf8) {
            found = token
        }
        return found
    }

    /// The first 8 hex digits of the token's SHA-256: names the actor without revealing the token.
    static func fingerprint(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).prefix(4).map { String(format: "%02x", $0) }.joined()
    }
}
