import Foundation

/// Parsed products from an earlier load, keyed by content file and its `FileStamp`, so that a
/// rebuild or a restart parses only the files that changed.
///
/// The cache is a private file of this program (the generator keeps it beside its build manifest,
/// the order API beside its database). It is written atomically and checksummed; a missing,
/// damaged or foreign cache is simply not used, and a cached product is used only when the file's
/// stamp is identical and the file had settled before the cache's scan (see
/// `FileStamp.isSettled(before:)`).
public struct ContentCache: Sendable {
    /// One cached content file.
    public struct Entry: Sendable {
        /// The file's path relative to the content directory.
        public var relativePath: String
        /// The file's stamp when it was parsed.
        public var stamp: FileStamp
        /// What it parsed to: its product, or one per variant.
        public var products: [Product]

        /// Creates an entry.
        public init(relativePath: String, stamp: FileStamp, products: [Product]) {
            self.relativePath = relativePath
            self.stamp = stamp
            self.products = products
        }
    }

    /// Bumped whenever the record layout or the definition of `Product.fingerprint` changes.
    static let magic = Array("storefront-content-cache 7\n".utf8)
    static let segmentMark = Array("SEG1".utf8)

    private struct Cached: Sendable {
        var entry: Entry
        /// When the scan that wrote the entry's segment started.
        var scanStart: Int64
    }

    /// The currency the prices were parsed in.
    public let currencyCode: String
    private let entries: [String: Cached]
    /// Records in the file (live ones and ones a later segment replaced) and segments appended.
    private let records: Int
    private let segments: Int
    /// Whether the file ends with its last intact segment (nothing damaged after it to append to).
    private let endsClean: Bool

    /// The number of cached files.
    public var count: Int { entries.count }

    /// The cached products of a file (one, or one per variant), when its stamp is unchanged and
    /// had settled before the scan that cached it.
    public func products(at relativePath: String, stamp: FileStamp, racyWindow: Int64 = FileStamp.racyWindow) -> [Product]? {
        guard let cached = entries[relativePath], cached.entry.stamp == stamp,
            stamp.isSettled(before: cached.scanStart, window: racyWindow)
        else { return nil }
        return cached.entry.products
    }

    /// Reads a cache; `nil` when it is missing, damaged, from another format or for another currency.
    /// A damaged last segment (an append cut short) is dropped and the segments before it are used.
    public static func read(from path: String, currency: Currency) async -> ContentCache? {
        guard let file = MappedFile(path: path), file.bytes.count > magic.count else { return nil }
        let buffer = file.bytes
        guard buffer.starts(with: magic) else { return nil }
        var parsed: [(scanStart: Int64, ranges: [Range<Int>])] = []
        var offset = magic.count
        while let segment = Self.segment(in: buffer, at: offset, currency: currency) {
            parsed.append((segment.scanStart, segment.ranges))
            offset = segment.end
        }
        let endsClean = offset == buffer.count
        guard !parsed.isEmpty else { return nil }
        var jobs: [(scanStart: Int64, ranges: ArraySlice<Range<Int>>)] = []
        for segment in parsed {
            for start in stride(from: 0, to: segment.ranges.count, by: 4096) {
                jobs.append((segment.scanStart, segment.ranges[start..<min(start + 4096, segment.ranges.count)]))
            }
        }
        let decoded = await parallelMap(jobs, parallelFrom: 2) { job -> [Cached]? in
            // `file` keeps the mapping alive until every job has copied its strings out.
            withExtendedLifetime(file) {
                var cached: [Cached] = []
                cached.reserveCapacity(job.ranges.count)
                for range in job.ranges {
                    var reader = BinaryReader(UnsafeRawBufferPointer(rebasing: file.bytes[range]))
                    guard let entry = try? Entry.read(from: &reader, currency: currency, mappedAt: (file, range.lowerBound)),
                        reader.isAtEnd
                    else { return nil }
                    cached.append(Cached(entry: entry, scanStart: job.scanStart))
                }
                return cached
            }
        }
        var entries: [String: Cached] = [:]
        entries.reserveCapacity(jobs.reduce(0) { $0 + $1.ranges.count })
        var records = 0
        for chunk in decoded {
            guard let chunk else { return nil }
            records += chunk.count
            for cached in chunk { entries[cached.entry.relativePath] = cached }
        }
        return ContentCache(currencyCode: currency.code, entries: entries, records: records, segments: parsed.count, endsClean: endsClean)
    }

