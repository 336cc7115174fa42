import ArgumentParser
import Foundation
import OrderService

/// `order-api backup --to FILE`: a consistent copy of the live database, safe while the server runs.
struct Backup: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Copy the order database to FILE while the API keeps serving (a checked VACUUM INTO snapshot).")

    @Option(help: "Where to write the backup (a new file; see --overwrite).") var to: String
    @OptionGroup var database: DatabaseOption
    @Flag(help: "Replace FILE if it exists (the new copy is renamed over it only once checked).") var overwrite = false

    func validate() throws {
        guard !to.isEmpty else { throw ValidationError("--to needs a file name") }
        if !overwrite, FileManager.default.fileExists(atPath: to) { throw ValidationError("\(to) already exists; pass --overwrite to replace it") }
        let databasePath = try databasePath()
        guard FileManager.default.fileExists(atPath: databasePath) else { throw ValidationError("no database at \(databasePath)") }
    }

    func databasePath() throws -> String { try OrderAPISettings.current(db: database.db).databasePath() }

    func run() throws {
        let started = ContinuousClock.now
        do {
            let databasePath = try databasePath()
            let report = try DatabaseBackup.backup(database: databasePath, to: to, overwrite: overwrite)
            print("backup of \(databasePath) written to \(report.path): \(report.summary), in \(DatabaseCommandOptions.elapsed(since: started))")
        } catch let failure as DatabaseBackup.Failure {
            throw DatabaseBackup.Failure(description: "backup failed: \(failure.description)")
        }
    }
}

/// What `backup` and `restore` share: their summary lines.
enum DatabaseCommandOptions {
    static func elapsed(since start: ContinuousClock.Instant) -> String {
        let duration = ContinuousClock.now - start
        let millis = duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
        return "\(millis) ms"
    }
}

extension DatabaseBackup.Report {
    /// One line for the operator: orders, size, integrity and schema.
    var summary: String {
        var text = "\(orders) orders, \(bytes) bytes, integrity ok, migrations: \(migrations.count) applied"
        if !pendingMigrations.isEmpty { text += " (\(pendingMigrations.count) to apply on start: \(pendingMigrations.joined(separator: ", ")))" }
        return text
    }
}
