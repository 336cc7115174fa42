import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An advisory lock on `<database>.lock` that tells a running server and `order-api restore` apart.
///
/// Every open `SQLiteOrderStore` holds it shared; `restore` needs it exclusive, so it refuses to
/// replace a database a server has open, and a server refuses to start while a restore runs. The
/// kernel drops the lock when its process dies, even by SIGKILL, so a crash never leaves it stale.
public final class DatabaseLock: Sendable {
    /// The lock file's path.
    public let path: String
    private let descriptor: Mutex<Int32>

    /// Why the lock could not be taken.
    public struct Busy: Error, CustomStringConvertible {
        /// What holds the database and what to do.
        public var description: String
    }

    /// The lock file that guards the database at `databasePath`.
    public static func lockPath(for databasePath: String) -> String { databasePath + ".lock" }

    /// Takes the lock without waiting: shared for a server, exclusive for a restore.
    public init(databasePath: String, exclusive: Bool) throws {
        path = Self.lockPath(for: databasePath)
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw Busy(description: "cannot open \(path): errno \(errno)") }
        guard flock(fd, (exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB) == 0 else {
            close(fd)
            throw Busy(
                description: exclusive
                    ? "\(databasePath) is open by a running order-api (it holds \(path)); stop the server first"
                    : "\(databasePath) is being restored (\(path) is locked); start the server when the restore is done")
        }
        descriptor = Mutex(fd)
    }

    /// Releases the lock (also done when the lock is deallocated or its process ends).
    public func release() {
        descriptor.withLock { fd in
            guard fd >= 0 else { return }
            flock(fd, LOCK_UN)
            close(fd)
            fd = -1
        }
    }

    deinit { release() }
}
