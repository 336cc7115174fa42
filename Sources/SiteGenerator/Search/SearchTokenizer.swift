import Foundation

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

    /// The terms of `text`, in order, repeats included.
    static func terms(_ text: String, indexesCharacters: Bool = true) -> [String] {
        var terms: [String] = []
        forEachTerm(text, indexesCharacters: indexesCharacters) { terms.append($0) }
        return terms
    }

    /// Calls `body` with each term of `text`, in order. With `indexesCharacters` (the index) a Han
    /// or Kana run also gives each of its characters, after its pairs, so that a query of one
    /// character finds it; a query's run of two or more gives only its pairs.
    static func forEachTerm(_ text: String, indexesCharacters: Bool = true, _ body: (String) -> Void) {
        let normalized = text.precomposedStringWithCompatibilityMapping.lowercased()
        var word = String.UnicodeScalarView()
        var wordLength = 0
        var han: [Unicode.Scalar] = []
        func flushWord() {
            if !word.isEmpty { body(String(word)) }
            word = String.UnicodeScalarView()
            wordLength = 0
        }
        func flushHan() {
            for index in 0..<max(0, han.count - 1) {
                var pair = String.UnicodeScalarView()
                pair.append(han[index])
                pair.append(han[index + 1])
                body(String(pair))
            }
            if indexesCharacters || han.count == 1 {
                for scalar in han { body(String(Character(scalar))) }
            }
            han.removeAll(keepingCapacity: true)
        }
        for scalar in normalized.unicodeScalars {
            if isHanOrKana(scalar) {
                flushWord()
                han.append(scalar)
            } else if isWordScalar(scalar) {
                flushHan()
                if wordLength < maximumLength { word.append(scalar) }
                wordLength += 1
            } else {
                flushWord()
                flushHan()
            }
        }
        flushWord()
        flushHan()
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
