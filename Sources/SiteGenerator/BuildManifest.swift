import Foundation
import StoreModel

/// What the previous build wrote: for each output file the hash of its inputs and of its bytes,
/// and for each Markdown source the internal links it contains. It drives incremental builds.
///
/// Stored as tab-separated lines beside the output (`.storefront-cache/<out>.manifest`), never
/// inside it, so it is not uploaded with the site.
struct BuildManifest: Sendable {
    struct Entry: Sendable, Hashable {
        var inputHash: UInt64
        var outputHash: UInt64
    }

    /// Hash of everything that affects every page (theme, settings, navigation).
    var globalHash: UInt64 = 0
    var files: [String: Entry] = [:]
    /// Links per source file, keyed by the source's input hash.
    var links: [String: (hash: UInt64, urls: [String])] = [:]

    static let formatVersion = "storefront-manifest 1"

    static func location(forOutput output: String) -> String {
        let url = URL(fileURLWithPath: output).standardizedFileURL
        return url.deletingLastPathComponent().appendingPathComponent(".storefront-cache").appendingPathComponent(url.lastPathComponent + ".manifest").path
    }

    static func read(from path: String) -> BuildManifest? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        var manifest = BuildManifest()
        var first = true
        for line in data.split(separator: UInt8(ascii: "\n")) {
            let fields = line.split(separator: UInt8(ascii: "\t"), omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
            if first {
                guard fields.count == 2, fields[0] == formatVersion, let global = UInt64(fields[1], radix: 16) else { return nil }
                manifest.globalHash = global
                first = false
                continue
            }
            switch fields.first {
            case "F" where fields.count == 4:
                guard let input = UInt64(fields[2], radix: 16), let output = UInt64(fields[3], radix: 16) else { return nil }
                manifest.files[fields[1]] = Entry(inputHash: input, outputHash: output)
            case "L" where fields.count >= 3:
                guard let hash = UInt64(fields[2], radix: 16) else { return nil }
                manifest.links[fields[1]] = (hash, Array(fields.dropFirst(3)))
            default:
                return nil
            }
        }
        return first ? nil : manifest
    }

    func write(to path: String) throws {
        var text = "\(Self.formatVersion)\t\(String(globalHash, radix: 16))\n"
        for (path, entry) in files.sorted(by: { $0.key < $1.key }) {
            text += "F\t\(path)\t\(String(entry.inputHash, radix: 16))\t\(String(entry.outputHash, radix: 16))\n"
        }
        for (source, value) in links.sorted(by: { $0.key < $1.key }) {
            text += "L\t\(source)\t\(String(value.hash, radix: 16))" + value.urls.map { "\t" + $0 }.joined() + "\n"
        }
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try OutputTree.writeAtomically(Data(text.utf8), to: path)
    }
}
