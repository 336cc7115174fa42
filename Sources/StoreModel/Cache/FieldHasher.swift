/// Combines values into a 64-bit hash, reading strings a word at a time (`WordHash`).
///
/// For change detection (fingerprints, build input hashes): fast and the same on every run of one
/// version of the program, but neither cryptographic nor promised to stay the same across versions.
public struct FieldHasher: Sendable {
    /// The hash of everything combined so far.
    public private(set) var value: UInt64

    /// Starts a hash.
    public init(seed: UInt64 = 0x243F_6A88_85A3_08D3) {
        value = seed
    }

    /// Adds a string (its length is part of the hash, so `"ab","c"` differs from `"a","bc"`).
    public mutating func combine(_ text: String) {
        var text = text
        mix(text.withUTF8 { WordHash.hash(UnsafeRawBufferPointer($0)) })
    }

    /// Adds an optional string; `nil` differs from `""`.
    public mutating func combine(_ text: String?) {
        combine(text != nil)
        if let text { combine(text) }
    }

    /// Adds a list of strings.
    public mutating func combine(_ texts: [String]) {
        combine(Int64(texts.count))
        for text in texts { combine(text) }
    }

    /// Adds an integer.
    public mutating func combine(_ number: Int64) {
        mix(UInt64(bitPattern: number))
    }

    /// Adds an integer.
    public mutating func combine(_ number: Int) {
        mix(UInt64(bitPattern: Int64(number)))
    }

    /// Adds a flag.
    public mutating func combine(_ flag: Bool) {
        mix(flag ? 0x9E37_79B9_7F4A_7C15 : 0x632B_E59B_D9B4_E019)
    }

    /// The splitmix64 finaliser over the running value and the new word.
    private mutating func mix(_ word: UInt64) {
        var x = (value ^ word) &+ 0x9E37_79B9_7F4A_7C15
        x = (x ^ (x >> 30)) &* 0xBF58_476D_1CE4_E5B9
        x = (x ^ (x >> 27)) &* 0x94D0_49BB_1331_11EB
        value = x ^ (x >> 31)
    }
}

extension Product.Fields {
    /// `Product.fingerprint`: every field, in declaration order.
    var fingerprint: UInt64 {
        var hasher = FieldHasher()
        hasher.combine(slug)
        hasher.combine(sourcePath)
        hasher.combine(title)
        hasher.combine(sku)
        hasher.combine(price.currency.code)
        hasher.combine(price.minorUnits)
        hasher.combine(compareAtPrice != nil)
        if let compareAtPrice { hasher.combine(compareAtPrice.minorUnits) }
        hasher.combine(stock != nil)
        if let stock { hasher.combine(stock) }
        hasher.combine(lowStock != nil)
        if let lowStock { hasher.combine(lowStock) }
        hasher.combine(categories)
        hasher.combine(tags)
        hasher.combine(images)
        hasher.combine(summary)
        hasher.combine(brand)
        hasher.combine(gtin)
        // Added only when given, so that a product without a date keeps the fingerprint it had.
        if let date { hasher.combine(date.daysSinceEpoch) }
        // Likewise the merchant-listing fields.
        if let listing {
            hasher.combine(listing.condition.rawValue)
            hasher.combine(listing.saleEnds != nil)
            if let saleEnds = listing.saleEnds { hasher.combine(saleEnds.daysSinceEpoch) }
            hasher.combine(listing.mpn)
            hasher.combine(listing.returnable)
        }
        hasher.combine(weight)
        hasher.combine(draft)
        hasher.combine(description.string)
        hasher.combine(descriptionLine)
        // Added only for a variant, so that a product without options keeps the fingerprint it had.
        if let variant {
            hasher.combine(Int64(variant.options.count))
            for option in variant.options {
                hasher.combine(option.name)
                hasher.combine(option.values)
            }
            hasher.combine(variant.values)
            hasher.combine(variant.position)
            hasher.combine(variant.groupSKU)
            hasher.combine(variant.image)
            hasher.combine(variant.weightGrams != nil)
            if let weightGrams = variant.weightGrams { hasher.combine(weightGrams) }
        }
        return hasher.value
    }
}
