import Foundation
import GRDB

/// Online backups and checked restores of the order database (`order-api backup` / `restore`).
///
/// A backup is `VACUUM INTO` a temporary file beside the destination: SQLite copies one read
/// transaction's snapshot, so the copy holds exactly the transactions committed before it began,
/// while the server keeps taking orders (WAL readers never block the writer). The copy is then
/// checked like a restore would check it, flushed to disk and renamed into place, so the
/// destination is either absent or a complete, verified backup.
public enum DatabaseBackup {
    /// What a backup or a check found in a database file.
    public struct Report: Sendable, Hashable {
        /// The checked file.
        public var path: String
        /// Rows in `orders`.
        public var orders: Int
        /// File size in bytes.
        public var bytes: Int64
        /// Migrations applied in the file, in this build's order.
        public var migrations: [String]
        /// Migrations this build knows that the file lacks (the server applies them when it opens it).
        public var pendingMigrations: [String]
        /// The newest order's creation time in milliseconds since 1970, if any.
        public var newestOrderMillis: Int64?
    }

    /// What a restore did.
    public struct RestoreReport: Sendable, Hashable {
        /// The restored database as checked.
        public var restored: Report
        /// Where the database that was replaced now is (with its `-wal`), or `nil` if there was none.
        public var previousKeptAt: String?
    }

    /// Why a backup or restore refused to go on; nothing was changed.
    public struct Failure: Error, CustomStringConvertible {
        /// What is wrong, for the operator.
        public var description: String

        /// A failure explained by `description`.
        public init(description: String) { self.description = description }
    }

    /// Copies the live database at `database` to `destination` while it may be serving traffic.
    public static func backup(database: String, to destination: String, overwrite: Bool = false) throws -> Report {
        guard FileManager.default.fileExists(atPath: database) else { throw Failure(description: "\(database) does not exist") }
        if !overwrite, FileManager.default.fileExists(atPath: destination) {
            throw Failure(description: "\(destination) already exists (pass --overwrite to replace it)")
        }
        let temporary = temporaryPath(beside: destination)
        defer { removeDatabaseFiles(temporary) }
        let source = try open(database)
        do {
            try source.writeWithoutTransaction { db in try db.execute(sql: "VACUUM INTO ?", arguments: [temporary]) }
            try source.close()
        } catch let error as DatabaseError {
            throw Failure(description: "cannot copy \(database): \(error.message ?? error.description)")
        }
        var report = try check(temporary)
        try AtomicFile.syncFile(temporary)
        guard rename(temporary, destination) == 0 else { throw Failure(description: "cannot rename the copy onto \(destination): errno \(errno)") }
        AtomicFile.syncDirectory(directory(of: destination))
        report.path = destination
        return report
    }

