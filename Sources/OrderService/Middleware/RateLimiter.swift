import Foundation
import Hummingbird
import Synchronization

/// A token bucket per client address: `capacity` requests at once, refilled at `capacity` per
/// `period`. Idle buckets are forgotten so the table stays small.
final class RateLimiter: Sendable {
    private struct Bucket {
        var tokens: Double
        var updated: ContinuousClock.Instant
    }

    let capacity: Int
    let period: Duration
    private let buckets = Mutex([String: Bucket]())
    private static let maximumTracked = 50_000

    /// `capacity` 0 turns limiting off.
    init(capacity: Int, period: Duration = .seconds(60)) {
        self.capacity = capacity
        self.period = period
    }

    var isEnabled: Bool { capacity > 0 }

    private var refillPerSecond: Double { Double(capacity) / period.seconds }

    /// Takes one token for `key`; returns `nil` when allowed, or the seconds to wait.
    func acquire(_ key: String, now: ContinuousClock.Instant = .now) -> Int? {
        guard isEnabled else { return nil }
        return buckets.withLock { buckets in
            if buckets.count > Self.maximumTracked { Self.prune(&buckets, now: now, period: period) }
            var bucket = buckets[key] ?? Bucket(tokens: Double(capacity), updated: now)
            bucket.tokens = min(Double(capacity), bucket.tokens + (now - bucket.updated).seconds * refillPerSecond)
            bucket.updated = now
            defer { buckets[key] = bucket }
            if bucket.tokens >= 1 {
                bucket.tokens -= 1
                return nil
            }
            return max(1, Int(((1 - bucket.tokens) / refillPerSecond).rounded(.up)))
        }
    }

    /// Whether `key` has no token left, without taking one (used for admin lock-out).
    func isExhausted(_ key: String, now: ContinuousClock.Instant = .now) -> Int? {
        guard isEnabled else { return nil }
        return buckets.withLock { buckets in
            guard let bucket = buckets[key] else { return nil }
            let tokens = min(Double(capacity), bucket.tokens + (now - bucket.updated).seconds * refillPerSecond)
            return tokens >= 1 ? nil : max(1, Int(((1 - tokens) / refillPerSecond).rounded(.up)))
        }
    }

    /// How many tokens `key` has used and not yet got back (0 for an unknown key).
    func spent(_ key: String, now: ContinuousClock.Instant = .now) -> Int {
        guard isEnabled else { return 0 }
        return buckets.withLock { buckets in
            guard let bucket = buckets[key] else { return 0 }
            let tokens = min(Double(capacity), bucket.tokens + (now - bucket.updated).seconds * refillPerSecond)
            return Int((Double(capacity) - tokens).rounded())
        }
    }

    private static func prune(_ buckets: inout [String: Bucket], now: ContinuousClock.Instant, period: Duration) {
        buckets = buckets.filter { now - $0.value.updated < period }
    }
}

/// Rate-limits a group of routes per client address; 429 with `Retry-After` when exhausted.
/// Limits `/order` per client address; with `lookups`, `GET /order` is limited per order id
/// instead, so that many shoppers behind one address (a carrier-grade NAT, an office) polling
/// their own orders do not use up each other's requests.
struct RateLimitMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let limiter: RateLimiter
    let addresses: ClientAddressResolver
    /// `GET /order` per order id (`--order-lookup-limit`); `nil` counts lookups per address.
    var lookups: RateLimiter? = nil

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.method != .options else { return try await next(request, context) }
        let byOrder = lookups != nil && (request.method == .get || request.method == .head)
        let limiter = byOrder ? lookups! : self.limiter
        // The key (an address to resolve, or the query to parse) only when the limit is on.
        guard limiter.isEnabled else { return try await next(request, context) }
        let key = byOrder ? "order:" + (request.uri.queryParameters.get("id") ?? "") : addresses.address(of: request, context: context)
        if let wait = limiter.acquire(key) {
            context.logger.notice("rate limited", metadata: ["key": "\(key)"])
            throw APIError.rateLimited(retryAfter: wait)
        }
        return try await next(request, context)
    }
}

/// Finds the client's address: the socket peer, or with `--trust-proxy` the last `X-Forwarded-For` hop.
struct ClientAddressResolver: Sendable {
    let trustProxy: Bool

    func address(of request: Request, context: AppRequestContext) -> String {
        if trustProxy, let forwarded = request.headers[.forwardedFor] {
            let hops = forwarded.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            if let last = hops.last, last.count <= 64 { return last }
        }
        return context.peerAddress
    }
}
