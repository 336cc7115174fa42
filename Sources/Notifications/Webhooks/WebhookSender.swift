import AsyncHTTPClient
import Foundation
import Logging
import NIOCore

/// One message to one endpoint: what `WebhookSender.deliver` sends.
public struct WebhookRequest: Sendable {
    /// The endpoint, as accepted by `WebhookURLPolicy.check`.
    public var url: URL
    /// The message id (`webhook-id`); the same for every attempt at one message, so receivers can drop duplicates.
    public var id: String
    /// When the message was made, in seconds since 1970 (`webhook-timestamp`).
    public var timestamp: Int64
    /// The JSON payload, sent as is and signed as is.
    public var body: [UInt8]
    /// The endpoint's signing secret.
    public var secret: WebhookSecret

    /// A request.
    public init(url: URL, id: String, timestamp: Int64, body: [UInt8], secret: WebhookSecret) {
        self.url = url
        self.id = id
        self.timestamp = timestamp
        self.body = body
        self.secret = secret
    }
}

/// What one delivery attempt came to; the caller decides what to store and when to try again (`RetrySchedule`).
public enum WebhookAttemptResult: Sendable, Hashable {
    /// The receiver answered 2xx.
    case delivered(status: Int)
    /// Anything else that may work later: another status (3xx included, redirects are never followed),
    /// a connection error, a time-out. `retryAfter` is the receiver's `Retry-After`, clamped to 0…24 h.
    case retry(reason: String, retryAfter: Duration?)
    /// The receiver answered 410 Gone: the endpoint should be disabled.
    case gone(reason: String)
    /// The URL policy refused the endpoint now (for example its name resolves to a private address); nothing was sent.
    case refused(reason: String)
}

/// Sends Standard Webhooks 1.0 messages: one signed POST per call, no retries of its own.
///
/// The `HTTPClient` must not follow redirects (`WebhookSender.clientConfiguration()` makes such a
/// configuration); a client that does is detected after the fact and the attempt counts as failed.
public struct WebhookSender: Sendable {
    /// The `user-agent` of every request.
    public static let userAgent = "Storefront-Webhooks/1"
    /// How much of a response body is read; the rest is dropped.
    public static let maximumResponseBytes = 4096
    /// How much of a response body goes to the log and to failure reasons, in characters.
    public static let excerptLength = 200

    private let httpClient: HTTPClient
    private let policy: WebhookURLPolicy
    private let timeout: Duration
    private let logger: Logger

    /// A sender. `timeout` bounds each attempt from before connecting to the end of the response.
    public init(httpClient: HTTPClient, policy: WebhookURLPolicy, timeout: Duration = .seconds(15), logger: Logger) {
        self.httpClient = httpClient
        self.policy = policy
        self.timeout = timeout
        self.logger = logger
    }

    /// An `HTTPClient` configuration for webhooks: redirects disallowed, a bounded connect time.
    public static func clientConfiguration() -> HTTPClient.Configuration {
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        configuration.timeout = .init(connect: .seconds(10))
        return configuration
    }

    /// Makes one attempt: checks the resolved URL with the policy, then POSTs the signed message.
    public func deliver(_ request: WebhookRequest) async -> WebhookAttemptResult {
        var logger = self.logger
        logger[metadataKey: "webhook_id"] = "\(request.id)"
        logger[metadataKey: "webhook_host"] = "\(request.url.host ?? "")"
        do {
            try await policy.checkResolved(request.url)
        } catch {
            logger.warning("webhook refused by the URL policy", metadata: ["reason": "\(error.description)"])
            return .refused(reason: error.description)
        }

        var http = HTTPClientRequest(url: request.url.absoluteString)
        http.method = .POST
        http.headers.add(name: "content-type", value: "application/json")
        http.headers.add(name: "user-agent", value: Self.userAgent)
        http.headers.add(name: "webhook-id", value: request.id)
        http.headers.add(name: "webhook-timestamp", value: String(request.timestamp))
        http.headers.add(name: "webhook-signature", value: request.secret.signature(id: request.id, timestamp: request.timestamp, body: request.body))
        http.body = .bytes(request.body)

        let outcome = await exchange(http, logger: logger)
        let result = Self.result(of: outcome, timeout: timeout, now: Date())
        switch result {
        case .delivered(let status):
            logger.debug("webhook delivered", metadata: ["status": "\(status)"])
        case .retry(let reason, _), .gone(let reason), .refused(let reason):
            logger.notice("webhook not delivered", metadata: ["reason": "\(reason)"])
        }
        return result
    }

