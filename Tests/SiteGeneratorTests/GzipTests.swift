import Foundation
import Testing

@testable import SiteGenerator

/// The term shards' gzip: what goes in comes out, the output is a gzip member that another
/// implementation reads, the same input gives the same bytes, and damage is an error.
@Suite(.timeLimit(.minutes(1))) struct GzipTests {
    @Test func whatIsCompressedIsDecompressedUnchanged() throws {
        var generator = SystemRandomNumberGenerator()
        let inputs: [[UInt8]] = [
            [], Array("SFT1".utf8), Array(repeating: 7, count: 200_000),
            (0..<150_000).map { _ in UInt8.random(in: 0...255, using: &generator) },
            Array(String(repeating: "酪梨 avocado 3 ", count: 5_000).utf8),
        ]
        for input in inputs {
            let packed = Gzip.compress(input)
            #expect(packed.starts(with: [0x1F, 0x8B, 8]), "a gzip member with deflate")
            #expect(try Gzip.decompress(packed) == input)
            #expect(Gzip.compress(input) == packed, "deterministic")
        }
        #expect(Gzip.compress(Array(repeating: 7, count: 200_000)).count < 1_000)
    }

    @Test func anotherGzipReadsIt() throws {
        let input = Array(String(repeating: "hass 哈斯酪梨\n", count: 1_000).utf8)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gzip-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("shard.gz")
        try Data(Gzip.compress(input)).write(to: file)
        let gunzip = Process()
        gunzip.executableURL = URL(fileURLWithPath: "/bin/gzip")
        gunzip.arguments = ["-dc", file.path]
        let pipe = Pipe()
        gunzip.standardOutput = pipe
        try gunzip.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        gunzip.waitUntilExit()
        #expect(gunzip.terminationStatus == 0)
        #expect(Array(output) == input)
    }

    @Test func damagedInputIsAnError() {
        let packed = Gzip.compress(Array(String(repeating: "avocado ", count: 1_000).utf8))
        #expect(throws: Gzip.Failure.self) { try Gzip.decompress(Array(packed.dropLast(12))) }
        #expect(throws: Gzip.Failure.self) { try Gzip.decompress(Array("SFT1 plain".utf8)) }
        var flipped = packed
        flipped[packed.count / 2] ^= 0xFF
        #expect(throws: Gzip.Failure.self) { try Gzip.decompress(flipped) }
    }
}
