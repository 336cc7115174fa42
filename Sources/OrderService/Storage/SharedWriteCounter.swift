import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Counts the writes committed to one database by every `SQLiteOrderStore` that has it open, in
/// this process or another (`order-api reconcile` run from cron beside the server, for example).
///
/// The count is a 64-bit integer at the start of `<database>.changes`, mapped shared into every
/// store's memory and incremented atomically after each write's transaction ends. A store reads
/// how many writes *other* stores made (`foreignWrites`) with one memory load: that is how the
/// server's answer cache learns that something it did not write may have changed.
final class SharedWriteCounter: @unchecked Sendable {
    // @unchecked: `shared` points at mapped memory that is only used through atomic operations,
    // and `own` is behind a mutex; both are set once in `init`.

    /// The file beside the database.
    static func path(for databasePath: String) -> String { databasePath + ".changes" }

    private let shared: UnsafeMutablePointer<Atomic<UInt64>>?
    private let mappedLength = Int(sysconf(Int32(_SC_PAGESIZE)))
    /// This store's own writes. Held while counting one, so that `foreignWrites` never sees the
    /// shared count raised without the own count: foreign writes only ever grow.
    private let own = Mutex<UInt64>(0)
    /// Stands in for the count when the file could not be mapped.
    private let unmapped = Atomic<UInt64>(0)

    /// Maps the counter of the database at `databasePath`. Without it (a file system that cannot
    /// map it) every store's writes look foreign to the others, which only costs cache hits.
    init(databasePath: String) {
        shared = Self.map(path: Self.path(for: databasePath), length: mappedLength)
    }

    /// Whether the counter file is mapped (without it the answer cache never keeps anything).
    var isMapped: Bool { shared != nil }

    deinit {
        if let shared { munmap(UnsafeMutableRawPointer(shared), mappedLength) }
    }

    /// Counts one committed (or rolled back) write of this store.
    func countOwnWrite() {
        own.withLock { own in
            shared?.pointee.wrappingAdd(1, ordering: .sequentiallyConsistent)
            own &+= 1
        }
    }

    /// How many writes other stores have counted; never decreases. Without the mapping, a value
    /// that changes on every call, so nothing is ever trusted.
    var foreignWrites: UInt64 {
        own.withLock { own in
            guard let shared else { return unmapped.add(1, ordering: .relaxed).newValue }
            return shared.pointee.load(ordering: .sequentiallyConsistent) &- own
        }
    }

    private static func map(path: String, length: Int) -> UnsafeMutablePointer<Atomic<UInt64>>? {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var status = stat()
        guard fstat(fd, &status) == 0 else { return nil }
        // Only ever grown, never truncated: a second process must not zero a running count.
        if status.st_size < length, ftruncate(fd, off_t(length)) != 0 { return nil }
        guard let memory = mmap(nil, length, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0), memory != UnsafeMutableRawPointer(bitPattern: -1) else {
            return nil
        }
        // The first 8 bytes hold a plain UInt64, which is the layout of `Atomic<UInt64>`.
        return memory.bindMemory(to: Atomic<UInt64>.self, capacity: 1)
    }
}
