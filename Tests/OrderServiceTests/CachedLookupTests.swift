import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing

@testable import OrderService

/// `GET /order` answers come from memory after the first lookup; every state change must show at
/// the next lookup all the same. Each test first proves the answer was cached (`/metrics` counts
/// lookups by source), then changes the order and looks again.
@Suite("GET /order from memory", .timeLimit(.minutes(2)))
struct CachedLookupTests {
    @Test("a repeated lookup comes from memory, byte for byte; a wrong contact on a cached order is the unknown-id 404")
    func repeated() async throws {
        let shop = try TestShop()
        defer { shop.cleanUp() }
        try await shop.withRouter { client in
            let id = try #require(try await client.placeOrder()["order"]["id"].string)
            let uri = "/order?id=\(id)&contact=alice@example.com"
            let first = try await client.execute(uri: uri, method: .get) { $0 }
            let second = try await client.execute(uri: uri, method: .get) { $0 }
            #expect(first.status == .ok && second.status == .ok)
            #expect(first.body == second.body)
            #expect(first.headers[.contentType] == second.headers[.contentType])
            #expect(try await client.lookupSources() == LookupSources(memory: 1, database: 1))

            let wrongContact = try await client.execute(uri: "/order?id=\(id)&contact=bob@example.com", method: .get) { $0 }
            let wrongPhone = try await client.execute(uri: "/order?id=\(id)&contact=0912345679", method: .get) { $0 }
            #expect(try await client.lookupSources() == LookupSources(memory: 3, database: 1), "both answered from memory")
            let unknown = try await client.execute(uri: "/order?id=AAAAAAAAAAAAAAAA&contact=alice@example.com", method: .get) { $0 }
            for response in [wrongContact, wrongPhone, unknown] {
                #expect(response.status == .notFound)
                #expect(response.body == unknown.body)
            }
            // The phone, in any punctuation, still finds the cached order.
            try await client.execute(uri: "/order?id=\(id)&contact=%28091%29%202345-678", method: .get) { #expect($0.status == .ok) }
        }
    }

    @Test("after the owner ships, delivers or cancels an order, the next lookup shows it")
    func ownerChanges() async throws {
        let shop = try TestShop()
        defer { shop.cleanUp() }
        try await shop.withRouter { client in
            let id = try #require(try await client.placeOrder()["order"]["id"].string)
            #expect(try await client.lookupTwice(id)["status"].string == "created")
            try await client.setStatus(id, ["status": "shipped", "trackingNumber": "TCAT-1", "note": "黑貓"])
            let shipped = try await client.lookupTwice(id)
            #expect(shipped["status"].string == "shipped" && shipped["trackingNumber"].string == "TCAT-1")
            #expect(shipped["timeline"].array.map { $0["status"].string } == ["created", "shipped"])
            try await client.setStatus(id, ["status": "delivered"])
            let delivered = try await client.lookupTwice(id)
            #expect(delivered["status"].string == "delivered" && delivered["payment"]["state"].string == "paid")

            let other = try #require(try await client.placeOrder()["order"]["id"].string)
            #expect(try await client.lookupTwice(other)["status"].string == "created")
            try await client.setStatus(other, ["status": "cancelled", "note": "out of stock"])
            #expect(try await client.lookupTwice(other)["status"].string == "cancelled")
            let sources = try await client.lookupSources()
            #expect(sources.memory == 5 && sources.database == 5, "one read per state, the repeat from memory: \(sources)")
        }
    }

    @Test("an unpaid order whose answer is cached expires at its deadline, and its stock comes back")
    func lazyExpiry() async throws {
        let shop = try TestShop()
        defer { shop.cleanUp() }
        let clock = shop.clock
        try await shop.withRouter { client in
            let before = try await client.available("CHERRY-3")
            let id = try #require(try await client.placeOrder(Body.order(items: [("CHERRY-3", 1)], method: "credit_card"))["order"]["id"].string)
            #expect(try await client.lookupTwice(id)["status"].string == "created")
            clock.advance(by: 3599)
            #expect(try await client.lookupTwice(id)["status"].string == "created")
            clock.advance(by: 2)
            let expired = try await client.lookupTwice(id)
            #expect(expired["status"].string == "expired")
            #expect(expired["timeline"].array.last?["status"].string == "expired")
            #expect(try await client.available("CHERRY-3") == before)
        }
    }

    @Test("a lookup made after a change returned always shows it, while other lookups race to refill the cache")
    func racingLookups() async throws {
        let shop = try TestShop()
        defer { shop.cleanUp() }
        try await shop.withRouter { client in
            for _ in 0..<15 {
                let id = try #require(try await client.placeOrder(Body.order(items: [("BANANA-2", 1)]))["order"]["id"].string)
                let stop = StopFlag()
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for _ in 0..<4 {
                        group.addTask {
                            while !stop.isSet {
                                try await client.execute(uri: "/order?id=\(id)&contact=0912345678", method: .get) { #expect($0.status == .ok) }
                            }
                        }
                    }
                    #expect(try await client.lookup(id)["status"].string == "created")
                    try await client.setStatus(id, ["status": "shipped"])
                    #expect(try await client.lookup(id)["status"].string == "shipped")
                    try await client.setStatus(id, ["status": "delivered"])
                    #expect(try await client.lookup(id)["status"].string == "delivered")
                    stop.set()
                    try await group.waitForAll()
                }
            }
            #expect(try await client.lookupSources().memory > 0)
        }
    }

    @Test("with the cache off every lookup reads the database")
    func cacheOff() async throws {
        var shop = try TestShop()
        shop.configuration.orderAnswerCacheEntries = 0
        defer { shop.cleanUp() }
        try await shop.withRouter { client in
            let id = try #require(try await client.placeOrder()["order"]["id"].string)
            #expect(try await client.lookupTwice(id)["status"].string == "created")
            try await client.setStatus(id, ["status": "shipped"])
            #expect(try await client.lookupTwice(id)["status"].string == "shipped")
            #expect(try await client.lookupSources() == LookupSources(memory: 0, database: 4))
        }
    }
}

/// How many `GET /order` answers came from memory and from the database.
struct LookupSources: Equatable, CustomStringConvertible {
    var memory: Int
    var database: Int

