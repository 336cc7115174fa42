import Testing

@testable import StoreModel

/// The byte-level front matter reader must return exactly what the character-level reader returns
/// (byte for byte, line for line) for every file it accepts, and must decline what it cannot read.
@Suite(.timeLimit(.minutes(2))) struct FastFrontMatterTests {
    /// A field list as plain text, byte-exact (String `==` would treat canonically equivalent text as equal).
    static func dump(_ document: FrontMatterDocument) -> [UInt8] {
        func value(_ v: ContentValue) -> String {
            switch v.kind {
            case .scalar(let text, let quoted): "\(v.line):\(quoted ? "q" : "p")[\(Array(text.utf8))]"
            case .null: "\(v.line):null"
            case .list(let items): "\(v.line):(" + items.map(value).joined(separator: ",") + ")"
            case .map(let members): "\(v.line):{" + members.map { "\(Array($0.key.utf8))=\(value($0.value))" }.joined(separator: ",") + "}"
            }
        }
        let fields = document.fields.map { "\(Array($0.key.utf8))@\($0.line)=\(value($0.value))" }.joined(separator: ";")
        return Array("\(fields)|\(document.bodyLine)|".utf8) + Array(document.body.utf8)
    }

    static func expectSame(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> Bool {
        guard let fast = FastFrontMatter.parse(text) else { return false }
        do {
            let slow = try FrontMatterParser.parseLines(text)
            #expect(dump(fast) == dump(slow), "\(text.debugDescription)", sourceLocation: sourceLocation)
        } catch {
            Issue.record("the fast reader accepted \(text.debugDescription), which the full reader rejects: \(error)", sourceLocation: sourceLocation)
        }
        return true
    }

    @Test func typicalProductFilesAreReadFastAndIdentically() {
        let file = """
            ---
            title: "Hass avocado 3 kg"
            sku: SKU-000001
            price: 1280
            stock: 12
            categories: [avocados, gift-boxes]
            tags: []
            images: [/images/hass.jpg]
            summary: "Creamy, nutty: ripe in 3 days."

            weight: -5
            brand: ~
            ---

            Body **text**.
            """
        #expect(Self.expectSame(file))
        #expect(Self.expectSame("---\r\ntitle: \"哈斯酪梨\"\r\nprice: 1280\r\ncategories: [酪梨, 禮盒]\r\n---\r\n內文\r\n"))
        #expect(Self.expectSame("---\ntitle: 台南 酪梨   \t\nprice: 99\n---"))
        #expect(Self.expectSame("---  \ntitle: x\n---\t\nbody"))
    }

    @Test func anythingUnusualIsLeftToTheFullReader() {
        let declined = [
            "---\ntitle: 'single'\n---\n", "---\ntitle: \"esc\\\"aped\"\n---\n", "---\ntitle: a # comment\n---\n",
            "---\ncategories:\n  - a\n---\n", "---\nnested: a: b\n---\n", "---\ntags: [\"q\"]\n---\n", "---\ntitle: |\n  x\n---\n",
            "---\n# comment\ntitle: x\n---\n", "---\ntitle:x\n---\n", "---\ntitle: x\n", "----\ntitle: x\n---\n", "no front matter",
            "---\n名前: x\n---\n", "---\n-key: x\n---\n", "---\ntags: [a, ]\n---\n", "---\ntags: [a] b\n---\n",
        ]
        for text in declined {
            #expect(FastFrontMatter.parse(text) == nil, "\(text.debugDescription)")
        }
    }

    @Test func charactersThatJoinAcrossASCIIBytesAreRespected() {
        // A combining acute accent after a quote or a comma, and an Arabic number sign (a prepended
        // mark) before one, make characters that are not '"' or ','; the fast reader must either
        // decline or agree with the character-level reader.
        let tricky = [
            "\"\u{301}x\"", "\"x\u{600}\"", "\"x\"\u{301}", "[a\u{600}, b]", "[a,\u{301} b]", "[a, b\u{301}]", "x\u{600} ", "\u{301}x",
            "\"e\u{301}\"", "[中, 文]", "\"👍🏽\"", "x\u{200D}y",
        ]
        for value in tricky {
            _ = Self.expectSame("---\ntitle: \(value)\n---\nbody")
        }
    }

    @Test func randomFrontMatterAgreesWithTheFullReader() {
        var state: UInt64 = 0x5EED
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        let pieces = ["a", "Z9", " ", "\t", ":", ": ", "\"", "'", "[", "]", ", ", "#", "-", "~", "null", "中", "\u{301}", "\u{600}", "é", "\\", "|", "{"]
        var accepted = 0
        for _ in 0..<4000 {
            var lines: [String] = []
            for _ in 0..<(1 + next(5)) {
                var line = ["title", "sku", "tags", "k_1", "x-y"][next(5)] + ":" + (next(6) == 0 ? "" : " ")
                for _ in 0..<next(7) { line += pieces[next(pieces.count)] }
                lines.append(line)
            }
            let text = "---\n" + lines.joined(separator: ["\n", "\r\n", "\r"][next(3)]) + "\n---\nbody"
            if Self.expectSame(text) { accepted += 1 }
        }
        #expect(accepted > 200, "the random lines should often be inside the fast subset")
    }
}
