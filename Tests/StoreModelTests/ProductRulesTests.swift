import StoreModel
import Testing

/// The one home of the SKU, price and stock rules (content files, carts, admin edits and the stock table call it).
@Suite(.timeLimit(.minutes(2))) struct ProductRulesTests {
    @Test func skusAreOneTo64LettersDigitsDashesAndUnderscores() {
        #expect(ProductRules.isValidSKU("AVO-hass_3kg"))
        #expect(ProductRules.isValidSKU(String(repeating: "x", count: 64)))
        #expect(!ProductRules.isValidSKU(String(repeating: "x", count: 65)))
        #expect(!ProductRules.isValidSKU(""))
        for bad in ["a b", "a/b", "a.b", "é", "酪梨", "a\u{0}"] {
            #expect(!ProductRules.isValidSKU(bad), "\(bad)")
        }
    }

    @Test func pricesAreAboveZeroAndStockWithinRange() {
        let twd = Currency(code: "TWD")!
        #expect(!ProductRules.isValidPrice(.zero(twd)))
        #expect(ProductRules.isValidPrice(Money(minorUnits: 1, currency: twd)))
        #expect(ProductRules.isValidStock(0))
        #expect(ProductRules.isValidStock(1_000_000_000))
        #expect(!ProductRules.isValidStock(-1))
        #expect(!ProductRules.isValidStock(1_000_000_001))
    }
}