    /// One segment: its scan time and the byte ranges of its records, or `nil` at the end or at damage.
    private static func segment(in buffer: UnsafeRawBufferPointer, at offset: Int, currency: Currency) -> (scanStart: Int64, ranges: [Range<Int>], end: Int)? {
        guard offset + segmentMark.count + 16 <= buffer.count,
            UnsafeRawBufferPointer(rebasing: buffer[offset..<offset + segmentMark.count]).elementsEqual(segmentMark)
        else { return nil }
        var reader = BinaryReader(buffer, offset: offset + segmentMark.count)
        do {
            let length = try reader.readFixed()
            let checksum = try reader.readFixed()
            guard length <= UInt64(buffer.count - reader.offset) else { return nil }
            let end = reader.offset + Int(length)
            let body = UnsafeRawBufferPointer(rebasing: buffer[reader.offset..<end])
            guard WordHash.hash(body) == checksum else { return nil }
            var records = BinaryReader(body)
            let scanStart = try records.readInt64()
            guard try records.readString() == currency.code else { return nil }
            let count = try records.readUInt64()
            guard count <= UInt64(body.count) else { return nil }
            var ranges: [Range<Int>] = []
            ranges.reserveCapacity(Int(count))
            for _ in 0..<count {
                let length = Int(try records.readUInt64())
                let start = reader.offset + records.offset
                try records.skip(length)
                ranges.append(start..<start + length)
            }
            guard records.isAtEnd else { return nil }
            return (scanStart, ranges, end)
        } catch {
            return nil
        }
    }

    /// Records what a load found: appends a segment with the `changed` entries to the cache read
    /// at the start of the load (`previous`), or, when there is none or it has grown a quarter
    /// larger than its `liveCount` live entries (or holds 256 segments), rewrites the file with `all()` entries.
    public static func update(
        _ path: String, previous: ContentCache?, liveCount: Int, all: @Sendable () -> [Entry], changed: [Entry], scanStart: Int64, currency: Currency
    ) throws {
        if let previous, previous.endsClean, previous.currencyCode == currency.code, previous.segments < 256,
            (previous.records + changed.count) * 4 <= max(liveCount, 64) * 5,
            let handle = FileHandle(forWritingAtPath: path)
        {
            defer { try? handle.close() }
            // A failed or partial append leaves a segment that fails its checksum: rewritten below.
            if (try? handle.seekToEnd()) != nil,
                (try? handle.write(contentsOf: segmentBytes(changed, scanStart: scanStart, currency: currency))) != nil
            {
                return
            }
        }
        try write(all(), scanStart: scanStart, currency: currency, to: path)
    }

    /// Writes a cache of `entries` atomically (`CacheFile.replace`).
    public static func write(_ entries: [Entry], scanStart: Int64, currency: Currency, to path: String) throws {
        try CacheFile.replace(path, with: magic + segmentBytes(entries, scanStart: scanStart, currency: currency))
    }

    private static func segmentBytes(_ entries: [Entry], scanStart: Int64, currency: Currency) -> [UInt8] {
        var body = BinaryWriter(capacity: entries.count * 1200)
        body.write(scanStart)
        body.write(currency.code)
        body.write(UInt64(entries.count))
        for entry in entries {
            var record = BinaryWriter(capacity: 2048)
            entry.write(to: &record)
            body.write(UInt64(record.bytes.count))
            body.appendRaw(record.bytes)
        }
        var segment = BinaryWriter(capacity: body.bytes.count + 20)
        segment.appendRaw(segmentMark)
        segment.writeFixed(UInt64(body.bytes.count))
        segment.writeFixed(body.bytes.withUnsafeBytes { WordHash.hash($0) })
        segment.appendRaw(body.bytes)
        return segment.bytes
    }
}

extension ContentCache.Entry {
    /// The record: the path and stamp, then the first product whole, then each further variant's
    /// own fields only (one file's variants share the rest, description included).
    func write(to writer: inout BinaryWriter) {
        writer.write(relativePath)
        stamp.write(to: &writer)
        writer.write(products.count)
        guard let first = products.first else { return }
        writer.write(first.slug)
        writer.write(first.sourcePath)
        writer.write(first.title)
        writer.write(first.categories)
        writer.write(first.tags)
        writer.write(first.images)
        writer.write(first.summary)
        writer.write(first.brand)
        writer.write(first.date != nil)
        if let date = first.date { writer.write(date.daysSinceEpoch) }
        writer.write(first.box.fields.listing != nil)
        if let listing = first.box.fields.listing {
            writer.write(listing.condition.rawValue)
            writer.write(listing.saleEnds != nil)
            if let saleEnds = listing.saleEnds { writer.write(saleEnds.daysSinceEpoch) }
            writer.write(listing.returnable)
        }
        writer.write(first.weight)
        writer.write(first.description)
        writer.write(first.descriptionLine)
        writer.write(first.options.count)
        for option in first.options {
            writer.write(option.name)
            writer.write(option.values)
        }
        for product in products { Self.writeOwnFields(of: product, to: &writer) }
    }