    /// Checks that `path` is a sound order database this build can open: SQLite's integrity and
    /// foreign-key checks, migrations known to this build, and `received = available + reserved + sold`
    /// for every SKU. Switches the file to a rollback journal, so it is one self-contained file.
    public static func check(_ path: String) throws -> Report {
        guard FileManager.default.fileExists(atPath: path) else { throw Failure(description: "\(path) does not exist") }
        let queue = try open(path)
        defer { try? queue.close() }
        let report: Report
        do {
            report = try queue.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA journal_mode = DELETE")
                let integrity = try String.fetchAll(db, sql: "PRAGMA integrity_check(20)")
                guard integrity == ["ok"] else {
                    throw Failure(description: "\(path) fails PRAGMA integrity_check: \(integrity.joined(separator: "; "))")
                }
                let orphans = try Row.fetchAll(db, sql: "PRAGMA foreign_key_check")
                guard orphans.isEmpty else { throw Failure(description: "\(path) has \(orphans.count) rows whose foreign key points nowhere") }
                let (applied, pending) = try migrationState(db, path: path)
                let broken = try String.fetchAll(db, sql: "SELECT sku FROM stock WHERE received != available + reserved + sold ORDER BY sku LIMIT 10")
                guard broken.isEmpty else {
                    throw Failure(description: "\(path): stock of \(broken.joined(separator: ", ")) breaks received = available + reserved + sold")
                }
                let orders = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM orders") ?? 0
                let newest = try Int64.fetchOne(db, sql: "SELECT MAX(created_at) FROM orders")
                return Report(path: path, orders: orders, bytes: 0, migrations: applied, pendingMigrations: pending, newestOrderMillis: newest)
            }
        } catch let error as DatabaseError {
            throw Failure(description: "\(path) is not a readable SQLite database: \(error.message ?? error.description)")
        }
        return report.sized()
    }

    /// Replaces the database at `database` with a checked copy of `backupPath`.
    ///
    /// Refuses while a server has the database open (its lock file is held) and holds that lock
    /// itself meanwhile, so a server cannot start half-way. The backup file is never modified: it
    /// is copied beside the database and the copy is checked. The database it replaces is kept
    /// beside it as `<database>.before-restore-<time>` (with its `-wal`), never deleted.
    public static func restore(from backupPath: String, database: String, now: Date = Date()) throws -> RestoreReport {
        guard FileManager.default.fileExists(atPath: backupPath) else { throw Failure(description: "\(backupPath) does not exist") }
        let folder = directory(of: database)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let lock: DatabaseLock
        do {
            lock = try DatabaseLock(databasePath: database, exclusive: true)
        } catch let busy as DatabaseLock.Busy {
            throw Failure(description: busy.description)
        }
        defer { lock.release() }

        let temporary = temporaryPath(beside: database)
        defer { removeDatabaseFiles(temporary) }
        do {
            try FileManager.default.copyItem(atPath: backupPath, toPath: temporary)
        } catch {
            throw Failure(description: "cannot copy \(backupPath) beside \(database): \(error.localizedDescription)")
        }
        var report: Report
        do {
            report = try check(temporary)
        } catch let failure as Failure {
            throw Failure(description: failure.description.replacingOccurrences(of: temporary, with: backupPath))
        }
        try AtomicFile.syncFile(temporary)

        var kept: String? = nil
        if FileManager.default.fileExists(atPath: database) {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "UTC")
            formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
            let aside = database + ".before-restore-" + formatter.string(from: now)
            for suffix in ["", "-wal"] where FileManager.default.fileExists(atPath: database + suffix) {
                guard rename(database + suffix, aside + suffix) == 0 else {
                    throw Failure(description: "cannot move \(database + suffix) aside to \(aside + suffix): errno \(errno)")
                }
            }
            kept = aside
        }
        // A stale -wal or -shm left beside the new file would be replayed onto it: none may remain.
        for suffix in ["-wal", "-shm", "-journal"] { unlink(database + suffix) }
        guard rename(temporary, database) == 0 else { throw Failure(description: "cannot rename the checked copy onto \(database): errno \(errno)") }
        AtomicFile.syncDirectory(folder)
        report.path = database
        return RestoreReport(restored: report, previousKeptAt: kept)
    }

    private static func migrationState(_ db: Database, path: String) throws -> (applied: [String], pending: [String]) {
        let migrator = Migrations.migrator
        guard try db.tableExists("grdb_migrations") else { throw Failure(description: "\(path) is not an order-api database (no migration table)") }
        let applied = try migrator.appliedIdentifiers(db)
        let known = migrator.migrations
        let unknown = applied.subtracting(known).sorted()
        guard unknown.isEmpty else {
            throw Failure(description: "\(path) was written by a newer order-api (unknown migrations: \(unknown.joined(separator: ", "))); use that version")
        }
        return (known.filter(applied.contains), known.filter { !applied.contains($0) })
    }

    private static func open(_ path: String) throws -> DatabaseQueue {
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.label = "backup"
        do {
            return try DatabaseQueue(path: path, configuration: configuration)
        } catch let error as DatabaseError {
            throw Failure(description: "cannot open \(path): \(error.message ?? error.description)")
        }
    }

    private static func directory(of path: String) -> String {
        let folder = (path as NSString).deletingLastPathComponent
        return folder.isEmpty ? "." : folder
    }

    private static func temporaryPath(beside path: String) -> String {
        directory(of: path) + "/." + (path as NSString).lastPathComponent + ".tmp-" + OrderID.make()
    }

    private static func removeDatabaseFiles(_ path: String) {
        for suffix in ["", "-wal", "-shm", "-journal"] { unlink(path + suffix) }
    }
}

extension DatabaseBackup.Report {
    /// The report with `bytes` read from the file on disk.
    fileprivate func sized() -> Self {
        var report = self
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        report.bytes = (attributes?[.size] as? NSNumber)?.int64Value ?? 0
        return report
    }
}
