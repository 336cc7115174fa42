import Foundation

/// When to try a delivery again: exponential backoff with jitter, then give up. Pure.
///
/// The delay after attempt `n` is `baseDelay · 2^(n−1)`, capped at `maximumDelay`, times a random factor
/// in `jitter` (so that endpoints coming back up are not hit by every queued message at once). A
/// `Retry-After` from the receiver raises the delay to at least its value, capped at 24 hours.
public struct RetrySchedule: Sendable {
    /// How many attempts in all, the first included; after the last one `nextAttempt` answers `nil`.
    public var maxAttempts: Int
    /// The delay after the first attempt, before jitter.
    public var baseDelay: Duration
    /// The longest delay before jitter.
    public var maximumDelay: Duration
    /// The random factor applied to each delay.
    public var jitter: ClosedRange<Double>
    /// The longest delay a `Retry-After` can ask for.
    public static let maximumRetryAfter: Duration = .seconds(24 * 3600)

    /// A schedule. `maxAttempts` is at least 1.
    public init(maxAttempts: Int, baseDelay: Duration, maximumDelay: Duration = .seconds(12 * 3600), jitter: ClosedRange<Double> = 0.8...1.2) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = baseDelay
        self.maximumDelay = maximumDelay
        self.jitter = jitter
    }

    /// Webhooks: first retry after about 5 s, then doubling up to 12 h; 21 attempts span at least 72 h.
    public static let webhooks = RetrySchedule(maxAttempts: 21, baseDelay: .seconds(5))

    /// E-mail: first retry after about 10 s (a restarting relay is back soon), then doubling up to 12 h; 21 attempts span at least 72 h.
    public static let email = RetrySchedule(maxAttempts: 21, baseDelay: .seconds(10))

    /// When to make the next attempt after attempt number `attempt` (1 for the first) failed at `now`,
    /// or `nil` to give up because `attempt` was the last.
    public func nextAttempt(afterAttempt attempt: Int, at now: Date, retryAfter: Duration?, using random: inout some RandomNumberGenerator) -> Date? {
        guard attempt >= 1, attempt < maxAttempts else { return nil }
        var delay = Self.seconds(backoff(afterAttempt: attempt)) * Double.random(in: jitter, using: &random)
        if let retryAfter {
            let asked = Self.seconds(min(max(retryAfter, .zero), Self.maximumRetryAfter))
            delay = max(delay, asked)
        }
        return now.addingTimeInterval(delay)
    }

    /// The delay after attempt `attempt` before jitter: `baseDelay · 2^(attempt−1)`, capped at `maximumDelay`.
    public func backoff(afterAttempt attempt: Int) -> Duration {
        let exponent = max(0, attempt - 1)
        guard exponent < 40 else { return maximumDelay }
        return min(baseDelay * (1 << exponent), maximumDelay)
    }

    /// The shortest delay after attempt `attempt`, with the smallest jitter factor.
    public func minimumDelay(afterAttempt attempt: Int) -> Duration {
        backoff(afterAttempt: attempt) * jitter.lowerBound
    }

    /// The shortest time from the first attempt to the last: the sum of every minimum delay.
    public func totalMinimumSpan() -> Duration {
        (1..<maxAttempts).reduce(Duration.zero) { $0 + minimumDelay(afterAttempt: $1) }
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
