import Foundation
import NIOCore
import StoreModel
import Testing

@testable import OrderService

/// The rules that keep cached answers exact, one at a time and in the orders that race in a server.
@Suite("Order answer cache", .timeLimit(.minutes(2)))
struct AnswerCacheUnitTests {
    static func entry(_ text: String, readAt: ContinuousClock.Instant = .now) -> OrderAnswerCache.Entry {
        OrderAnswerCache.Entry(
            body: ByteBuffer(string: text), contact: OrderContact(Customer(name: "n", email: "A@B.example", phone: "0912-345-678")),
            expiresAt: nil, readAt: readAt)
    }

    static func fill(_ cache: OrderAnswerCache, _ id: String, _ text: String, foreignWrites: UInt64 = 0) {
        cache.finishFill(cache.beginFill(id, foreignWrites: foreignWrites), with: entry(text), foreignWrites: foreignWrites)
    }

    @Test("a fill lands; an invalidation drops it")
    func fillAndInvalidate() {
        let cache = OrderAnswerCache(capacity: 10)
        Self.fill(cache, "A", "a1")
        #expect(cache.entry("A", foreignWrites: 0)?.body == ByteBuffer(string: "a1"))
        cache.invalidate(["A"])
        #expect(cache.entry("A", foreignWrites: 0) == nil)
    }

    @Test("a fill whose read began before an invalidation of its id never lands")
    func staleFill() {
        let cache = OrderAnswerCache(capacity: 10)
        let ticket = cache.beginFill("A", foreignWrites: 0)
        cache.invalidate(["A"])  // a write committed while the fill was reading
        cache.finishFill(ticket, with: Self.entry("old"), foreignWrites: 0)
        #expect(cache.entry("A", foreignWrites: 0) == nil)
        // A later fill (after the write) lands; the invalidation of another id does not touch it.
        Self.fill(cache, "A", "new")
        cache.invalidate(["B"])
        #expect(cache.entry("A", foreignWrites: 0)?.body == ByteBuffer(string: "new"))
    }

    @Test("of two overlapping fills of one id only the later one may land")
    func overlappingFills() {
        let cache = OrderAnswerCache(capacity: 10)
        let first = cache.beginFill("A", foreignWrites: 0)
        let second = cache.beginFill("A", foreignWrites: 0)
        cache.finishFill(second, with: Self.entry("second"), foreignWrites: 0)
        cache.finishFill(first, with: Self.entry("first"), foreignWrites: 0)
        #expect(cache.entry("A", foreignWrites: 0)?.body == ByteBuffer(string: "second"))
    }

    @Test("another store's write empties the cache and voids fills that were reading across it")
    func foreignWrites() {
        let cache = OrderAnswerCache(capacity: 10)
        Self.fill(cache, "A", "a")
        let reading = cache.beginFill("B", foreignWrites: 0)
        #expect(cache.entry("A", foreignWrites: 1) == nil)
        cache.finishFill(reading, with: Self.entry("b"), foreignWrites: 1)
        #expect(cache.entry("B", foreignWrites: 1) == nil)
        // A lookup that read the count before the write (a smaller one) does not bring old entries back.
        Self.fill(cache, "C", "c", foreignWrites: 1)
        #expect(cache.entry("C", foreignWrites: 0)?.body == ByteBuffer(string: "c"))
        #expect(cache.entry("A", foreignWrites: 1) == nil)
        // A fill that began before the write but finishes after another lookup saw it is dropped too.
        let late = cache.beginFill("D", foreignWrites: 1)
        _ = cache.entry("X", foreignWrites: 2)
        cache.finishFill(late, with: Self.entry("d"), foreignWrites: 2)
        #expect(cache.entry("D", foreignWrites: 2) == nil)
    }

    @Test("entries older than the maximum age are read again")
    func maximumAge() {
        let cache = OrderAnswerCache(capacity: 10, maximumAge: .seconds(5))
        let now = ContinuousClock.now
        let ticket = cache.beginFill("A", foreignWrites: 0)
        cache.finishFill(ticket, with: Self.entry("a", readAt: now - .seconds(6)), foreignWrites: 0)
        #expect(cache.entry("A", foreignWrites: 0, now: now) == nil)
        Self.fill(cache, "B", "b")
        #expect(cache.entry("B", foreignWrites: 0, now: .now + .seconds(4)) != nil)
        #expect(cache.entry("B", foreignWrites: 0, now: .now + .seconds(6)) == nil)
    }

    @Test("the cache never holds more than its capacity and keeps the entries in use")
    func bounded() {
        let cache = OrderAnswerCache(capacity: 100)
        Self.fill(cache, "hot", "h")
        for index in 0..<1_000 {
            Self.fill(cache, "id\(index)", "\(index)")
            #expect(cache.count <= 100)
            #expect(cache.entry("hot", foreignWrites: 0) != nil, "used at every step, never evicted")
        }
        #expect(cache.entry("id999", foreignWrites: 0) != nil)
        #expect(cache.entry("id0", foreignWrites: 0) == nil)
        let off = OrderAnswerCache(capacity: 0)
        Self.fill(off, "A", "a")
        #expect(off.count == 0)
    }

    @Test("contacts: e-mail in any case, phone by digits (6 or more), nothing else")
    func contacts() {
        let contact = OrderContact(Customer(name: "n", email: "Alice@Example.com", phone: "0912-345-678"))
        for given in [
            "alice@example.com", " ALICE@EXAMPLE.COM ", "\talice@example.com\t", "\u{3000}Alice@example.com", "0912345678", "(091) 2345-678",
            "0912 345 678\u{3000}",
        ] {
            #expect(contact.matches(given), "\(given)")
        }
        for given in [
            "", "   ", "\t", "alice@example.co", "alice@example.comm", "alice @example.com", "0912345679", "091234567", "345678", "bob@example.com",
            "ａlice@example.com",
        ] {
            #expect(!contact.matches(given), "\(given)")
        }
        let unicode = OrderContact(Customer(name: "n", email: "Émile@例え.jp", phone: "+886 912 345 678"))
        #expect(unicode.matches("émile@例え.jp") && unicode.matches("886912345678") && !unicode.matches("emile@例え.jp"))
    }

    @Test("a store's own writes are not foreign to it; another store's writes on the same file are")
    func writeCounter() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("counter-" + UUID().uuidString)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("orders.sqlite").path
        let server = SharedWriteCounter(databasePath: path)
        let other = SharedWriteCounter(databasePath: path)
        let start = server.foreignWrites
        server.countOwnWrite()
        server.countOwnWrite()
        #expect(server.foreignWrites == start)
        #expect(other.foreignWrites == 2)
        other.countOwnWrite()
        #expect(server.foreignWrites == start + 1)
        #expect(other.foreignWrites == 2)
        // A store opened later continues the count instead of resetting it.
        let late = SharedWriteCounter(databasePath: path)
        #expect(late.foreignWrites == 3)
        #expect(FileManager.default.fileExists(atPath: SharedWriteCounter.path(for: path)))
    }
}
