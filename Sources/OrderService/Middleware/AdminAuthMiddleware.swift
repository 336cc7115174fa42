import Crypto
import Foundation
import Hummingbird
import StoreModel

/// Guards the admin routes with `Authorization: Bearer <token>`.
///
/// Tokens are compared in constant time. Without any configured token the admin API answers 403
/// `admin_disabled`. A wrong or missing token answers 401; from the fourth failure in a row from
/// one address each 401 is held back longer (0.2 s, doubling, at most 3 s), and once `failureLimit`
/// failures fell within `window` that address is locked out (429 with `Retry-After`) until the
/// oldest of them is older than the window. Failures are counted in the database, so every
/// instance on it shares the count and a restart does not reset it.
struct AdminAuthMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let tokens: [String]
    let store: any OrderStore
    /// Failures within `window` that lock an address out; 0 turns counting off.
    let failureLimit: Int
    let window: Duration
    let addresses: ClientAddressResolver
    let clock: @Sendable () -> Date

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard !tokens.isEmpty else { throw APIError.adminDisabled }
        let client = addresses.address(of: request, context: context)
        let now = clock()
        let since = now.addingTimeInterval(-window.seconds)
        if failureLimit > 0 {
            let failures = try await store.adminFailures(address: client, since: since)
            if let wait = Self.lockout(failures: failures, limit: failureLimit, window: window, now: now) {
                context.logger.warning("admin locked out", metadata: ["client": "\(client)"])
                throw APIError.rateLimited(retryAfter: wait)
            }
        }
        guard let presented = Self.bearerToken(request.headers[.authorization]), let token = Self.match(presented, tokens) else {
            let count = failureLimit > 0 ? try await store.recordAdminFailure(address: client, at: now, since: since) : 0
            let delay = Self.penalty(afterFailures: count)
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

    /// The seconds an address must wait when its `failures` within `window` (oldest first) reach
    /// `limit`: until enough of them leave the window; `nil` when it may try.
    static func lockout(failures: [Date], limit: Int, window: Duration, now: Date) -> Int? {
        guard limit > 0, failures.count >= limit else { return nil }
        // The failure whose leaving brings the count under the limit.
        let freeing = failures[failures.count - limit]
        return max(1, Int(freeing.addingTimeInterval(window.seconds).timeIntervalSince(now).rounded(.up)))
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
        Hex.lowercase(SHA256.hash(data: Data(token.utf8)).prefix(4))
    }
}
