import Foundation
import StoreModel

/// Splits text into the terms of the search index. `search.js` splits queries by the same rules
/// (`tokenize` there), so a query's terms are spelled as the index's:
/// - the text is NFKC-normalized (full-width letters and digits become ASCII) and lowercased;
/// - a run of letters, marks and digits outside Han and Kana is one word (`avocado`, `3kg`);
/// - a run of Han or Kana characters is indexed as overlapping pairs (`玉井有機` gives `玉井`,
///   `井有`, `有機`), with no dictionary, and each of its characters; a query's run of one
///   character is that character, a longer one only its pairs;
/// - anything else separates words. Words longer than `maximumLength` scalars are cut.
enum SearchTokenizer {
    /// The longest word kept, in Unicode scalars.
    static let maximumLength = 40

    /// A term with its hash computed once: the index's dictionaries hash its UTF-8 bytes, not the
    /// `String` (whose hash normalizes non-ASCII text every time). Most terms are small strings,
    /// held inline without an allocation.
    struct Term: Hashable, Sendable {
        let text: String
        let hash: UInt64

        init(_ text: String) {
            var text = text
            self.hash = text.withUTF8 { WordHash.hash(UnsafeRawBufferPointer($0)) }
            self.text = text
        }

        init(_ bytes: [UInt8]) {
            self.init(String(decoding: bytes, as: UTF8.self))
        }

        var bytes: [UInt8] { Array(text.utf8) }

        func hash(into hasher: inout Hasher) { hasher.combine(hash) }

        static func == (a: Term, b: Term) -> Bool { a.hash == b.hash && a.text.utf8.elementsEqual(b.text.utf8) }

        /// UTF-8 byte order (code point order), as the shards are sorted and the script compares.
        static func < (a: Term, b: Term) -> Bool { a.text.utf8.lexicographicallyPrecedes(b.text.utf8) }
    }

    /// The terms of `text`, in order, repeats included.
    static func terms(_ text: String, indexesCharacters: Bool = true) -> [String] {
        var terms: [String] = []
        forEachTerm(text, indexesCharacters: indexesCharacters) { terms.append($0.text) }
        return terms
    }

    /// Calls `body` with each term of `text`, in order. With `indexesCharacters` (the index) a Han
    /// or Kana run also gives each of its characters, after its pairs, so that a query of one
    /// character finds it; a query's run of two or more gives only its pairs.
    static func forEachTerm(_ text: String, indexesCharacters: Bool = true, _ body: (Term) -> Void) {
        let normalized = (needsNormalization(text) ? nfkc(text) : text).lowercased()
        var word = String.UnicodeScalarView()
        var wordLength = 0
        var han: [Unicode.Scalar] = []
        func flushWord() {
            if !word.isEmpty { body(Term(String(word))) }
            word = String.UnicodeScalarView()
            wordLength = 0
        }
        func flushHan() {
            for index in 0..<max(0, han.count - 1) {
                var pair = String.UnicodeScalarView()
                pair.append(han[index])
                pair.append(han[index + 1])
                body(Term(String(pair)))
            }
            if indexesCharacters || han.count == 1 {
                for scalar in han { body(Term(String(Character(scalar)))) }
            }
            han.removeAll(keepingCapacity: true)
        }
        for scalar in normalized.unicodeScalars {
            switch kind(of: scalar) {
            case .word:
                flushHan()
                if wordLength < maximumLength { word.append(scalar) }
                wordLength += 1
            case .hanOrKana:
                flushWord()
                han.append(scalar)
            case .separator:
                flushWord()
                flushHan()
            }
        }
        flushWord()
        flushHan()
    }

    /// NFKC as the script's `normalize('NFKC')` gives it. Foundation on Linux leaves what the
    /// compatibility mapping produces uncomposed (half-width `ｶﾞ` becomes `カ` and a combining
    /// voiced mark, not `ガ`), so a canonical composition follows.
    static func nfkc(_ text: String) -> String {
        text.precomposedStringWithCompatibilityMapping.precomposedStringWithCanonicalMapping
    }

    /// Whether NFKC could change the terms of `text`: it has a scalar outside ASCII, the Han
    /// ideographs, Kana and the punctuation that NFKC leaves alone or turns into other punctuation
    /// (full-width `，`, `（）`, `。`, brackets, dashes). Shop text in Chinese is then read as it
    /// is, without Foundation's normalization (most of the index's time before).
    static func needsNormalization(_ text: String) -> Bool {
        for scalar in text.unicodeScalars where scalar.value >= 0x80 {
            switch scalar.value {
            case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0x3041...0x3096, 0x30A1...0x30FA, 0x3001...0x3002, 0x300C...0x3011, 0xFF01...0xFF0F,
                0xFF1A...0xFF20, 0xFF5E, 0x2010...0x2016, 0x2018...0x2027, 0x00B7, 0x00D7:
                continue
            default:
                return true
            }
        }
        return false
    }

    enum Kind { case word, hanOrKana, separator }

    /// What a scalar is to the tokenizer; ASCII without a Unicode property lookup.
    static func kind(of scalar: Unicode.Scalar) -> Kind {
        if scalar.value < 0x80 {
            let byte = scalar.value
            return (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) ? .word : .separator
        }
        return isHanOrKana(scalar) ? .hanOrKana : isWordScalar(scalar) ? .word : .separator
    }

    /// Han ideographs (with extensions and compatibility forms), Hiragana and Katakana, by code
    /// point ranges that `search.js` repeats.
    static func isHanOrKana(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x3040...0x30FF, 0x31F0...0x31FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xF900...0xFAFF, 0x20000...0x2FA1F: true
        default: false
        }
    }

    /// Letters, marks and digits (`\p{L}`, `\p{M}`, `\p{N}` in the script).
    static func isWordScalar(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter, .nonspacingMark, .spacingMark, .enclosingMark,
            .decimalNumber, .letterNumber, .otherNumber:
            true
        default: false
        }
    }
}
