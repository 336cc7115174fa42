import Foundation
import Testing

@testable import StoreModel

/// The parsed-content cache: reused only for files whose stamp is unchanged and settled, and
/// never trusted when damaged or written for another currency.
@Suite(.timeLimit(.minutes(2))) struct ContentCacheTests {
    static func product(_ slug: String, price: String) -> String {
        "---\ntitle: \(slug.capitalized)\nsku: SKU-\(slug.uppercased())\nprice: \(price)\ncategories: [Fruit, Gifts]\ntags: [new]\nsummary: \"A \(slug)\"\n---\nFresh **\(slug)**, 新鮮.\n"
    }

    /// A shop of `count` products, and a loader that trusts stamps as soon as the clock has moved on.
    static func shop(count: Int) throws -> (ContentFixture, CatalogLoader, String) {
        let fixture = try ContentFixture()
        for index in 0..<count {
            try fixture.write("content/products/p\(index).md", product("p\(index)", price: "\(100 + index)"))
        }
        var loader = CatalogLoader(contentDirectory: fixture.content)
        loader.racyWindow = 0
        return (fixture, loader, fixture.root.appendingPathComponent("cache/content").path)
    }

    static func settle() async throws { try await Task.sleep(for: .milliseconds(20)) }

    @Test func secondLoadReusesEveryFileAndYieldsTheSameCatalog() async throws {
        let (fixture, loader, cache) = try Self.shop(count: 80)
        defer { fixture.cleanUp() }
        try await Self.settle()
        let first = try await loader.load(cacheFile: cache)
        #expect(first.report.parsed == 80)
        #expect(first.report.reused == 0)
        #expect(FileManager.default.fileExists(atPath: cache))
        try await Self.settle()
        let second = try await loader.load(cacheFile: cache)
        #expect(second.report.parsed == 0)
        #expect(second.report.reused == 80)
        #expect(second.catalog.products == first.catalog.products)
        #expect(second.catalog.version == first.catalog.version)
        #expect(second.report.productFilesFingerprint == first.report.productFilesFingerprint)
        let plain = try await CatalogLoader(contentDirectory: fixture.content).load()
        #expect(second.catalog.products == plain.products, "the cache gives exactly what parsing gives")
        // Descriptions stay in the mapped cache until read; replacing or removing the file does not change them.
        try CacheFile.replace(cache, with: Array("not a cache".utf8))
        unlink(cache)
        #expect(second.catalog.products.map(\.description) == plain.products.map(\.description))
        #expect(second.catalog.products.allSatisfy { !$0.description.isEmpty })
    }

    @Test func anEditedAddedOrRemovedFileIsSeen() async throws {
        let (fixture, loader, cache) = try Self.shop(count: 70)
        defer { fixture.cleanUp() }
        try await Self.settle()
        let first = try await loader.load(cacheFile: cache)
        // Same size: only the stamp's times tell this edit apart.
        try fixture.write("content/products/p5.md", Self.product("p5", price: "999"))
        try fixture.write("content/products/new.md", Self.product("new", price: "50"))
        try FileManager.default.removeItem(atPath: fixture.content + "/products/p9.md")
        try await Self.settle()
        let second = try await loader.load(cacheFile: cache)
        #expect(second.report.parsed == 2)
        #expect(second.report.reused == 68)
        #expect(second.catalog.product(sku: "SKU-P5")?.price.minorUnits == 999)
        #expect(second.catalog.product(sku: "SKU-NEW") != nil)
        #expect(second.catalog.product(sku: "SKU-P9") == nil)
        #expect(second.report.productFilesFingerprint != first.report.productFilesFingerprint)
    }

    @Test func filesWrittenJustBeforeTheScanAreReadAgain() async throws {
        let (fixture, _, cache) = try Self.shop(count: 66)
        defer { fixture.cleanUp() }
        var loader = CatalogLoader(contentDirectory: fixture.content)
        loader.racyWindow = 3_600_000_000_000  // an hour: however slowly the test runs, the files are "just written"
        _ = try await loader.load(cacheFile: cache)
        let second = try await loader.load(cacheFile: cache)
        #expect(second.report.parsed == 66, "a stamp from the same moment as the scan is not trusted")
        #expect(second.report.unsettled == 66)
        loader.racyWindow = 0
        #expect(try await loader.load(cacheFile: cache).report.parsed == 0, "the same stamps are trusted once settled")
    }

    @Test func damagedTruncatedOrForeignCachesAreIgnored() async throws {
        let (fixture, loader, cache) = try Self.shop(count: 65)
        defer { fixture.cleanUp() }
        try await Self.settle()
        let expected = try await loader.load(cacheFile: cache).catalog.products
        let good = try Data(contentsOf: URL(fileURLWithPath: cache))
        var flipped = good
        flipped[good.count / 2] ^= 0x20
        for damaged in [flipped, good.prefix(good.count - 7), Data("not a cache".utf8)] {
            try damaged.write(to: URL(fileURLWithPath: cache))
            let loaded = try await loader.load(cacheFile: cache)
            #expect(loaded.report.parsed == 65)
            #expect(loaded.catalog.products == expected)
        }
        // Prices are cached in minor units: a cache made for another currency must not be used.
        try good.write(to: URL(fileURLWithPath: cache))
        try fixture.write("content/store.json", ContentFixture.defaultStore.replacingOccurrences(of: "TWD", with: "USD"))
        let usd = try await loader.load(cacheFile: cache)
        #expect(usd.report.parsed == 65)
        #expect(usd.catalog.product(sku: "SKU-P1")?.price.minorUnits == 10_100)
    }

    @Test func aDeferredWriteLandsWhenItsQueueRunsAndLeftoversOfCutWritesAreRemoved() async throws {
        let (fixture, shopLoader, cache) = try Self.shop(count: 70)
        defer { fixture.cleanUp() }
        var loader = shopLoader
        try FileManager.default.createDirectory(atPath: (cache as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let leftover = cache + ".tmp-123-456"
        try Data("half a cache".utf8).write(to: URL(fileURLWithPath: leftover))
        let writes = DeferredWork()
        loader.deferredCacheWrites = writes
        try await Self.settle()
        #expect(try await loader.load(cacheFile: cache).report.parsed == 70)
        #expect(!FileManager.default.fileExists(atPath: cache), "load returns before the cache is written")
        writes.finish()
        await writes.run()
        #expect(FileManager.default.fileExists(atPath: cache), "the queued write ran")
        #expect(!FileManager.default.fileExists(atPath: leftover), "a temporary file of an interrupted write is removed")
        try await Self.settle()
        #expect(try await loader.load(cacheFile: cache).report.parsed == 0)
    }

    static func size(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? -1
    }

    @Test func editsAppendSegmentsACutSegmentIsDroppedAndManyEditsCompact() async throws {
        let (fixture, loader, cache) = try Self.shop(count: 100)
        defer { fixture.cleanUp() }
        try await Self.settle()
        _ = try await loader.load(cacheFile: cache)
        let full = try Self.size(cache)
        for (slug, price) in [("p3", "903"), ("p4", "904")] {
            try fixture.write("content/products/\(slug).md", Self.product(slug, price: price))
            try await Self.settle()
            #expect(try await loader.load(cacheFile: cache).report.parsed == 1)
        }
        let appended = try Self.size(cache)
        #expect(appended > full && appended < full + full / 10, "two edits append two small segments")
        try await Self.settle()
        let third = try await loader.load(cacheFile: cache)
        #expect(third.report.parsed == 0)
        #expect(third.catalog.product(sku: "SKU-P3")?.price.minorUnits == 903)
        #expect(third.catalog.product(sku: "SKU-P4")?.price.minorUnits == 904)

        // An append cut short: the segments before it still serve, and the file is then rewritten whole.
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: cache))
        try handle.truncate(atOffset: UInt64(appended - 5))
        try handle.close()
        let cut = try await loader.load(cacheFile: cache)
        #expect(cut.report.parsed == 1, "only the file whose segment was cut is parsed again")
        #expect(cut.catalog.product(sku: "SKU-P4")?.price.minorUnits == 904)
        #expect(try Self.size(cache) < appended)
        try await Self.settle()
        #expect(try await loader.load(cacheFile: cache).report.parsed == 0)

        // Editing 30 of 100 files would leave the file a quarter larger than its live entries: rewritten.
        for index in 10..<40 { try fixture.write("content/products/p\(index).md", Self.product("p\(index)", price: "\(700 + index)")) }
        try await Self.settle()
        #expect(try await loader.load(cacheFile: cache).report.parsed == 30)
        #expect(abs(try Self.size(cache) - full) < full / 20)
        try await Self.settle()
        let last = try await loader.load(cacheFile: cache)
        #expect(last.report.parsed == 0)
        #expect(last.catalog.product(sku: "SKU-P20")?.price.minorUnits == 720)
    }

    /// Reads back what `binaryRecordsRoundTripAndRefuseShortInput` writes.
    static func readAll(_ buffer: UnsafeRawBufferPointer) throws -> (Int64, Int, UInt64, String, String?, [String], UInt64, Bool) {
        var reader = BinaryReader(buffer)
        return (
            try reader.readInt64(), try reader.readInt(), try reader.readUInt64(), try reader.readString(),
            try reader.readOptionalString(), try reader.readStrings(), try reader.readFixed(), reader.isAtEnd
        )
    }

    @Test func binaryRecordsRoundTripAndRefuseShortInput() throws {
        var writer = BinaryWriter()
        writer.write(Int64.min)
        writer.write(-1 as Int)
        writer.write(UInt64.max)
        writer.write("台南 avocado")
        writer.write(nil as String?)
        writer.write(["a", "", "ü"])
        writer.writeFixed(0xDEAD_BEEF)
        let bytes = writer.bytes
        let values = try bytes.withUnsafeBytes { try Self.readAll($0) }
        #expect(values.0 == Int64.min)
        #expect(values.1 == -1)
        #expect(values.2 == UInt64.max)
        #expect(values.3 == "台南 avocado")
        #expect(values.4 == nil)
        #expect(values.5 == ["a", "", "ü"])
        #expect(values.6 == 0xDEAD_BEEF)
        #expect(values.7)
        for cut in 0..<bytes.count {
            let short = Array(bytes.prefix(cut))
            let failed = short.withUnsafeBytes { (try? Self.readAll($0)) == nil }
            #expect(failed, "a record cut at byte \(cut) is refused")
        }
    }

    @Test(
        arguments: [
            [0xC3, 0x28], [0xFF], [0xF0, 0x9F, 0x98], [0xF0, 0x9F, 0x98, 0x41], [0xED, 0xA0, 0x80], [0xE0, 0x80, 0x80], [0x61, 0x80],
        ] as [[UInt8]])
    func stringsWithInvalidUTF8AreRefusedNotRepaired(invalid: [UInt8]) {
        let record = [UInt8(invalid.count)] + invalid
        let refused = record.withUnsafeBytes { buffer in
            var reader = BinaryReader(buffer)
            return (try? reader.readString()) == nil
        }
        #expect(refused)
    }
}
