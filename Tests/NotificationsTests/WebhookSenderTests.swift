import AsyncHTTPClient
import Foundation
import Hummingbird
import Logging
import NIOCore
import Testing

@testable import Notifications

/// What the loopback receiver saw: every request, with its headers and whether its signature verified.
actor ReceivedRequests {
    struct Received: Sendable {
        var path: String
        var headers: [String: String]
        var body: [UInt8]
        var signatureVerifies: Bool
    }

    private(set) var all: [Received] = []

    func record(_ request: Received) {
        all.append(request)
    }
}

/// How the receiver answers `POST /hook`.
enum ReceiverBehaviour: Sendable {
    case answer(status: Int, retryAfter: String? = nil, location: String? = nil, body: String = "")
    /// Reads the request, then answers only when the test ends.
    case hang
}

/// Runs a Hummingbird receiver on 127.0.0.1 with a port from the system, calls `body` with its
/// `/hook` URL, then shuts the receiver down and waits for it, whatever `body` did.
func withReceiver(
    _ behaviour: ReceiverBehaviour, secret: WebhookSecret, _ body: (URL, ReceivedRequests) async throws -> Void
) async throws {
    let received = ReceivedRequests()
    let (gate, openGate) = AsyncStream.makeStream(of: Void.self)
    let router = Router()
    let handler: @Sendable (Request, BasicRequestContext) async throws -> Response = { request, _ in
        let bytes = Array(try await request.body.collect(upTo: 1 << 20).readableBytesView)
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.canonicalName] = field.value }
        let verifies = secret.verify(
            id: headers["webhook-id"] ?? "", timestamp: Int64(headers["webhook-timestamp"] ?? "") ?? 0, body: bytes,
            signatureHeader: headers["webhook-signature"] ?? "")
        await received.record(.init(path: request.uri.path, headers: headers, body: bytes, signatureVerifies: verifies))
        switch behaviour {
        case .hang:
            for await _ in gate {}
            return Response(status: .ok)
        case .answer(let status, let retryAfter, let location, let text):
            var fields = HTTPFields()
            if let retryAfter { fields[.retryAfter] = retryAfter }
            if let location { fields[.location] = location }
            return Response(status: .init(code: status), headers: fields, body: .init(byteBuffer: ByteBuffer(string: text)))
        }
    }
    router.post("hook", use: handler)
    router.post("elsewhere", use: handler)
    router.get("elsewhere", use: handler)

    let (ports, portSink) = AsyncStream.makeStream(of: Int.self)
    let app = Application(
        router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0), serverName: "webhook-receiver"),
        onServerRunning: { channel in
            portSink.yield(channel.localAddress?.port ?? 0)
            portSink.finish()
        }, logger: quietLogger)
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask {
            defer { portSink.finish() }
            try await app.runService(gracefulShutdownSignals: [])
        }
        var iterator = ports.makeAsyncIterator()
        let outcome: Result<Void, any Error>
        if let port = await iterator.next(), port > 0, let url = URL(string: "http://127.0.0.1:\(port)/hook") {
            do {
                try await body(url, received)
                outcome = .success(())
            } catch {
                outcome = .failure(error)
            }
        } else {
            outcome = .failure(ReceiverDidNotStart())
        }
        openGate.finish()
        group.cancelAll()
        while let _ = try? await group.next() {}
        try outcome.get()
    }
}

struct ReceiverDidNotStart: Error {}

let quietLogger = Logger(label: "webhook-tests", factory: { _ in SwiftLogNoOpLogHandler() })

/// Runs `body` with a webhook `HTTPClient` and shuts the client down afterwards.
func withWebhookClient(_ body: (HTTPClient) async throws -> Void) async throws {
    let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: WebhookSender.clientConfiguration())
    do {
        try await body(client)
    } catch {
        try? await client.shutdown()
        throw error
    }
    try await client.shutdown()
}

