import Foundation
import Logging
import ServiceLifecycle
import Testing

@testable import OrderService

/// Socket activation (`InheritedSocket`) and the hand-over of a listening socket from one server
/// to the next without a refused connection or a broken request (`ConnectionDrain`).
@Suite("Inherited listening socket", .timeLimit(.minutes(2)))
struct InheritedSocketTests {
    static let pid: Int32 = 4242

    @Test("LISTEN_FDS for this process gives descriptor 3 and its name; for another process, nothing")
    func parsing() throws {
        #expect(try InheritedSocket.passed(in: [:], processID: Self.pid) == nil)
        #expect(try InheritedSocket.passed(in: ["LISTEN_PID": "4242", "LISTEN_FDS": "1"], processID: Self.pid) == .init(descriptor: 3, name: nil))
        #expect(
            try InheritedSocket.passed(in: ["LISTEN_PID": "4242", "LISTEN_FDS": "1", "LISTEN_FDNAMES": "order-api"], processID: Self.pid)
                == .init(descriptor: 3, name: "order-api"))
        #expect(try InheritedSocket.passed(in: ["LISTEN_PID": "1", "LISTEN_FDS": "1"], processID: Self.pid) == nil, "a parent's variables")
        #expect(try InheritedSocket.passed(in: ["LISTEN_FDS": "1"], processID: Self.pid) == nil, "no LISTEN_PID")
        #expect(try InheritedSocket.passed(in: ["LISTEN_PID": "4242", "LISTEN_FDS": "0"], processID: Self.pid) == nil)
    }

    @Test("a LISTEN_FDS that is not a count, or more than one socket, stops start-up naming the variable")
    func unusable() {
        for fds in ["two", "-1", ""] {
            let error = #expect(throws: InheritedSocket.Unusable.self) {
                try InheritedSocket.passed(in: ["LISTEN_PID": "4242", "LISTEN_FDS": fds], processID: Self.pid)
            }
            #expect(error?.description.hasPrefix("LISTEN_FDS: ") == true)
        }
        let error = #expect(throws: InheritedSocket.Unusable.self) {
            try InheritedSocket.passed(in: ["LISTEN_PID": "4242", "LISTEN_FDS": "2"], processID: Self.pid)
        }
        #expect(error?.description.contains("2 sockets") == true)
    }

    @Test("only a listening stream socket is taken")
    func listeningOnly() throws {
        let (listening, _) = try Self.listeningSocket()
        defer { close(listening) }
        try InheritedSocket(descriptor: listening, name: nil).checkListening()

        let unbound = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(unbound) }
        #expect(throws: InheritedSocket.Unusable.self) { try InheritedSocket(descriptor: unbound, name: nil).checkListening() }
        var pipeEnds: [Int32] = [0, 0]
        try #require(pipe(&pipeEnds) == 0)
        defer { pipeEnds.forEach { close($0) } }
        #expect(throws: InheritedSocket.Unusable.self) { try InheritedSocket(descriptor: pipeEnds[0], name: nil).checkListening() }
    }

    @Test("the Date header is RFC 9110's fixed format")
    func dateHeader() {
        #expect(HTTPDateCache.format(784_111_777) == "Sun, 06 Nov 1994 08:49:37 GMT")
        #expect(HTTPDateCache.format(1_796_428_800 + 3_599) == "Sat, 05 Dec 2026 00:59:59 GMT")
    }

    @Test("a stopping server answers a kept-alive client's next request with Connection: close; the next server answers what waited in the socket")
    func handOver() async throws {
        let shop = try TestShop()
        defer { shop.cleanUp() }
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        let (listening, port) = try Self.listeningSocket()
        defer { close(listening) }
        let healthz = ConnectionGuardTests.healthz

        let first = try await Self.server(shop.configuration, on: listening, logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await first.run() }
            let kept = try RawConnection(port: port)
            kept.send(healthz)
            let before = try #require(await kept.readAnswer())
            #expect(before.hasPrefix("HTTP/1.1 200"))
            #expect(before.lowercased().contains("\r\nserver: order-api\r\n"))
            #expect(before.lowercased().contains("\r\ndate: "))
            #expect(!before.lowercased().contains("connection: close"))

            await first.triggerGracefulShutdown()
            // The stop reaches the connection a moment later. Until it does, requests are answered
            // as before; the first after it is answered with `Connection: close`, and the server
            // then closes the connection. None is broken.
            var toldToClose = false
            for _ in 0..<200 where !toldToClose {
                kept.send(healthz)
                let during = try #require(await kept.readAnswer(), "a request on a kept-alive connection must not be broken by the stop")
                #expect(during.hasPrefix("HTTP/1.1 200"))
                toldToClose = during.lowercased().contains("\r\nconnection: close\r\n")
                if !toldToClose { try await Task.sleep(for: .milliseconds(10)) }
            }
            #expect(toldToClose)
            #expect(await kept.readUntilClosed(limit: .seconds(10)).closed)
            try await tasks.next()
        }

        // No server runs now, but the socket is still open: the kernel accepts and queues.
        let waiting = try RawConnection(port: port)
        waiting.send(healthz)
        let second = try await Self.server(shop.configuration, on: listening, logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await second.run() }
            let answer = await waiting.readAnswer()
            #expect(answer?.hasPrefix("HTTP/1.1 200") == true, "the request that waited in the socket is answered by the next server")
            await second.triggerGracefulShutdown()
            try await tasks.next()
        }
    }

    /// The whole API serving a copy of `listening` (its own descriptor, as a new process would have).
    static func server(_ configuration: OrderAPIConfiguration, on listening: Int32, logger: Logger) async throws -> ServiceGroup {
        let api = try await OrderAPI(configuration: configuration, logger: logger, paymentSteps: NoPaymentStepProvider())
        let services = try await api.application(logger: logger).services(on: InheritedSocket(descriptor: dup(listening), name: nil), http1: api.http1)
        return ServiceGroup(configuration: .init(services: services, logger: logger))
    }

    /// A TCP socket listening on a free loopback port, and the port.
    static func listeningSocket() throws -> (Int32, Int) {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(descriptor, pointer, length) == 0 && listen(descriptor, 64) == 0 && getsockname(descriptor, pointer, &length) == 0
            }
        }
        guard bound else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EINVAL) }
        return (descriptor, Int(UInt16(bigEndian: address.sin_port)))
    }
}
