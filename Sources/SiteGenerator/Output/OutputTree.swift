import Foundation
import StoreModel

/// Where a build puts its files before they go live, and what it wrote.
///
/// A full build writes a complete new tree into a staging directory and swaps it in with two
/// renames. An incremental build writes only changed files into a staging directory and, once
/// every check has passed, moves each into place with an atomic rename. Either way, invalid
/// content leaves the live output untouched and no reader ever sees a half-written file.
final class OutputTree: @unchecked Sendable {
    let liveDirectory: String
    let stagingDirectory: String
    let isFullBuild: Bool
    let previous: BuildManifest?
    private let lock = NSLock()
    private var createdDirectories: Set<String> = []
    private(set) var next = BuildManifest()
    /// Sources whose links were carried over from the previous manifest.
    private var kept: [String] = []
    private(set) var written: [String] = []
    private(set) var unchanged = 0
    /// Pages whose template was rendered in this build (the others were current and skipped).
    private(set) var rendered = 0
    /// How many paths of the previous manifest this build has produced again; when it falls short
    /// of the previous count, some earlier output is gone.
    private var carried = 0
    /// Of those, the ones a link can point at (all but the search index's shards, whose names
    /// change with their bytes: a price edit replaces two of them).
    private var carriedLinkable = 0
    /// The paths of the previous manifest that a link can point at.
    private let previousLinkable: Int

    init(liveDirectory: String, isFullBuild: Bool, previous: BuildManifest?, globalHash: UInt64, inputsHash: UInt64 = 0) throws {
        self.liveDirectory = liveDirectory
        self.isFullBuild = isFullBuild
        self.previous = isFullBuild ? nil : previous
        self.previousLinkable = self.previous?.files.keys.count(where: { !Self.isUnlinkable($0) }) ?? 0
        let stamp = "\(ProcessInfo.processInfo.processIdentifier)-\(UInt32.random(in: 0...UInt32.max))"
        self.stagingDirectory = liveDirectory + ".staging-" + stamp
        next.globalHash = globalHash
        next.inputsHash = inputsHash
        next.files.reserveCapacity(self.previous?.files.count ?? 1024)
        next.links.reserveCapacity(self.previous?.links.count ?? 1024)
        try FileManager.default.createDirectory(atPath: stagingDirectory, withIntermediateDirectories: true)
    }

    /// Outputs (and Markdown sources' links) one worker found current, to be carried into the next
    /// manifest together by `record(_:)`: the checks need no lock, the recording takes it once.
    struct CarriedOver {
        var files: [(path: String, entry: BuildManifest.Entry)] = []
        var links: [(source: String, entry: (hash: UInt64, urls: [String]))] = []
    }

    /// Whether an output whose inputs hash to `inputHash` is already live and need not be rendered;
    /// when it is, its manifest entry is added to `carried`.
    func isCurrent(_ path: String, inputHash: UInt64, into carried: inout CarriedOver) -> Bool {
        guard let entry = previous?.files[path], entry.inputHash == inputHash else { return false }
        carried.files.append((path, entry))
        return true
    }

    /// Whether a page made from one Markdown source is current: the page, and the links the
    /// previous build checked for the source, both recorded under `inputHash`. An unchanged
    /// source's links are carried over with the page (so the build after this one can skip it too).
    func isCurrent(_ path: String, linksOf source: String, inputHash: UInt64, into carried: inout CarriedOver) -> Bool {
        guard let links = previous?.links[source], links.hash == inputHash,
            let entry = previous?.files[path], entry.inputHash == inputHash
        else { return false }
        carried.files.append((path, entry))
        carried.links.append((source, links))
        return true
    }

    /// Whether an output whose inputs hash to `inputHash` is already live and need not be rendered.
    func isCurrent(_ path: String, inputHash: UInt64) -> Bool {
        var carried = CarriedOver()
        guard isCurrent(path, inputHash: inputHash, into: &carried) else { return false }
        record(carried)
        return true
    }

