import Testing

@testable import SiteGenerator

@Suite(.timeLimit(.minutes(1))) struct StructuredDataTests {
    @Test func anOptionNameMapsToGooglesVariantPropertyInEnglishOrChinese() {
        let cases: [(String, String?)] = [
            ("重量", "size"), ("Weight", "size"), (" Colour ", "color"), ("尺寸\u{3000}", "size"), ("顏色", "color"), ("材質", "material"),
            ("PATTERN", "pattern"), ("入數", "size"), ("風味", nil), ("Size 2", nil), ("", nil),
        ]
        for (name, property) in cases {
            #expect(StructuredData.variantProperty(forOption: name) == property, "\(name.debugDescription)")
        }
    }
}
