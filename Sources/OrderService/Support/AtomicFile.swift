import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Durable atomic file replacement: write a temporary file next to the target, fsync it, rename it
/// over the target and fsync the directory. Readers see the old or the new file, never a mix.
enum AtomicFile {
    struct WriteError: Error, CustomStringConvertible {
        var description: String
    }

    static func write(_ data: Data, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent().path
        let temporary = directory + "/." + url.lastPathComponent + ".tmp-" + OrderID.make()
        var mode: mode_t = 0o644
        var info = stat()
        if stat(path, &info) == 0 { mode = info.st_mode & 0o7777 }
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL, mode)
        guard fd >= 0 else { throw WriteError(description: "cannot create \(temporary): errno \(errno)") }
        var ok = false
        defer {
            if !ok { unlink(temporary) }
        }
        do {
            defer { close(fd) }
            _ = fchmod(fd, mode)
            try data.withUnsafeBytes { (buffer: UnsafeRawBufferPointer) in
                var offset = 0
                while offset < buffer.count {
                    let written = systemWrite(fd, buffer.baseAddress! + offset, buffer.count - offset)
                    if written < 0 {
                        if errno == EINTR { continue }
                        throw WriteError(description: "cannot write \(temporary): errno \(errno)")
                    }
                    offset += written
                }
            }
            guard fsync(fd) == 0 else { throw WriteError(description: "cannot fsync \(temporary): errno \(errno)") }
        }
        guard rename(temporary, path) == 0 else { throw WriteError(description: "cannot rename onto \(path): errno \(errno)") }
        ok = true
        syncDirectory(directory)
    }

    /// Makes a rename or unlink in `directory` durable (fsync of the directory itself).
    static func syncDirectory(_ directory: String) {
        let dirFD = open(directory.isEmpty ? "." : directory, O_RDONLY)
        if dirFD >= 0 {
            _ = fsync(dirFD)
            close(dirFD)
        }
    }

    /// Flushes a finished file to disk.
    static func syncFile(_ path: String) throws {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw WriteError(description: "cannot open \(path): errno \(errno)") }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw WriteError(description: "cannot fsync \(path): errno \(errno)") }
    }
}

#if canImport(Glibc)
private let systemWrite = Glibc.write
#elseif canImport(Darwin)
private let systemWrite = Darwin.write
#endif
