import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

@testable import OrderService

/// Slow clients and connection floods against a real server on loopback (`ExchangeGuard`).
@Suite("Connection time-outs and limits", .timeLimit(.minutes(2)))
struct ConnectionGuardTests {
    static let healthz = "GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n"

    /// Runs `body` with a live server whose connection limits are `limits`.
    static func withServer(
        _ limits: ConnectionLimits, trustProxy: Bool = false, _ body: @escaping @Sendable (Int, ConnectionCounter) async throws -> Void
    )
        async throws
    {
        var shop = try TestShop()
        defer { shop.cleanUp() }
        shop.configuration.connections = limits
        shop.configuration.trustProxy = trustProxy
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        let api = try await OrderAPI(configuration: shop.configuration, logger: logger, paymentSteps: NoPaymentStepProvider())
        let app = Application(
            router: buildRouter(api.components), server: .guarded(limits, counter: api.connectionCounter, logger: logger),
            configuration: .init(address: .hostname("127.0.0.1", port: 0)), services: api.services, logger: logger)
        try await app.test(.live) { client in
            // The test client connects at once; wait until its connection is counted, so that a
            // test sees every connection but its own.
            let counter = api.connectionCounter
            for _ in 0..<500 where counter.snapshot.open == 0 { try await Task.sleep(for: .milliseconds(10)) }
            try #require(counter.snapshot.open == 1)
            try await body(try #require(client.port), counter)
        }
    }

    static func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    @Test("half a request head is cut at the header time-out; a whole request still answers")
    func headerTimeout() async throws {
        var limits = ConnectionLimits()
        limits.headerTimeout = .seconds(1)
        try await Self.withServer(limits) { port, counter in
            let slow = try RawConnection(port: port)
            let start = ContinuousClock.now
            slow.send("GET /healthz HTTP/1.1\r\nHost: test\r\nX-a: ")
            let (_, closed) = await slow.readUntilClosed(limit: .seconds(20))
            #expect(closed, "half a head must not hold a connection open")
            #expect(Self.seconds(since: start) >= 0.8)
            #expect(counter.snapshot.timeouts["header", default: 0] >= 1)
            let whole = try RawConnection(port: port)
            whole.send(Self.healthz)
            #expect(await whole.readAnswer()?.hasPrefix("HTTP/1.1 200") == true)
        }
    }

    @Test("a silent new connection gets the header time-out; a kept-alive one waits the idle time-out")
    func idleTimeout() async throws {
        var limits = ConnectionLimits()
        limits.headerTimeout = .seconds(1)
        // Far longer than the header time-out, so that a slow machine sees the silent connection
        // closed long before the kept-alive one could be.
        limits.idleTimeout = .seconds(10)
        try await Self.withServer(limits) { port, counter in
            let silent = try RawConnection(port: port)
            let kept = try RawConnection(port: port)
            kept.send(Self.healthz)
            #expect(await kept.readAnswer()?.hasPrefix("HTTP/1.1 200") == true)
            #expect(await silent.readUntilClosed(limit: .seconds(20)).closed)
            #expect(counter.snapshot.timeouts["header", default: 0] >= 1, "a connection that says nothing gets only the header time-out")
            #expect(counter.snapshot.timeouts["idle"] == nil, "the kept-alive one is still waiting")
            // The kept-alive one is still open past the header time-out, and serves another request.
            kept.send(Self.healthz)
            #expect(await kept.readAnswer()?.hasPrefix("HTTP/1.1 200") == true)
            let idleStart = ContinuousClock.now
            #expect(await kept.readUntilClosed(limit: .seconds(30)).closed)
            #expect(Self.seconds(since: idleStart) >= 9.5)
            #expect(counter.snapshot.timeouts["idle"] == 1)
        }
    }

    @Test("a body that trickles in below the minimum rate is cut")
    func slowBody() async throws {
        var limits = ConnectionLimits()
        limits.rateWindow = .seconds(1)
        limits.bodyTimeout = .seconds(4)
        try await Self.withServer(limits) { port, counter in
            let slow = try RawConnection(port: port)
            slow.send("POST /order HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nContent-Length: 900\r\n\r\n{")
            let start = ContinuousClock.now
            var closed = false
            while !closed, Self.seconds(since: start) < 30 {
                slow.send(" ")
                closed = await slow.readUntilClosed(limit: .milliseconds(300)).closed
            }
            #expect(closed)
            #expect(counter.snapshot.timeouts["body"] == 1)
        }
    }

    @Test("beyond --max-connections a new connection is closed at once; the open ones keep working")
    func connectionCap() async throws {
        var limits = ConnectionLimits()
        limits.maxConnections = 3
        try await Self.withServer(limits) { port, counter in
            // The test client holds one place; fill the other two.
            let open = try (0..<2).map { _ in try RawConnection(port: port) }
            for connection in open {
                connection.send(Self.healthz)
                #expect(await connection.readAnswer()?.hasPrefix("HTTP/1.1 200") == true)
            }
            let refused = try RawConnection(port: port)
            refused.send(Self.healthz)
            let answer = await refused.readUntilClosed(limit: .seconds(20))
            #expect(answer.closed && answer.text.isEmpty, "closed without an answer")
            #expect(counter.snapshot.refused == 1, "closed at admission, not by a time-out")
            #expect(counter.snapshot.timeouts.isEmpty)
            open[0].send(Self.healthz)
            #expect(await open[0].readAnswer()?.hasPrefix("HTTP/1.1 200") == true, "an established connection is unaffected")
            // A closed connection frees its place.
            open[1].close()
            var admitted = false
            for _ in 0..<50 where !admitted {
                let next = try RawConnection(port: port)
                next.send(Self.healthz)
                admitted = await next.readAnswer(limit: .seconds(2))?.hasPrefix("HTTP/1.1 200") == true
            }
            #expect(admitted)
        }
    }

    @Test("the per-address limit counts each client address, and is off behind a proxy")
    func perAddressCap() async throws {
        var limits = ConnectionLimits()
        limits.maxConnectionsPerAddress = 2
        for trustProxy in [false, true] {
            try await Self.withServer(limits, trustProxy: trustProxy) { port, _ in
                let first = try (0..<2).map { _ in try RawConnection(port: port, source: "127.0.0.3") }
                for connection in first {
                    connection.send(Self.healthz)
                    #expect(await connection.readAnswer()?.hasPrefix("HTTP/1.1 200") == true)
                }
                let third = try RawConnection(port: port, source: "127.0.0.3")
                third.send(Self.healthz)
                #expect((await third.readAnswer(limit: .seconds(3)) != nil) == trustProxy, "trust-proxy \(trustProxy)")
                let other = try RawConnection(port: port, source: "127.0.0.4")
                other.send(Self.healthz)
                #expect(await other.readAnswer()?.hasPrefix("HTTP/1.1 200") == true, "another address has its own count")
            }
        }
    }

    @Test("a client that does not read its answers is cut at the write time-out")
    func slowReader() async throws {
        var limits = ConnectionLimits()
        limits.writeTimeout = .seconds(2)
        try await Self.withServer(limits) { port, counter in
            let reader = try RawConnection(port: port, receiveBuffer: 1024)
            // Ask again and again for the API's description, and never read an answer.
            let request = "GET /openapi.yaml HTTP/1.1\r\nHost: test\r\n\r\n"
            for _ in 0..<400 { reader.send(request) }
            let start = ContinuousClock.now
            while counter.snapshot.timeouts["write"] == nil, Self.seconds(since: start) < 60 {
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(counter.snapshot.timeouts["write"] == 1)
        }
    }
}
