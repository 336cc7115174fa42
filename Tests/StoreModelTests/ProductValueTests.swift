import Testing

@testable import StoreModel

/// `Product` keeps its fields in a shared box: it must still behave as a plain value.
@Suite(.timeLimit(.minutes(2))) struct ProductValueTests {
    let twd = Currency(code: "TWD")!

    func product(price: Int64 = 1280, description: String = "Fresh.") -> Product {
        Product(
            slug: "hass", sourcePath: "products/hass.md", title: "Hass", sku: "HASS-1", price: Money(minorUnits: price, currency: twd),
            stock: 5, categories: ["Fruit"], images: ["/images/hass.svg"], description: description)
    }

    @Test func aChangedCopyLeavesTheOriginalAloneAndGetsANewFingerprint() {
        let original = product()
        var copy = original
        #expect(copy == original)
        #expect(copy.fingerprint == original.fingerprint)
        copy.price = Money(minorUnits: 1300, currency: twd)
        #expect(original.price.minorUnits == 1280)
        #expect(copy.price.minorUnits == 1300)
        #expect(copy != original)
        #expect(copy.fingerprint != original.fingerprint)
        copy.price = original.price
        #expect(copy == original, "equal fields make equal products, whichever box holds them")
        #expect(copy.fingerprint == original.fingerprint)
    }

    @Test func everyFieldTakesPartInTheFingerprint() {
        let base = product()
        var variants: [Product] = []
        func vary(_ change: (inout Product) -> Void) {
            var changed = base
            change(&changed)
            variants.append(changed)
        }
        vary { $0.slug = "hass-2" }
        vary { $0.sourcePath = "products/hass-2.md" }
        vary { $0.title = "Hass 2" }
        vary { $0.sku = "HASS-2" }
        vary { $0.price = Money(minorUnits: 1281, currency: twd) }
        vary { $0.compareAtPrice = Money(minorUnits: 1500, currency: twd) }
        vary { $0.stock = nil }
        vary { $0.stock = 6 }
        vary { $0.categories = ["Fruit", "Gifts"] }
        vary { $0.tags = ["new"] }
        vary { $0.images = [] }
        vary { $0.summary = "" }
        vary { $0.brand = "Orchard" }
        vary { $0.gtin = "4710000000001" }
        vary { $0.date = CalendarDay(iso: "2026-11-20") }
        vary { $0.weight = 1 }
        vary { $0.draft = true }
        vary { $0.description = "Fresh!" }
        vary { $0.descriptionLine = 2 }
        let weight = [ProductOption(name: "W", values: ["S", "M"])]
        let variant = { (product: Product) in product.asVariant(options: weight, values: ["S"], position: 0, groupSKU: "HASS-1") }
        vary { $0 = variant($0) }
        vary { $0 = $0.asVariant(options: weight, values: ["M"], position: 0, groupSKU: "HASS-1") }
        vary { $0 = $0.asVariant(options: [ProductOption(name: "W", values: ["S", "L"])], values: ["S"], position: 0, groupSKU: "HASS-1") }
        vary { $0 = $0.asVariant(options: weight, values: ["S"], position: 1, groupSKU: "HASS-1") }
        vary { $0 = $0.asVariant(options: weight, values: ["S"], position: 0, groupSKU: "HASS-0") }
        vary { $0 = $0.asVariant(options: weight, values: ["S"], position: 0, groupSKU: "HASS-1", image: "/images/s.svg") }
        vary { $0 = $0.asVariant(options: weight, values: ["S"], position: 0, groupSKU: "HASS-1", weightGrams: 1000) }
        // Moving text between neighbouring fields must change the hash too.
        vary {
            $0.categories = []; $0.tags = ["Fruit"]
        }
        let fingerprints = Set(variants.map(\.fingerprint) + [base.fingerprint])
        #expect(fingerprints.count == variants.count + 1)
        #expect(variants.allSatisfy { $0 != base })
    }

    @Test func theContentCacheKeepsTheFingerprint() throws {
        let original = product(description: "A long description. " + String(repeating: "Ripe and creamy. ", count: 40))
        let entry = ContentCache.Entry(
            relativePath: "products/hass.md", stamp: FileStamp(device: 1, inode: 2, size: 3, modified: 4, changed: 5), products: [original])
        var writer = BinaryWriter(capacity: 4096)
        entry.write(to: &writer)
        let read = try writer.bytes.withUnsafeBytes { buffer in
            var reader = BinaryReader(buffer)
            return try ContentCache.Entry.read(from: &reader, currency: twd)
        }
        #expect(read.products == [original])
        #expect(read.products[0].fingerprint == original.fingerprint)
    }
}
