import Foundation
import Testing

@testable import StoreModel

/// The quick reader's variant shapes (one-line flow mappings, block mapping items) against Yams:
/// whatever it accepts it must read exactly as Yams does, values and lines; anything else it
/// leaves to Yams.
@Suite(.timeLimit(.minutes(2))) struct QuickYAMLVariantTests {
    /// The same value, comparing scalars, nulls and mappings with their lines, and lists without
    /// theirs (a block list's line is its key's for the quick reader, its first dash's for Yams;
    /// neither is used in a message).
    static func same(_ a: ContentValue, _ b: ContentValue) -> Bool {
        switch (a.kind, b.kind) {
        case (.list(let x), .list(let y)): return x.count == y.count && zip(x, y).allSatisfy { same($0, $1) }
        case (.map(let x), .map(let y)):
            return a.line == b.line && x.count == y.count && zip(x, y).allSatisfy { $0.key == $1.key && same($0.value, $1.value) }
        default: return a == b
        }
    }

    static func compare(_ yaml: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> Bool {
        let lines = yaml.split(separator: "\n", omittingEmptySubsequences: false)
        guard let quick = try QuickYAML.parse(lines, firstLine: 2) else { return false }
        let full = try YamsBridge.parseMapping(yaml, firstLine: 2)
        #expect(quick.count == full.count, "\(yaml)", sourceLocation: sourceLocation)
        for (q, f) in zip(quick, full) {
            #expect(q.key == f.key && q.line == f.line && same(q.value, f.value), "\(q) vs \(f) in\n\(yaml)", sourceLocation: sourceLocation)
        }
        return true
    }

    /// The benchmark's and the example shop's front matter, and block mapping variants.
    static let shapes = [
        """
        title: "Avocado 1"
        options:
          - name: "Size"
            values: ["250 g", "500 g"]
          - name: "Pack"
            values: ["single", "twin pack"]
        variants:
          - {sku: SKU-000001-1, options: {"Size": "250 g", "Pack": "single"}, price: 199, stock: 10}
          - {sku: SKU-000001-2, options: {"Size": "500 g", "Pack": "twin pack"}, price: 249, stock: 0}
        weight: 1
        """,
        """
        title: 酪梨葉茶
        options:
          - name: 重量
            values: [30 公克, 75 公克]
        variants:
          - {sku: TEA-LEAF-30G, options: {重量: 30 公克}, price: 280, stock: 50, gtin: "4712895000060"}
          - {sku: TEA-LEAF-75G, options: {重量: 75 公克}, price: 620, compareAtPrice: 700, image: /images/leaf-tea-75g.svg, draft: false}   # big
        """,
        """
        title: T
        variants:
          - sku: A-1
            options: {W: S}
            price: 380
          - sku: 'A-2'
            options: {"W": M}
            price: ~
        """,
    ]

    @Test func theBenchmarkAndExampleShapesAreReadQuicklyAndAsYamsReadsThem() throws {
        for yaml in Self.shapes { #expect(try Self.compare(yaml), "the quick reader must take \(yaml)") }
    }

    @Test func randomFlowMappingsAgreeWithYamsOrAreDeclined() throws {
        var state: UInt64 = 0xF10_3A9
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        let keys = ["sku", "price", "\"Size\"", "'重量'", "a b", "x-y", "k"]
        let values = [
            "A-1", "380", "\"3 kg\"", "'it''s'", "1 公斤", "~", "null", "{W: S}", "{\"W\": \"M\", P: 1}", "[a, b]", "true", "x:y", "a, b", "#", "{}", "[]",
        ]
        var accepted = 0
        for _ in 0..<3000 {
            var members: [String] = []
            for _ in 0..<(1 + next(4)) { members.append(keys[next(keys.count)] + [": ", ":", " : "][next(3)] + values[next(values.count)]) }
            let item = "{" + members.joined(separator: [", ", ",", " ,  "][next(3)]) + ["}", "} # c", "", "}}"][next(4)]
            let yaml = "title: T\nvariants:\n  - " + item + "\n  - {sku: B, price: 1}\nweight: 2"
            guard (try? YamsBridge.parseMapping(yaml, firstLine: 2)) != nil else {
                // What Yams refuses, the quick reader must not accept.
                let lines = yaml.split(separator: "\n", omittingEmptySubsequences: false)
                #expect((try? QuickYAML.parse(lines, firstLine: 2)) ?? nil == nil, "\(yaml)")
                continue
            }
            if try Self.compare(yaml) { accepted += 1 }
        }
        #expect(accepted > 300, "the random items should often be inside the quick subset (\(accepted))")
    }
}
