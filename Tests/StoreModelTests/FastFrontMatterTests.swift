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
            "---\nnested: a: b\n---\n", "---\ntitle: |\n  x\n---\n", "---\ntags: [\"e\\\\u0041\"]\n---\n",
            "---\n# comment\ntitle: x\n---\n", "---\ntitle:x\n---\n", "---\ntitle: x\n", "----\ntitle: x\n---\n", "no front matter",
            "---\n名前: x\n---\n", "---\n-key: x\n---\n", "---\ntags: [a, ]\n---\n", "---\ntags: [a] b\n---\n",
            // Lists and mappings outside the fast subset: no item, a comment, a tab, a trailing
            // comma, single quotes, a nested block, text after the mapping, a key outside ASCII.
            "---\ntags:\ntitle: x\n---\n", "---\ntags:\n  # none\n  - a\n---\n", "---\ntags:\n\t- a\n---\n",
            "---\nvariants:\n  - {sku: A,}\n---\n", "---\nvariants:\n  - {sku: 'A'}\n---\n", "---\noptions:\n  - name:\n      x: y\n---\n",
            "---\nvariants:\n  - {sku: A} # first\n---\n", "---\noptions:\n  - 名前: x\n---\n", "---\nvariants:\n  - {}\n---\n",
            "---\noptions:\n  - name: a\n     values: [b]\n---\n", "---\ntags:\n  -\n---\n",
        ]
        for text in declined {
            #expect(FastFrontMatter.parse(text) == nil, "\(text.debugDescription)")
        }
    }

    @Test func optionsAndVariantsAreReadFastAndIdentically() {
        // The benchmark's shape is read fast; the tea's trailing comment and the block mapping
        // variants are left to the full reader. Then the example shop's shape with blank lines, a
        // null and a block list of scalars.
        let accepted = QuickYAMLVariantTests.shapes.map { Self.expectSame("---\n\($0)\n---\nbody") }
        #expect(accepted == [true, false, false])
        let benchmark = """
            ---
            options:
              - name: 重量
                values: [30 公克, "75 公克"]

              - name: 包裝
                values: [袋裝]
            variants:
              - {sku: TEA-30G, options: {重量: 30 公克, 包裝: 袋裝}, price: 280, draft: true, weightGrams: ~, gtin: "4712895000060"}
            tags:
            - gluten-free
            - "organic"
            ---
            """
        #expect(Self.expectSame(benchmark))
        #expect(Self.expectSame("---\r\noptions:\r\n  - name: 色\r\n    values: [紅, 綠]\r\nvariants:\r\n  - {sku: A, options: {色: 紅}}\r\n---\r\n"))
    }

    @Test func randomListsAndMappingsAgreeWithTheFullReader() {
        var state: UInt64 = 0xB10C
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        let keys = ["sku", "\"Size\"", "重量", "a b", "x-y", "-k", "k\u{301}", "'q'"]
        let values = [
            "A-1", "380", "\"3 kg\"", "1 公斤", "~", "null", "{W: S}", "{\"W\": \"M\", P: 1}", "[a, \"b\"]", "x:y", "a: b", "#", "{}", "[]",
            "\"a\u{301}\"", ",\u{301}", "\"]\"", "[\"]\"]", "e\u{301}",
        ]
        // Mostly the shapes content files use (the first keys and values), sometimes anything.
        func key() -> String { next(4) == 0 ? keys[next(keys.count)] : keys[next(3)] }
        func value() -> String { next(4) == 0 ? values[next(values.count)] : values[next(9)] }
        func mapping() -> String {
            var members: [String] = []
            for _ in 0..<(1 + next(4)) { members.append(key() + [": ", ":", " : ", ":  "][next(4) == 0 ? next(4) : 0] + value()) }
            return "{" + members.joined(separator: [", ", ",", " ,  "][next(3)]) + ["}", "}  ", "} # c", "", "}}"][next(4) == 0 ? next(5) : next(2)]
        }
        func item() -> String {
            switch next(8) {
            case 0...2: return "- " + mapping()
            case 3, 4: return "- " + value()
            case 5, 6: return "- name: " + value() + "\n" + ["    ", "    ", "   ", "     "][next(4)] + "values: " + value()
            default: return ["-", "-x", "- ", "- a:", ""][next(5)]
            }
        }
        var accepted = 0
        for _ in 0..<8000 {
            var lines = ["title: T"]
            for _ in 0..<(1 + next(3)) {
                lines.append(["variants:", "options:", "tags:  "][next(3)])
                for _ in 0..<(1 + next(3)) { lines.append(["  ", "", "    "][next(3)] + item()) }
            }
            if next(2) == 0 { lines.append("weight: 2") }
            if Self.expectSame("---\n" + lines.joined(separator: "\n") + "\n---\nbody") { accepted += 1 }
        }
        #expect(accepted > 500, "the random lists should often be inside the fast subset (\(accepted))")
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

    @Test func anASCIISetHoldsExactlyItsBytes() {
        for members in ["[]{},#&*!|>\"'%@`?", "\u{0}\u{7F}?@", ""] {
            let set = ASCIISet(members)
            for byte in 0...255 {
                #expect(set.contains(UInt8(byte)) == members.utf8.contains(UInt8(byte)), "\(byte) in \(members.debugDescription)")
            }
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
