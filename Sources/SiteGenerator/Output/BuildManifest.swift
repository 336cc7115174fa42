import Foundation
import StoreModel

/// What the previous build wrote: for each output file the hash of its inputs and of its bytes,
/// and for each Markdown source the internal links it contains. It drives incremental builds.
///
/// Stored in `BinaryRecord` form, checksummed, beside the output (`.storefront-cache/<out>.manifest`), never
/// inside it, so it is not uploaded with the site.
struct BuildManifest: Sendable {
    struct Entry: Sendable, Hashable {
        var inputHash: UInt64
        var outputHash: UInt64
    }

    /// One piece of a file written in pieces (`OutputTree.put(_:pieces:)`): the hash of what it is
    /// made from (0: made every time), the hash of its bytes and its length. A later build copies
    /// a piece whose input is unchanged from the live file instead of making it again.
    struct Piece: Sendable, Hashable {
        var inputHash: UInt64
        var outputHash: UInt64
        var length: Int
    }

    /// Hash of everything that affects every page (theme, settings, navigation).
    var globalHash: UInt64 = 0
    /// `InputFingerprint` of the build that wrote this manifest (0: unknown).
    var inputsHash: UInt64 = 0
    var files: [String: Entry] = [:]
    /// Links per source file, keyed by the source's input hash.
    var links: [String: (hash: UInt64, urls: [String])] = [:]
    /// The pieces of the files written in pieces, in file order.
    var pieces: [String: [Piece]] = [:]

    static func location(forOutput output: String) -> String {
        let url = URL(fileURLWithPath: output).standardizedFileURL
        return url.deletingLastPathComponent().appendingPathComponent(".storefront-cache").appendingPathComponent(url.lastPathComponent + ".manifest").path
    }

    /// The parsed-content cache (`ContentCache`) that goes with an output directory.
    static func contentCacheLocation(forOutput output: String) -> String {
        let manifest = location(forOutput: output)
        return String(manifest.dropLast(".manifest".count)) + ".content"
    }

    static let magic = Array("storefront-manifest 4\n".utf8)

    /// The `inputsHash` of a manifest, without reading the rest (it is stored unchecked right after
    /// the magic; a damaged value only makes the build do its work).
    static func readInputsHash(from path: String) -> UInt64? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        guard let head = try? handle.read(upToCount: magic.count + 8), head.count == magic.count + 8, head.starts(with: magic) else { return nil }
        return head.withUnsafeBytes { buffer in
            var reader = BinaryReader(buffer, offset: magic.count)
            return try? reader.readFixed()
        }
    }

    /// Reads a manifest; `nil` when it is missing, damaged or of another format (a full build follows).
    static func read(from path: String) -> BuildManifest? {
        guard let file = MappedFile(path: path), file.bytes.count >= magic.count + 24 else { return nil }
        return withExtendedLifetime(file) { () -> BuildManifest? in
            let buffer = file.bytes
            guard buffer.starts(with: magic) else { return nil }
            var reader = BinaryReader(buffer, offset: magic.count)
            do {
                var manifest = BuildManifest()
                manifest.inputsHash = try reader.readFixed()
                let checksum = try reader.readFixed()
                guard checksum == WordHash.hash(UnsafeRawBufferPointer(rebasing: buffer[reader.offset...])) else { return nil }
                manifest.globalHash = try reader.readFixed()
                let fileCount = Int(try reader.readUInt64())
                guard fileCount <= buffer.count else { return nil }
                manifest.files.reserveCapacity(fileCount)
                for _ in 0..<fileCount {
                    let path = try reader.readString()
                    manifest.files[path] = Entry(inputHash: try reader.readFixed(), outputHash: try reader.readFixed())
                }
                let linkCount = Int(try reader.readUInt64())
                guard linkCount <= buffer.count else { return nil }
                manifest.links.reserveCapacity(linkCount)
                for _ in 0..<linkCount {
                    let source = try reader.readString()
                    manifest.links[source] = (try reader.readFixed(), try reader.readStrings())
                }
                let piecedCount = Int(try reader.readUInt64())
                guard piecedCount <= buffer.count else { return nil }
                for _ in 0..<piecedCount {
                    let path = try reader.readString()
                    let count = Int(try reader.readUInt64())
                    guard count <= buffer.count else { return nil }
                    manifest.pieces[path] = try (0..<count).map { _ in
                        Piece(inputHash: try reader.readFixed(), outputHash: try reader.readFixed(), length: try reader.readInt())
                    }
                }
                return reader.isAtEnd ? manifest : nil
            } catch {
                return nil
            }
        }
    }

    /// Writes the manifest atomically (`CacheFile.replace`).
    func write(to path: String) throws {
        var body = BinaryWriter(capacity: files.count * 64)
        body.writeFixed(globalHash)
        body.write(UInt64(files.count))
        for (path, entry) in files {
            body.write(path)
            body.writeFixed(entry.inputHash)
            body.writeFixed(entry.outputHash)
        }
        body.write(UInt64(links.count))
        for (source, value) in links {
            body.write(source)
            body.writeFixed(value.hash)
            body.write(value.urls)
        }
        body.write(UInt64(pieces.count))
        for (path, list) in pieces {
            body.write(path)
            body.write(UInt64(list.count))
            for piece in list {
                body.writeFixed(piece.inputHash)
                body.writeFixed(piece.outputHash)
                body.write(piece.length)
            }
        }
        var head = BinaryWriter(capacity: Self.magic.count + 16)
        head.appendRaw(Self.magic)
        head.writeFixed(inputsHash)
        head.writeFixed(body.bytes.withUnsafeBytes { WordHash.hash($0) })
        try CacheFile.replace(path, with: head.bytes + body.bytes)
    }
}
