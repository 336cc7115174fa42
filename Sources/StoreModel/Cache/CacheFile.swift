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
