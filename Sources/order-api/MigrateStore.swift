import ArgumentParser
import Foundation
import Logging
import OrderService

/// `order-api migrate-store --from FILE --to postgres://…`: copies a SQLite shop into an empty PostgreSQL database.
struct MigrateStore: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate-store",
        abstract: "Copy every table of a SQLite order database into an empty PostgreSQL database, checked, in one transaction.",
        discussion: """
            Applies the PostgreSQL migrations, refuses a target holding any row, copies in one transaction (a failure leaves \
            the target empty: run it again), then compares row counts and the stock invariant on both sides. The SQLite file \
            is read in one snapshot, safe while the API runs, but orders taken after that snapshot are not copied: stop the \
            API for the real move. Without --to, ORDER_API_DB gives the target (keeps the password out of the process list).
            """)

    @Option(help: "The SQLite database to copy.") var from = "data/orders.sqlite"
    @Option(help: "The PostgreSQL database: postgres://user:password@host:5432/db?sslmode=… (default ORDER_API_DB).") var to: String?

    func validate() throws {
        guard case .sqlite = try validated({ try DatabaseLocation.parse(from, setting: "--from") }) else {
            throw ValidationError("--from must be the path of a SQLite file")
        }
        guard FileManager.default.fileExists(atPath: from) else { throw ValidationError("no database at \(from)") }
        _ = try target()
    }

    /// `--to`, else `ORDER_API_DB`, which must be a PostgreSQL URL.
    func target() throws -> PostgresSettings {
        let location =
            if let to {
                try validated { try DatabaseLocation.parse(to, setting: "--to") }
            } else {
                try validated { try OrderAPISettings.current(db: nil).databaseLocation() }
            }
        guard case .postgres(let settings) = location else {
            throw ValidationError("\(to == nil ? "ORDER_API_DB" : "--to") must be a postgres:// URL")
        }
        return settings
    }

    func run() async throws {
        let started = ContinuousClock.now
        let target = try target()
        var logger = Logger(label: "migrate-store")
        logger.logLevel = .warning
        do {
            let report = try await StoreMigration.migrate(sqlite: from, to: target, logger: logger)
            print(report.summary)
            print("copied \(from) to \(target), counts and stock checked on both sides, in \(DatabaseCommandOptions.elapsed(since: started))")
        } catch let failure as StoreMigration.Failure {
            throw StoreMigration.Failure("migrate-store failed: \(failure.description)")
        }
    }
}
