import ArgumentParser
import Foundation
import OrderService

/// `--db`, shared by every subcommand that opens the database.
struct DatabaseOption: ParsableArguments {
    @Option(help: "The database: a SQLite file path, or postgres://user:password@host:5432/db?sslmode=… (ORDER_API_DB, default data/orders.sqlite).")
    var db: String?
}

extension OrderAPISettings {
    /// The settings of this process: `flags` and the process environment.
    static func current(_ flags: OrderAPIFlags) -> OrderAPISettings {
        OrderAPISettings(flags: flags, environment: ProcessInfo.processInfo.environment)
    }

    /// The settings with only `--db` given.
    static func current(db: String?) -> OrderAPISettings {
        var flags = OrderAPIFlags()
        flags.db = db
        return current(flags)
    }
}

/// Runs a settings read, reporting a bad setting as a usage error.
func validated<T>(_ read: () throws -> T) throws -> T {
    do {
        return try read()
    } catch let error as OrderAPISettingsError {
        throw ValidationError(error.description)
    }
}
