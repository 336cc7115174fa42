import Foundation
import Testing

@testable import OrderService

@Suite("Building blocks", .timeLimit(.minutes(2)))
struct UnitTests {
    @Test("order ids: 16 base62 characters, distinct")
    func orderIDs() {
        let ids = (0..<2000).map { _ in OrderID.make() }
        #expect(Set(ids).count == ids.count)
        #expect(ids.allSatisfy { $0.count == 16 && OrderID.isWellFormed($0) })
        #expect(!OrderID.isWellFormed("AAAAAAAAAAAAAAA-"))
        #expect(!OrderID.isWellFormed("short"))
    }

    @Test("masking names, e-mails and phones")
    func masking() {
        #expect(Masking.name("王小明") == "王**")
        #expect(Masking.name("Li") == "L*")
        #expect(Masking.email("alice@example.com") == "a***@example.com")
        #expect(Masking.phone("0912-345-678") == "*******678")
        #expect(Masking.phone("+886 912 345 678") == "*********678")
    }

    @Test("CSV cells: formula prefixes defused, quoting per RFC 4180")
    func csvCells() {
        #expect(CSV.cell("=1+1") == "'=1+1")
        #expect(CSV.cell("+1") == "'+1")
        #expect(CSV.cell("-1") == "'-1")
        #expect(CSV.cell("@x") == "'@x")
        #expect(CSV.cell("\tx") == "'\tx")
        #expect(CSV.cell("\rx") == "\"'\rx\"")
        #expect(CSV.cell("a,b") == "\"a,b\"")
        #expect(CSV.cell("say \"hi\"") == "\"say \"\"hi\"\"\"")
        #expect(CSV.cell("plain 王") == "plain 王")
    }

    @Test("front matter edits touch only the value, keeping quotes, comments and line endings")
    func frontMatterEdits() throws {
        let source = "---\ntitle: \"price: 1\"\nprice: 100   # per box\npricey: 5\nstock: 3\n---\nprice: 100 in the body\n"
        let edited = try ContentFieldEditor.edit(source, isJSON: false, key: "price", value: .init(text: "120", isBoolean: false))
        #expect(edited == source.replacingOccurrences(of: "price: 100   # per box", with: "price: 120   # per box"))
        let quoted = "---\r\nprice: '19.90'\r\n---\r\n"
        #expect(
            try ContentFieldEditor.edit(quoted, isJSON: false, key: "price", value: .init(text: "21.00", isBoolean: false))
                == "---\r\nprice: '21.00'\r\n---\r\n")
        let added = try ContentFieldEditor.edit(quoted, isJSON: false, key: "draft", value: .init(text: "true", isBoolean: true))
        #expect(added == "---\r\nprice: '19.90'\r\ndraft: true\r\n---\r\n")
        #expect(throws: ContentFieldEditor.EditError.self) {
            try ContentFieldEditor.edit("---\nprice:\n  - 1\n---\n", isJSON: false, key: "price", value: .init(text: "1", isBoolean: false))
        }
    }

    @Test("JSON edits touch only the member's value, at the top level")
    func jsonEdits() throws {
        let source = "{\n  \"nested\": {\"price\": \"1\"},\n  \"price\": 380,\n  \"title\": \"a \\\"price\\\"\"\n}\n"
        let edited = try ContentFieldEditor.edit(source, isJSON: true, key: "price", value: .init(text: "19.99", isBoolean: false))
        #expect(edited == source.replacingOccurrences(of: "\"price\": 380", with: "\"price\": 19.99"))
        let added = try ContentFieldEditor.edit(source, isJSON: true, key: "draft", value: .init(text: "false", isBoolean: true))
        #expect(added == source.replacingOccurrences(of: "a \\\"price\\\"\"\n}", with: "a \\\"price\\\"\",\n  \"draft\": false\n}"))
    }

    @Test("the rate limiter refills over time and keys are independent")
    func rateLimiter() {
        let limiter = RateLimiter(capacity: 2, period: .seconds(60))
        let start = ContinuousClock.now
        #expect(limiter.acquire("a", now: start) == nil)
        #expect(limiter.acquire("a", now: start) == nil)
        #expect(limiter.acquire("a", now: start) == 30)
        #expect(limiter.acquire("b", now: start) == nil)
        #expect(limiter.acquire("a", now: start + .seconds(31)) == nil)
        #expect(RateLimiter(capacity: 0).acquire("a") == nil)
    }

    @Test("admin tokens compare in constant time and fingerprint without revealing the token")
    func tokens() {
        #expect(AdminAuthMiddleware.match("secret", ["other", "secret"]) == "secret")
        #expect(AdminAuthMiddleware.match("secre", ["secret"]) == nil)
        #expect(AdminAuthMiddleware.match("secret\u{0}", ["secret"]) == nil)
        #expect(AdminAuthMiddleware.bearerToken("Bearer  abc ") == "abc")
        #expect(AdminAuthMiddleware.bearerToken("Basic abc") == nil)
        #expect(AdminAuthMiddleware.fingerprint("secret").count == 8)
    }

    @Test("request bodies: JSON read exactly, numbers typed by how they are written, anything else invalid_json")
    func requestJSON() throws {
        func parse(_ text: String) throws -> JSONValue { try JSONValue.parse(Data(text.utf8)) }
        #expect(
            try parse(#"{"items":[{"sku":"A-1","quantity":2}],"note":"caf\u00e9 \"x\"\n","ok":true,"gone":null}"#)
                == .object([
                    "items": .array([.object(["sku": .string("A-1"), "quantity": .integer(2)])]), "note": .string("café \"x\"\n"), "ok": .bool(true),
                    "gone": .null,
                ]))
        #expect(try parse("-9223372036854775808") == .integer(Int64.min))
        #expect(try parse("9223372036854775808") == .number(9_223_372_036_854_775_808), "beyond 64 bits: a number, not a whole one")
        #expect(try parse("1.5") == .number(1.5))
        #expect(try parse("1e2") == .number(100))
        #expect(try parse(#" {"a":1,"a":2} "#) == .object(["a": .integer(2)]), "the last of two members with one name counts")
        #expect(AdminAuthMiddleware.fingerprint("secret") == "2bb80d53", "the first 4 bytes of SHA-256, in lower-case hex")
        for invalid in ["", "{", #"{"a":1} x"#, "1e400", "-1e400", "NaN", "01x", #"{"a":"\x"}"#, "[1,]", #""\ud800""#, String(repeating: "[", count: 100)] {
            #expect(throws: APIError.self, "\(invalid)") { try parse(invalid) }
        }
        #expect(throws: APIError.self, "not UTF-8") { try JSONValue.parse(Data([0x22, 0xFF, 0x22])) }
    }
}