    /// Carries what a worker found current into the next manifest.
    func record(_ carried: CarriedOver) {
        lock.withLock {
            for (path, entry) in carried.files { enterLocked(path, entry, wasInPrevious: true) }
            unchanged += carried.files.count
            for (source, entry) in carried.links {
                next.links[source] = entry
                kept.append(source)
            }
        }
    }

    /// Like `isCurrent`, for files made together: all are current, or none is taken as current.
    func areCurrent(_ paths: [String], inputHash: UInt64) -> Bool {
        guard paths.allSatisfy({ previous?.files[$0]?.inputHash == inputHash }) else { return false }
        return paths.allSatisfy { isCurrent($0, inputHash: inputHash) }
    }

    /// Stages a file; skipped when the live file already has these bytes.
    func put(_ path: String, _ data: Data, inputHash: UInt64? = nil) throws {
        try data.withUnsafeBytes { try put(path, $0, inputHash: inputHash) }
    }

    /// Stages a file from bytes; skipped when the live file already has these bytes.
    func put(_ path: String, _ bytes: [UInt8], inputHash: UInt64? = nil) throws {
        try bytes.withUnsafeBytes { try put(path, $0, inputHash: inputHash) }
    }

    /// One piece of a file written in pieces: bytes made in this build, or a piece of the live
    /// file that the previous build made from the same input (`keptPieces(of:)`).
    enum Piece {
        case made([UInt8], inputHash: UInt64)
        case kept(BuildManifest.Piece, offset: Int)
    }

    /// The pieces the previous build wrote `path` in, each with its offset in the live file, when
    /// the live file still has exactly their length (otherwise nothing can be kept).
    func keptPieces(of path: String) -> [(piece: BuildManifest.Piece, offset: Int)] {
        guard let list = previous?.pieces[path] else { return [] }
        var info = stat()
        guard stat(liveDirectory + "/" + path, &info) == 0, Int(info.st_size) == list.reduce(0, { $0 + $1.length }) else { return [] }
        var offset = 0
        return list.map { piece in
            defer { offset += piece.length }
            return (piece, offset)
        }
    }

    /// Stages a file made in pieces (on several cores), written one piece after another instead of
    /// joined into one buffer first (78 MB for `catalog.json` at 270,000 SKUs); a kept piece is
    /// copied from the live file by the kernel. Skipped when the live file already has these
    /// bytes. Its hash is over the pieces' hashes, so a file must always be put in the same pieces
    /// to be found unchanged.
    func put(_ path: String, pieces: [Piece]) throws {
        let recorded = pieces.map { piece -> BuildManifest.Piece in
            switch piece {
            case .made(let bytes, let inputHash):
                BuildManifest.Piece(inputHash: inputHash, outputHash: bytes.withUnsafeBytes(WordHash.hash), length: bytes.count)
            case .kept(let kept, _): kept
            }
        }
        var outputHash: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(pieces.count)
        for piece in recorded {
            outputHash = (outputHash ^ piece.outputHash) &* 0xFF51_AFD7_ED55_8CCD
            outputHash ^= outputHash >> 32
        }
        lock.withLock { next.pieces[path] = recorded }
        let live = liveDirectory + "/" + path
        try stage(path, outputHash: outputHash, inputHash: nil) { descriptor, target in
            var source: Int32 = -1
            defer { if source >= 0 { close(source) } }
            for piece in pieces {
                switch piece {
                case .made(let bytes, _):
                    try bytes.withUnsafeBytes { try Self.writeAll(descriptor, $0, target: target) }
                case .kept(let kept, let offset):
                    if source < 0 { source = open(live, O_RDONLY | O_CLOEXEC) }
                    guard source >= 0 else { throw CocoaError(.fileReadUnknown, userInfo: [NSFilePathErrorKey: live]) }
                    try Self.copy(from: source, offset: offset, count: kept.length, to: descriptor, target: target)
                }
            }
        }
    }

