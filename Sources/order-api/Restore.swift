import ArgumentParser
import Foundation
import OrderService

/// `order-api restore --from FILE`: checks a backup and puts it in place of the database.
struct Restore: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check a backup (integrity, schema, stock) and put it in place of the database. Stop the server first.",
        discussion: """
            Refuses while an order-api has the database open. The replaced database is kept beside it as \
            <db>.before-restore-<time> (with its -wal), never deleted. The backup file itself is not modified.
            """)

    @Option(help: "The backup file to restore.") var from: String
    @OptionGroup var database: DatabaseOption

    func validate() throws {
        guard FileManager.default.fileExists(atPath: from) else { throw ValidationError("no backup file at \(from)") }
    }

    func run() throws {
        let started = ContinuousClock.now
        let database = try OrderAPISettings.current(db: self.database.db).databasePath()
        do {
            let result = try DatabaseBackup.restore(from: from, database: database)
            print("restored \(from) to \(database): \(result.restored.summary), in \(DatabaseCommandOptions.elapsed(since: started))")
            if let kept = result.previousKeptAt { print("the previous database is kept at \(kept)") }
        } catch let failure as DatabaseBackup.Failure {
            throw DatabaseBackup.Failure(description: "restore refused: \(failure.description)")
        }
    }
}
