import Foundation
import Testing

@testable import StoreModel

/// A seeded fuzz run over the front-matter parser and the catalog loader: mangled product files
/// must each end as a product or as content issues with a file and a line, never as a crash, a
/// hang or an unexplained error.
@Suite(.timeLimit(.minutes(2))) struct FrontMatterFuzzTests {
    static let seeds = [
        "---\ntitle: \"Hass 1 kg\"\nsku: AVO-1\nprice: 380\nstock: 12\ncategories: [Avocado, 酪梨]\ntags:\n  - fresh\n  - cold\nimages: [/images/a.svg]\nsummary: 'Sweet: and ripe'\n---\n\nBody with [a link](/pages/faq/).\n",
        "---\ntitle: Oil\nsku: OIL_2\nprice: 1999\ncompareAtPrice: 2500\ngtin: \"4006381333931\"\nweight: -3\ndraft: false\nsummary: |\n  multi\n  line\n---\n# Heading\n",
        "---\r\ntitle: CRLF\r\nsku: CR-3\r\nprice: 1280\r\n---\r\nBody\r\n",
    ]
    static let tokens = [
        "---", ":", ": ", "- ", "[", "]", "{", "}", "\"", "'", "&a ", "*a", "!!binary ", "!!python/object ", "? ", "|", ">", "#", "\t",
        "\u{0}", "\r", "\n", "\u{FEFF}", "\u{202E}", "\u{1F600}", "<script>alert(1)</script>", "javascript:alert(1)", "price: -1",
        "price: 1e400", "price: 0x10", "stock: -5", "stock: 99999999999999999999", "sku: ../../etc", "sku: A\nsku: B", "title:", "%YAML 1.2\n",
        "...", "\\", "\\u0000", String(repeating: "x", count: 5000), String(repeating: "[", count: 2000), "<<: *a", "~", "null",
    ]

    /// A small deterministic generator (SplitMix64), so a failure replays from its seed.
    struct SeededRandom: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static func mutate(_ text: String, _ rng: inout SeededRandom) -> String {
        var scalars = Array(text.unicodeScalars)
        for _ in 0..<Int.random(in: 1...4, using: &rng) {
            let position = scalars.isEmpty ? 0 : Int.random(in: 0..<scalars.count, using: &rng)
            switch Int.random(in: 0..<6, using: &rng) {
            case 0: scalars.insert(contentsOf: tokens.randomElement(using: &rng)!.unicodeScalars, at: position)
            case 1: if !scalars.isEmpty { scalars.removeSubrange(position..<min(scalars.count, position + Int.random(in: 1...20, using: &rng))) }
            case 2: if !scalars.isEmpty { scalars[position] = Unicode.Scalar(UInt8.random(in: 0...127, using: &rng)) }
            case 3: scalars = Array(scalars.prefix(position))
            case 4:
                var lines = String(String.UnicodeScalarView(scalars)).split(separator: "\n", omittingEmptySubsequences: false)
                if lines.count > 2 { lines.swapAt(Int.random(in: 0..<lines.count, using: &rng), Int.random(in: 0..<lines.count, using: &rng)) }
                scalars = Array(lines.joined(separator: "\n").unicodeScalars)
            default:
                let line = String(String.UnicodeScalarView(scalars)).split(separator: "\n").randomElement(using: &rng).map(String.init) ?? ""
                scalars.insert(contentsOf: (line + "\n").unicodeScalars, at: position)
            }
        }
        return String(String.UnicodeScalarView(scalars))
    }

    @Test func parserSurvivesFiveThousandMangledFiles() {
        var rng = SeededRandom(state: 20_260_101)
        var parsed = 0
        var refused = 0
        for iteration in 0..<5_000 {
            let text = Self.mutate(Self.seeds[iteration % Self.seeds.count], &rng)
            do {
                let document = try FrontMatterParser.parse(text)
                #expect(document.bodyLine >= 1)
                #expect(document.fields.allSatisfy { $0.line >= 1 })
                parsed += 1
            } catch {
                #expect(error.line >= 1, "a problem always names a line")
                #expect(!error.message.isEmpty)
                refused += 1
            }
        }
        #expect(parsed > 100 && refused > 100, "the mutations must reach both outcomes (parsed \(parsed), refused \(refused))")
    }

    @Test func catalogLoaderSurvivesMangledShopsWithLinesForEveryIssue() async throws {
        var rng = SeededRandom(state: 7)
        var loaded = 0
        var rejected = 0
        for round in 0..<150 {
            let fixture = try ContentFixture()
            defer { fixture.cleanUp() }
            let mangled = round % 4 == 0 ? -1 : round % 3  // every fourth shop is left whole
            for index in 0..<3 {
                let seed = Self.seeds[(round + index) % Self.seeds.count]
                let text = index == mangled ? Self.mutate(seed, &rng) : seed
                try fixture.write("content/products/p\(index).md", text)
            }
            do {
                let catalog = try await CatalogLoader(contentDirectory: fixture.content).load()
                #expect(Set(catalog.products.map(\.sku)).count == catalog.products.count, "SKUs stay unique")
                #expect(catalog.products.allSatisfy { $0.price.minorUnits > 0 })
                loaded += 1
            } catch let error as ContentError {
                #expect(!error.issues.isEmpty)
                for issue in error.issues {
                    #expect(issue.file.hasPrefix(fixture.content), "\(issue)")
                    #expect(issue.line >= 1, "\(issue)")
                }
                rejected += 1
            }
        }
        #expect(loaded > 30 && rejected > 30, "loaded \(loaded), rejected \(rejected)")
    }

    @Test func yamlAliasBombIsRefusedOrHarmless() async throws {
        let fixture = try ContentFixture()
        defer { fixture.cleanUp() }
        var yaml = "---\ntitle: Bomb\nsku: BOMB\nprice: 1\na0: &a0 [\"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\"]\n"
        for level in 1...9 {
            let previous = Array(repeating: "*a\(level - 1)", count: 9).joined(separator: ", ")
            yaml += "a\(level): &a\(level) [\(previous)]\n"
        }
        try fixture.write("content/products/bomb.md", yaml + "---\nBody\n")
        let error = await #expect(throws: ContentError.self) { _ = try await CatalogLoader(contentDirectory: fixture.content).load() }
        #expect(error?.issues.allSatisfy { $0.line >= 1 } == true)
    }
}