    /// Copies `count` bytes at `offset` of one file to the end of another: in the kernel where it
    /// can (`sendfile`), else through a buffer.
    private static func copy(from source: Int32, offset: Int, count: Int, to descriptor: Int32, target: String) throws {
        var position = off_t(offset)
        var left = count
        while left > 0 {
            let copied = sendfile(descriptor, source, &position, left)
            if copied > 0 {
                left -= copied
                continue
            }
            if copied < 0, errno == EINTR { continue }
            // Not supported between these files (or cut short): read and write the rest.
            var buffer = [UInt8](repeating: 0, count: min(left, 1 << 20))
            while left > 0 {
                let read = pread(source, &buffer, min(left, buffer.count), position)
                if read < 0, errno == EINTR { continue }
                guard read > 0 else { throw CocoaError(.fileReadUnknown, userInfo: [NSFilePathErrorKey: target]) }
                try buffer.withUnsafeBytes { try writeAll(descriptor, UnsafeRawBufferPointer(rebasing: $0[..<read]), target: target) }
                position += off_t(read)
                left -= read
            }
        }
    }

    private func put(_ path: String, _ bytes: UnsafeRawBufferPointer, inputHash: UInt64?) throws {
        // 8 bytes a step: FNV byte by byte cost 5 % of a full build.
        try stage(path, outputHash: WordHash.hash(bytes), inputHash: inputHash) { descriptor, target in
            try Self.writeAll(descriptor, bytes, target: target)
        }
    }

    /// Stages a file kept elsewhere whose bytes `outputHash` names (an encoded image in the image
    /// cache, never changed in place): hard-linked into the staging directory where the file
    /// system allows, else copied. Skipped when the live file already has these bytes.
    func put(_ path: String, linking source: String, outputHash: UInt64) throws {
        try stage(
            path, outputHash: outputHash, inputHash: outputHash,
            create: { target in
                guard link(source, target) != 0 else { return }
                guard let data = FileManager.default.contents(atPath: source) else {
                    throw BuildError.io("cannot read \(source): \(String(cString: strerror(errno)))")
                }
                try Self.writeFile(target) { descriptor, target in
                    try data.withUnsafeBytes { try Self.writeAll(descriptor, $0, target: target) }
                }
            })
    }

    private func stage(_ path: String, outputHash: UInt64, inputHash: UInt64?, write: (Int32, String) throws -> Void) throws {
        try stage(path, outputHash: outputHash, inputHash: inputHash, create: { try Self.writeFile($0, write) })
    }

    private func stage(_ path: String, outputHash: UInt64, inputHash: UInt64?, create: (String) throws -> Void) throws {
        let entry = BuildManifest.Entry(inputHash: inputHash ?? outputHash, outputHash: outputHash)
        let old = previous?.files[path]
        if let old, old.outputHash == outputHash {
            lock.withLock {
                enterLocked(path, entry, wasInPrevious: true)
                unchanged += 1
            }
            return
        }
        try ensureDirectory(of: path)
        try create(stagingDirectory + "/" + path)
        lock.withLock {
            enterLocked(path, entry, wasInPrevious: old != nil)
            written.append(path)
        }
    }

    /// Enters a file in the next manifest (the lock held), counting a path of the previous
    /// manifest the first time it is produced again (`lostOutputs`).
    private func enterLocked(_ path: String, _ entry: BuildManifest.Entry, wasInPrevious: Bool) {
        if next.files.updateValue(entry, forKey: path) == nil, wasInPrevious {
            carried += 1
            if !Self.isUnlinkable(path) { carriedLinkable += 1 }
        }
    }