@Suite(.timeLimit(.minutes(2))) struct WebhookSenderTests {
    static let secret = WebhookSecret.generate()
    static let loopbackPolicy = WebhookURLPolicy(allowPrivate: true)
    static let payload = Array(#"{"type":"order.paid","data":{"order":"SF-1001"}}"#.utf8)

    static func request(to url: URL, id: String = "msg_test_1") -> WebhookRequest {
        WebhookRequest(url: url, id: id, timestamp: Int64(Date().timeIntervalSince1970), body: payload, secret: secret)
    }

    static func deliver(
        _ behaviour: ReceiverBehaviour, policy: WebhookURLPolicy = loopbackPolicy, timeout: Duration = .seconds(15)
    )
        async throws -> (WebhookAttemptResult, [ReceivedRequests.Received])
    {
        var outcome: (WebhookAttemptResult, [ReceivedRequests.Received])?
        try await withWebhookClient { client in
            try await withReceiver(behaviour, secret: secret) { url, received in
                let sender = WebhookSender(httpClient: client, policy: policy, timeout: timeout, logger: quietLogger)
                let result = await sender.deliver(request(to: url))
                outcome = (result, await received.all)
            }
        }
        return try #require(outcome)
    }

    @Test(arguments: [200, 204]) func aSuccessfulAnswerIsDeliveredWithSignedStandardHeaders(status: Int) async throws {
        let (result, received) = try await Self.deliver(.answer(status: status))
        #expect(result == .delivered(status: status))
        let request = try #require(received.first)
        #expect(received.count == 1)
        #expect(request.path == "/hook")
        #expect(request.signatureVerifies)
        #expect(request.body == Self.payload)
        #expect(request.headers["content-type"] == "application/json")
        #expect(request.headers["user-agent"] == "Storefront-Webhooks/1")
        #expect(request.headers["webhook-id"] == "msg_test_1")
        let timestamp = try #require(request.headers["webhook-timestamp"].flatMap { Int64($0) })
        #expect(abs(Date().timeIntervalSince1970 - Double(timestamp)) < 60)
        #expect(request.headers["webhook-signature"]?.hasPrefix("v1,") == true)
    }

    @Test func aServerErrorIsRetriedWithAShortExcerptOfTheAnswer() async throws {
        let (result, received) = try await Self.deliver(.answer(status: 500, body: "database down " + String(repeating: "x", count: 10_000)))
        #expect(received.count == 1)
        guard case .retry(let reason, let retryAfter) = result else {
            Issue.record("expected a retry, got \(result)")
            return
        }
        #expect(reason.hasPrefix("HTTP 500: database down"))
        #expect(reason.count < 300)
        #expect(retryAfter == nil)
    }

    @Test func retryAfterFromA503IsPassedOn() async throws {
        let (result, _) = try await Self.deliver(.answer(status: 503, retryAfter: "120"))
        guard case .retry(_, let retryAfter) = result else {
            Issue.record("expected a retry, got \(result)")
            return
        }
        #expect(retryAfter == .seconds(120))
    }

    @Test func goneDisablesTheEndpoint() async throws {
        let (result, received) = try await Self.deliver(.answer(status: 410))
        #expect(received.count == 1)
        guard case .gone = result else {
            Issue.record("expected gone, got \(result)")
            return
        }
    }

    @Test func aRedirectIsNotFollowedAndIsRetried() async throws {
        var outcome: (WebhookAttemptResult, [ReceivedRequests.Received])?
        try await withWebhookClient { client in
            // The receiver points the redirect at its own other route, which would record a followed request.
            try await withReceiver(.answer(status: 302, location: "/elsewhere"), secret: Self.secret) { url, received in
                let sender = WebhookSender(httpClient: client, policy: Self.loopbackPolicy, logger: quietLogger)
                outcome = (await sender.deliver(Self.request(to: url)), await received.all)
            }
        }
        let (result, received) = try #require(outcome)
        #expect(received.map(\.path) == ["/hook"])
        guard case .retry(let reason, nil) = result else {
            Issue.record("expected a retry, got \(result)")
            return
        }
        #expect(reason.contains("302"))
        #expect(reason.contains("not followed"))
    }

    @Test func aReceiverThatNeverAnswersIsRetriedAfterTheTimeout() async throws {
        let clock = ContinuousClock()
        let started = clock.now
        let (result, received) = try await Self.deliver(.hang, timeout: .seconds(1))
        let elapsed = clock.now - started
        #expect(received.count == 1)
        guard case .retry(let reason, nil) = result else {
            Issue.record("expected a retry, got \(result)")
            return
        }
        #expect(reason.contains("no complete answer"))
        #expect(elapsed >= .seconds(1), "the sender waited for its time-out")  // no upper bound: the suite's time limit catches a hang
    }

    @Test func theStrictPolicyRefusesLoopbackWithoutSendingAnything() async throws {
        let (result, received) = try await Self.deliver(.answer(status: 200), policy: WebhookURLPolicy(allowPrivate: false))
        #expect(received.isEmpty)
        guard case .refused(let reason) = result else {
            Issue.record("expected refused, got \(result)")
            return
        }
        #expect(reason == "url resolves to a private address (127.0.0.1)")
    }

    @Test func aClosedPortIsRetried() async throws {
        // The receiver's port, after the receiver has stopped: nothing listens there any more.
        var closed: URL?
        try await withReceiver(.answer(status: 200), secret: Self.secret) { url, _ in closed = url }
        let url = try #require(closed)
        try await withWebhookClient { client in
            let sender = WebhookSender(httpClient: client, policy: Self.loopbackPolicy, timeout: .seconds(1), logger: quietLogger)
            let result = await sender.deliver(Self.request(to: url))
            guard case .retry = result else {
                Issue.record("expected a retry, got \(result)")
                return
            }
        }
    }
}

@Suite(.timeLimit(.minutes(2))) struct RetryAfterParsingTests {
    static let now = Date(timeIntervalSince1970: 784_111_777)  // Sun, 06 Nov 1994 08:49:37 GMT

    @Test func deltaSecondsAreClampedToADay() {
        #expect(WebhookSender.retryAfterDelay("120", now: Self.now) == .seconds(120))
        #expect(WebhookSender.retryAfterDelay(" 0 ", now: Self.now) == .seconds(0))
        #expect(WebhookSender.retryAfterDelay("86401", now: Self.now) == .seconds(86400))
        #expect(WebhookSender.retryAfterDelay("99999999999999999999", now: Self.now) == .seconds(86400))
    }

    @Test func httpDatesInEveryFormatBecomeDelays() {
        let earlier = Self.now.addingTimeInterval(-90)
        #expect(WebhookSender.retryAfterDelay("Sun, 06 Nov 1994 08:49:37 GMT", now: earlier) == .seconds(90))
        #expect(WebhookSender.retryAfterDelay("Sunday, 06-Nov-94 08:49:37 GMT", now: earlier) == .seconds(90))
        #expect(WebhookSender.retryAfterDelay("Sun Nov  6 08:49:37 1994", now: earlier) == .seconds(90))
        #expect(WebhookSender.retryAfterDelay("Sun, 06 Nov 1994 08:49:37 GMT", now: Self.now.addingTimeInterval(600)) == .seconds(0))
        #expect(WebhookSender.retryAfterDelay("Sun, 06 Nov 1994 08:49:37 GMT", now: Self.now.addingTimeInterval(-30 * 86400)) == .seconds(86400))
    }

    @Test func anythingElseIsIgnored() {
        for text in ["", "soon", "-5", "1.5", "Sun, 32 Nov 1994 08:49:37 GMT"] {
            #expect(WebhookSender.retryAfterDelay(text, now: Self.now) == nil, "\(text)")
        }
    }
}