    private static func writeOwnFields(of product: Product, to writer: inout BinaryWriter) {
        writer.write(product.sku)
        writer.write(product.price.minorUnits)
        writer.write(product.compareAtPrice != nil)
        if let compare = product.compareAtPrice { writer.write(compare.minorUnits) }
        writer.write(product.stock != nil)
        if let stock = product.stock { writer.write(stock) }
        writer.write(product.lowStock != nil)
        if let lowStock = product.lowStock { writer.write(lowStock) }
        writer.write(product.gtin)
        writer.write(product.mpn)
        writer.write(product.draft)
        writer.write(product.isVariant)
        if product.isVariant {
            writer.write(product.optionValues)
            writer.write(product.variantPosition)
            writer.write(product.groupSKU)
            writer.write(product.variantImage)
            writer.write(product.weightGrams != nil)
            if let weightGrams = product.weightGrams { writer.write(weightGrams) }
        }
        writer.writeFixed(product.fingerprint)
    }

    /// The file's shared listing fields with one product's MPN; `nil` when all are defaults.
    private static func listing(_ shared: Product.ListingFields?, mpn: String?) -> Product.ListingFields? {
        var listing = shared ?? Product.ListingFields()
        listing.mpn = mpn
        return listing.unlessDefault
    }

    private static func readListing(from reader: inout BinaryReader) throws(BinaryReader.Damaged) -> Product.ListingFields? {
        guard try reader.readBool() else { return nil }
        guard let condition = ItemCondition(rawValue: try reader.readString()) else { throw BinaryReader.Damaged() }
        let saleEnds = try reader.readBool() ? CalendarDay(daysSinceEpoch: try reader.readInt()) : nil
        return Product.ListingFields(condition: condition, saleEnds: saleEnds, returnable: try reader.readBool())
    }

    /// Reads an entry. With `mappedAt` (the mapped cache file and the offset of the reader's buffer
    /// in it) the description is left in the file and decoded when read.
    static func read(
        from reader: inout BinaryReader, currency: Currency, mappedAt mapping: (file: MappedFile, offset: Int)? = nil
    ) throws(BinaryReader.Damaged) -> Self {
        let relativePath = try reader.readString()
        let stamp = try FileStamp.read(from: &reader)
        let count = try reader.readInt()
        guard count >= 1, count <= VariantList.maximumVariants else { throw BinaryReader.Damaged() }
        var shared = Product.Fields(
            slug: try reader.readString(), sourcePath: try reader.readString(), title: try reader.readString(), sku: "",
            price: Money.zero(currency), compareAtPrice: nil, stock: nil, lowStock: nil, categories: try reader.readStrings(),
            tags: try reader.readStrings(), images: try reader.readStrings(), summary: try reader.readOptionalString(),
            brand: try reader.readOptionalString(), gtin: nil,
            date: try reader.readBool() ? CalendarDay(daysSinceEpoch: try reader.readInt()) : nil, weight: 0, draft: false, description: .text(""),
            descriptionLine: 0)
        let sharedListing = try Self.readListing(from: &reader)
        shared.weight = try reader.readInt()
        shared.description = try Self.readDescription(from: &reader, mappedAt: mapping)
        shared.descriptionLine = try reader.readInt()
        let optionCount = try reader.readInt()
        guard (0...VariantList.maximumOptions).contains(optionCount) else { throw BinaryReader.Damaged() }
        var options: [ProductOption] = []
        for _ in 0..<optionCount { options.append(ProductOption(name: try reader.readString(), values: try reader.readStrings())) }
        var products: [Product] = []
        products.reserveCapacity(count)
        for _ in 0..<count {
            shared.sku = try reader.readString()
            shared.price = Money(minorUnits: try reader.readInt64(), currency: currency)
            shared.compareAtPrice = try reader.readBool() ? Money(minorUnits: try reader.readInt64(), currency: currency) : nil
            shared.stock = try reader.readBool() ? try reader.readInt() : nil
            shared.lowStock = try reader.readBool() ? try reader.readInt() : nil
            shared.gtin = try reader.readOptionalString()
            let mpn = try reader.readOptionalString()
            shared.listing = Self.listing(sharedListing, mpn: mpn)
            shared.draft = try reader.readBool()
            shared.variant =
                try reader.readBool()
                ? Product.VariantFields(
                    options: options, values: try reader.readStrings(), position: try reader.readInt(), groupSKU: try reader.readString(),
                    image: try reader.readOptionalString(), weightGrams: try reader.readBool() ? try reader.readInt() : nil)
                : nil
            // The record is checksummed with its segment, so the stored fingerprint is the one computed at parse time.
            products.append(Product(fields: shared, fingerprint: try reader.readFixed()))
        }
        return Self(relativePath: relativePath, stamp: stamp, products: products)
    }
}

extension ContentCache.Entry {
    private static func readDescription(
        from reader: inout BinaryReader, mappedAt mapping: (file: MappedFile, offset: Int)?
    ) throws(BinaryReader.Damaged) -> DescriptionText {
        guard let mapping else { return .text(try reader.readString()) }
        let bytes = try reader.readStringBytes()
        return .mapped(mapping.file, mapping.offset + bytes.lowerBound..<mapping.offset + bytes.upperBound)
    }
}