    var description: String { "memory \(memory), database \(database)" }

    /// Reads `order_lookups_total{source=…}` from a Prometheus text page.
    init(metrics text: String) {
        func value(_ source: String) -> Int {
            let prefix = "order_lookups_total{source=\"\(source)\"} "
            return text.split(separator: "\n").first { $0.hasPrefix(prefix) }.flatMap { Int($0.dropFirst(prefix.count)) } ?? 0
        }
        self.init(memory: value("memory"), database: value("database"))
    }

    init(memory: Int, database: Int) {
        self.memory = memory
        self.database = database
    }
}

/// Tells the background lookups of a test to stop.
final class StopFlag: Sendable {
    private let flag = Atomic(false)
    var isSet: Bool { flag.load(ordering: .acquiring) }
    func set() { flag.store(true, ordering: .releasing) }
}

extension TestClientProtocol {
    /// The order from `GET /order` by e-mail, expecting 200.
    func lookup(_ id: String, sourceLocation: SourceLocation = #_sourceLocation) async throws -> JSON {
        try await execute(uri: "/order?id=\(id)&contact=alice@example.com", method: .get) { response in
            #expect(response.status == .ok, "\(response.body.text)", sourceLocation: sourceLocation)
            return JSON(response.body)["order"]
        }
    }

    /// Looks the order up twice (the second answer normally from memory) and checks both agree.
    func lookupTwice(_ id: String, sourceLocation: SourceLocation = #_sourceLocation) async throws -> JSON {
        let first = try await lookup(id, sourceLocation: sourceLocation)
        let second = try await lookup(id, sourceLocation: sourceLocation)
        #expect(first.object.map { NSDictionary(dictionary: $0) } == second.object.map { NSDictionary(dictionary: $0) }, sourceLocation: sourceLocation)
        return second
    }

    /// `POST /admin/orders/{id}/status`, expecting 200.
    func setStatus(_ id: String, _ body: [String: String], sourceLocation: SourceLocation = #_sourceLocation) async throws {
        try await execute(uri: "/admin/orders/\(id)/status", method: .post, headers: .admin, body: Body.json(body)) { response in
            #expect(response.status == .ok, "\(response.body.text)", sourceLocation: sourceLocation)
        }
    }

    /// Lookups answered from memory and from the database so far.
    func lookupSources() async throws -> LookupSources {
        try await execute(uri: "/metrics", method: .get) { LookupSources(metrics: $0.body.text) }
    }
}
