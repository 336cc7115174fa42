import Foundation
import StoreModel

/// The copies earlier builds encoded, beside the build cache (`.storefront-cache/<site>.images/`):
/// a folder per cache key (`ImagePlan.cacheKey`: the source's bytes and every setting), written
/// under a temporary name and renamed into place whole, and an index of what each source file was
/// when last read, by its stamp, so that an unchanged file is not read again.
struct ImageCache: Sendable {
    let directory: String

    /// The image cache that goes with an output directory.
    static func location(forOutput output: String) -> String {
        String(BuildManifest.location(forOutput: output).dropLast(".manifest".count)) + ".images"
    }

    /// What a source file was when last read.
    struct Known: Sendable, Equatable {
        var stamp: FileStamp
        var contentHash: UInt64
        var format: ImagePlan.Format
        var header: ImageEncoder.Header
    }

    /// One encoded copy in a key's folder.
    struct File: Sendable, Hashable {
        let width: Int
        let height: Int
        let format: ImagePlan.Format

        var name: String { "\(width).\(format.fileExtension)" }
    }

    private static let indexMagic = "storefront-images 1"
    private var indexPath: String { directory + "/index" }

    /// The index of the last build: source path to what it was.
    func readIndex() -> [String: Known] {
        guard let data = FileManager.default.contents(atPath: indexPath) else { return [:] }
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: true)
        guard lines.first == Substring(Self.indexMagic) else { return [:] }
        var known: [String: Known] = [:]
        for line in lines.dropFirst() {
            let parts = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard parts.count == 12, let device = UInt64(parts[1]), let inode = UInt64(parts[2]), let size = Int64(parts[3]),
                let modified = Int64(parts[4]), let changed = Int64(parts[5]), let hash = UInt64(parts[6], radix: 16),
                let format = ImagePlan.Format(rawValue: String(parts[7])), let width = Int(parts[8]), let height = Int(parts[9]),
                let orientation = Int(parts[11])
            else { continue }
            known[String(parts[0])] = Known(
                stamp: FileStamp(device: device, inode: inode, size: size, modified: modified, changed: changed), contentHash: hash, format: format,
                header: ImageEncoder.Header(width: width, height: height, hasAlpha: parts[10] == "1", orientation: orientation))
        }
        return known
    }

    /// Replaces the index, unless it would say what `previous` (the index read) says. Only files
    /// settled before `scanStart` are entered (`FileStamp.isSettled`): one written in the same
    /// clock tick as the scan might change again without its stamp changing.
    func writeIndex(_ known: [String: Known], scanStart: Int64, unlessEqualTo previous: [String: Known] = [:]) throws {
        let entries = known.filter { path, entry in entry.stamp.isSettled(before: scanStart) && !path.contains("\t") && !path.contains("\n") }
        guard entries != previous || !FileManager.default.fileExists(atPath: indexPath) else { return }
        var text = Self.indexMagic + "\n"
        for (path, entry) in entries.sorted(by: { $0.key < $1.key }) {
            let s = entry.stamp
            let h = entry.header
            text += "\(path)\t\(s.device)\t\(s.inode)\t\(s.size)\t\(s.modified)\t\(s.changed)\t\(String(entry.contentHash, radix: 16))\t"
            text += "\(entry.format.rawValue)\t\(h.width)\t\(h.height)\t\(h.hasAlpha ? 1 : 0)\t\(h.orientation)\n"
        }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let temporary = indexPath + ".\(getpid())"
        guard FileManager.default.createFile(atPath: temporary, contents: Data(text.utf8)), rename(temporary, indexPath) == 0 else {
            unlink(temporary)
            throw BuildError.io("cannot write \(indexPath): \(String(cString: strerror(errno)))")
        }
    }

    /// The copies encoded under `key`, or `nil` when there are none.
    func files(key: String) -> [File]? {
        guard let data = FileManager.default.contents(atPath: directory + "/" + key + "/list") else { return nil }
        var files: [File] = []
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
            let parts = line.split(separator: " ")
            guard parts.count == 3, let width = Int(parts[0]), let height = Int(parts[1]), let format = ImagePlan.Format(rawValue: String(parts[2]))
            else { return nil }
            files.append(File(width: width, height: height, format: format))
        }
        return files.isEmpty ? nil : files
    }

    /// Where a copy's bytes are.
    func path(key: String, _ file: File) -> String { directory + "/" + key + "/" + file.name }

    /// Keeps encoded copies under `key`: written in a folder of a temporary name, which is renamed
    /// to the key only when every file is complete, so a build stopped half-way leaves no
    /// half-written entry.
    func store(key: String, _ encoded: [ImageEncoder.Encoded]) throws -> [File] {
        let fm = FileManager.default
        let final = directory + "/" + key
        let temporary = directory + "/.tmp-\(key)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        do {
            try fm.createDirectory(atPath: temporary, withIntermediateDirectories: true)
            var files: [File] = []
            for copy in encoded {
                let file = File(width: copy.width, height: copy.height, format: copy.format)
                guard fm.createFile(atPath: temporary + "/" + file.name, contents: Data(copy.bytes)) else {
                    throw BuildError.io("cannot write \(temporary)/\(file.name)")
                }
                files.append(file)
            }
            let list = files.map { "\($0.width) \($0.height) \($0.format.rawValue)\n" }.joined()
            guard fm.createFile(atPath: temporary + "/list", contents: Data(list.utf8)) else { throw BuildError.io("cannot write \(temporary)/list") }
            // Another build may have stored the same key meanwhile: its copies are the same.
            if rename(temporary, final) != 0 { try? fm.removeItem(atPath: temporary) }
            return files
        } catch {
            try? fm.removeItem(atPath: temporary)
            throw error
        }
    }

    /// Removes the folders of keys no source uses any more, and the temporary folders of builds
    /// stopped more than an hour ago (a younger one may belong to a build still running).
    func prune(keeping keys: Set<String>) {
        let fm = FileManager.default
        let hourAgo = FileStamp.now() - 3_600_000_000_000
        for name in (try? fm.contentsOfDirectory(atPath: directory)) ?? [] where name != "index" && !name.hasPrefix("index.") && !keys.contains(name) {
            let path = directory + "/" + name
            if name.hasPrefix(".tmp-"), let stamp = FileStamp(path: path), stamp.modified > hourAgo { continue }
            try? fm.removeItem(atPath: path)
        }
    }
}