    /// Writes a new file in the staging directory with plain system calls (the staging directory is
    /// private to this build, so neither a temporary name nor an fsync is needed before the swap).
    private static func writeFile(_ target: String, _ write: (Int32, String) throws -> Void) throws {
        let descriptor = open(target, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: target]) }
        defer { close(descriptor) }
        try write(descriptor, target)
    }

    private static func writeAll(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer, target: String) throws {
        var offset = 0
        while offset < bytes.count {
            let count = write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: target]) }
            offset += count
        }
    }

    /// Counts a page rendered through the theme.
    func noteRendered() {
        lock.withLock { rendered += 1 }
    }

    /// Records a Markdown source's internal links.
    func recordLinks(source: String, hash: UInt64, urls: [String]) {
        lock.withLock { next.links[source] = (hash, urls) }
    }

    /// The links of the sources carried over by `record(_:)`, as `"line url"` strings per source.
    func keptLinks() -> [(source: String, urls: [String])] {
        lock.withLock { kept.compactMap { source in next.links[source].map { (source, $0.urls) } } }
    }

    /// Whether some file of the previous build that links could have pointed at (a page, image or
    /// data file) is not part of this one.
    func lostOutputs() -> Bool {
        guard previous != nil else { return false }
        return lock.withLock { carriedLinkable < previousLinkable }
    }

    /// Whether some file of the previous build is not part of this one (and is removed on commit).
    private func lostFiles() -> Bool {
        guard let previous else { return false }
        return lock.withLock { carried < previous.files.count }
    }

    /// The search index's shards (`search/x/…`): named by their bytes, never linked.
    static func isUnlinkable(_ path: String) -> Bool {
        path.hasPrefix(SearchIndex.shardFolder)
    }

    private func ensureDirectory(of path: String) throws {
        guard let slash = path.lastIndex(of: "/") else { return }
        let directory = String(path[..<slash])
        let known = lock.withLock { createdDirectories.contains(directory) }
        if known { return }
        // Usually only the last component is new (its parent was made for an earlier file): one mkdir.
        let full = stagingDirectory + "/" + directory
        if mkdir(full, 0o755) != 0, errno != EEXIST {
            try FileManager.default.createDirectory(atPath: full, withIntermediateDirectories: true)
        }
        lock.withLock { _ = createdDirectories.insert(directory) }
    }

    /// Makes the staged output live. Returns the number of files removed.
    func commit(manifestPath: String) throws -> Int {
        let fm = FileManager.default
        var removed = 0
        if isFullBuild {
            let retired = liveDirectory + ".old-" + UUID().uuidString
            let hadLive = fm.fileExists(atPath: liveDirectory)
            if hadLive { try fm.moveItem(atPath: liveDirectory, toPath: retired) }
            try fm.moveItem(atPath: stagingDirectory, toPath: liveDirectory)
            if hadLive { try? fm.removeItem(atPath: retired) }
        } else {
            for path in Self.commitOrder(written) {
                let target = liveDirectory + "/" + path
                try fm.createDirectory(atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                if rename(stagingDirectory + "/" + path, target) != 0 {
                    throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: target])
                }
            }
            if let previous, lostFiles() {
                for path in previous.files.keys where next.files[path] == nil {
                    if (try? fm.removeItem(atPath: liveDirectory + "/" + path)) != nil { removed += 1 }
                    removeEmptyParents(of: path)
                }
            }
            try? fm.removeItem(atPath: stagingDirectory)
        }
        try next.write(to: manifestPath)
        return removed
    }

    /// The order in which an incremental build makes its files live: the content-hashed assets
    /// the pages use, then the pages, then everything else (`catalog.json`, its shards, the
    /// sitemap), so that a reader who sees a new price in `catalog.json` finds it on the page too.
    static func commitOrder(_ paths: some Collection<String>) -> [String] {
        func rank(_ path: String) -> Int { path.hasPrefix("assets/") ? 0 : path.hasSuffix(".html") ? 1 : 2 }
        return paths.sorted { (rank($0), $0) < (rank($1), $1) }
    }

    /// Throws the staged files away; the live output stays as it was.
    func discard() {
        try? FileManager.default.removeItem(atPath: stagingDirectory)
    }

    private func removeEmptyParents(of path: String) {
        var components = path.split(separator: "/").dropLast()
        while !components.isEmpty {
            let directory = liveDirectory + "/" + components.joined(separator: "/")
            guard (try? FileManager.default.contentsOfDirectory(atPath: directory))?.isEmpty == true else { return }
            try? FileManager.default.removeItem(atPath: directory)
            components = components.dropLast()
        }
    }
}