    /// What came back from one exchange, before it is judged.
    enum Outcome: Sendable {
        case answered(status: Int, location: String?, retryAfter: String?, excerpt: String, redirected: Bool)
        case failed(String)
        case timedOut
    }

    /// The POST and the reading of at most 4 KB of answer, raced against `timeout`.
    private func exchange(_ http: HTTPClientRequest, logger: Logger) async -> Outcome {
        let client = httpClient
        let timeout = self.timeout
        let nanoseconds = timeout.components.seconds * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000
        return await withTaskGroup(of: Outcome.self) { group in
            group.addTask {
                do {
                    let response = try await client.execute(http, deadline: .now() + .nanoseconds(nanoseconds), logger: logger)
                    var kept: [UInt8] = []
                    for try await chunk in response.body {
                        kept.append(contentsOf: chunk.readableBytesView.prefix(Self.maximumResponseBytes - kept.count))
                        if kept.count >= Self.maximumResponseBytes { break }
                    }
                    return .answered(
                        status: Int(response.status.code), location: response.headers.first(name: "location"),
                        retryAfter: response.headers.first(name: "retry-after"), excerpt: Self.excerpt(kept), redirected: response.history.count > 1)
                } catch let error as HTTPClientError where error == .deadlineExceeded {
                    // The client's own deadline and the sleep below are the same time-out; either may come first.
                    return .timedOut
                } catch {
                    return .failed(String(describing: error))
                }
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return .timedOut
            }
            let first = await group.next() ?? .timedOut
            group.cancelAll()
            return first
        }
    }

    /// Judges an exchange. Pure, so each branch is testable without a server.
    static func result(of outcome: Outcome, timeout: Duration, now: Date) -> WebhookAttemptResult {
        switch outcome {
        case .timedOut:
            return .retry(reason: "no complete answer within \(timeout)", retryAfter: nil)
        case .failed(let error):
            return .retry(reason: "request failed: \(error)", retryAfter: nil)
        case .answered(let status, let location, let retryAfter, let excerpt, let redirected):
            let suffix = excerpt.isEmpty ? "" : ": \(excerpt)"
            if redirected {
                return .retry(reason: "the HTTP client followed a redirect; webhooks must not follow redirects", retryAfter: nil)
            }
            switch status {
            case 200..<300:
                return .delivered(status: status)
            case 410:
                return .gone(reason: "HTTP 410 Gone\(suffix)")
            case 300..<400:
                let target = location.map { " to \(Self.excerpt(Array($0.utf8)))" } ?? ""
                return .retry(reason: "HTTP \(status) redirect\(target) (redirects are not followed)", retryAfter: nil)
            default:
                return .retry(reason: "HTTP \(status)\(suffix)", retryAfter: retryAfter.flatMap { retryAfterDelay($0, now: now) })
            }
        }
    }

    /// Reads a `Retry-After` value: delta-seconds or an HTTP-date (IMF-fixdate, RFC 850 or asctime),
    /// as a delay from `now` clamped to 0…24 h; `nil` when it is neither.
    public static func retryAfterDelay(_ value: String, now: Date) -> Duration? {
        // asctime pads the day with a space ("Sun Nov  6 08:49:37 1994"): runs of spaces count as one.
        let text = value.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
        let limit = 24 * 3600
        if !text.isEmpty, text.allSatisfy({ $0.isASCII && $0.isNumber }) {
            guard text.count <= 9, let seconds = Int(text) else { return .seconds(limit) }
            return .seconds(min(seconds, limit))
        }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        for format in ["EEE, dd MMM yyyy HH:mm:ss zzz", "EEEE, dd-MMM-yy HH:mm:ss zzz", "EEE MMM d HH:mm:ss yyyy"] {
            formatter.dateFormat = format
            if let date = formatter.date(from: text) {
                let seconds = min(max(date.timeIntervalSince(now), 0), Double(limit))
                return .seconds(Int(seconds.rounded(.up)))
            }
        }
        return nil
    }

    /// The first characters of a body, control characters replaced, for logs.
    static func excerpt(_ bytes: [UInt8]) -> String {
        let text = String(decoding: bytes, as: UTF8.self)
        let cleaned = String(text.unicodeScalars.map { $0.properties.generalCategory == .control ? " " : Character($0) })
        return cleaned.count > excerptLength ? String(cleaned.prefix(excerptLength)) + "…" : cleaned
    }
}
