import Foundation

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
            let address = mmap(nil, Int(status.st_size), PROT_READ, MAP_PRIVATE, descriptor, 0), address != MAP_FAILED
        else { return nil }
        bytes = UnsafeRawBufferPointer(start: address, count: Int(status.st_size))
    }

    deinit {
        munmap(UnsafeMutableRawPointer(mutating: bytes.baseAddress), bytes.count)
    }
}
