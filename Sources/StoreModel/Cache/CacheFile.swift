import Foundation

/// Files that only make later runs faster (the content cache, the build manifest): replaced whole
/// by writing a temporary file beside them and renaming it over them, so a reader never sees half
/// a file. They are not fsynced: after a crash a missing or old cache only costs speed.
public enum CacheFile {
    /// Replaces the file at `path` with `bytes`, creating its folder when needed. Temporary files
    /// left by an earlier write that was cut short (the process ended) are removed first.
    public static func replace(_ path: String, with bytes: [UInt8]) throws {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
        let leftover = (path as NSString).lastPathComponent + ".tmp-"
        for name in (try? FileManager.default.contentsOfDirectory(atPath: directory.isEmpty ? "." : directory)) ?? [] where name.hasPrefix(leftover) {
            unlink((directory.isEmpty ? "" : directory + "/") + name)
        }
        let temporary = path + ".tmp-\(ProcessInfo.processInfo.processIdentifier)-\(UInt32.random(in: 0...UInt32.max))"
        guard FileManager.default.createFile(atPath: temporary, contents: Data(bytes)) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
        }
        guard rename(temporary, path) == 0 else {
            unlink(temporary)
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
        }
    }
}

/// A cache file mapped read-only into memory: reading a 100 MB cache this way copies nothing and
/// faults in pages straight from the page cache.
///
/// The writers never change bytes already in a cache file (they append, or rename a new file over
/// it), so a mapping stays valid and unchanging for as long as it is held.
public final class MappedFile: @unchecked Sendable {
    /// The file's bytes, valid until the object is released.
    public let bytes: UnsafeRawBufferPointer

    /// Maps the file at `path`; `nil` when it cannot be opened or is empty.
    public init?(path: String) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0, status.st_size > 0,
              let address = mmap(nil, Int(status.st_size), PROT_READ, MAP_PRIVATE, descriptor, 0), address != MAP_FAILED else { return nil }
        bytes = UnsafeRawBufferPointer(start: address, count: Int(status.st_size))
    }

    deinit {
        munmap(UnsafeMutableRawPointer(mutating: bytes.baseAddress), bytes.count)
    }
}
