import Logging
import PostgresNIO

/// Transactions on PostgreSQL: `BEGIN` … `COMMIT` at the default READ COMMITTED isolation, the
/// caller's own error rethrown as is (PostgresNIO's `withTransaction` wraps it), and the one retry
/// of serialization failures and deadlocks (SQLSTATE 40001, 40P01).
enum PostgresTransaction {
    /// How many times a transaction may run in all before its 40001/40P01 error is thrown.
    static let maximumAttempts = 5

    /// Runs `body` in a transaction started by `begin` on `connection`; rolls back and rethrows `body`'s error.
    static func run<T: Sendable>(
        on connection: PostgresConnection, logger: Logger, begin: PostgresQuery = "BEGIN", _ body: (PostgresConnection) async throws -> T
    ) async throws -> T {
        try await connection.query(begin, logger: logger)
        let value: T
        do {
            value = try await body(connection)
        } catch {
            // A failed rollback means a broken connection, which the pool drops; `error` is what matters.
            _ = try? await connection.query("ROLLBACK", logger: logger)
            throw error
        }
        try await connection.query("COMMIT", logger: logger)
        return value
    }

    /// Runs `body` in a read-only REPEATABLE READ transaction on `connection`, so everything it
    /// reads is one snapshot; rolls back and rethrows `body`'s error.
    static func snapshot<T: Sendable>(
        on connection: PostgresConnection, logger: Logger, _ body: (PostgresConnection) async throws -> T
    ) async throws -> T {
        try await run(on: connection, logger: logger, begin: "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", body)
    }

    /// Runs `body` in a transaction on a pooled connection (or, with `inTransaction` false, as the
    /// single statement it is, which is its own transaction), again (on a fresh transaction, after a
    /// short growing pause) when PostgreSQL aborted it for a serialization failure or a deadlock.
    /// `onRetry` is called before each retry (to count it).
    static func retrying<T: Sendable>(
        _ client: PostgresPool, logger: Logger, inTransaction: Bool = true, onRetry: () -> Void,
        _ body: @escaping @Sendable (PostgresConnection) async throws -> T
    ) async throws -> T {
        var attempt = 1
        while true {
            do {
                return try await client.withConnection { connection in
                    inTransaction ? try await run(on: connection, logger: logger, body) : try await body(connection)
                }
            } catch let error as PSQLError where isRetryable(error) && attempt < maximumAttempts {
                onRetry()
                logger.debug(
                    "transaction retried", metadata: ["sqlstate": "\(error.serverInfo?[.sqlState] ?? "")", "attempt": "\(attempt)"])
                try await Task.sleep(for: .milliseconds(5 * attempt * attempt))
                attempt += 1
            }
        }
    }

    /// Whether PostgreSQL aborted the transaction for a serialization failure (40001) or a deadlock (40P01).
    static func isRetryable(_ error: PSQLError) -> Bool {
        sqlState(error) == "40001" || sqlState(error) == "40P01"
    }

    /// The SQLSTATE of an error the server sent, if it was one.
    static func sqlState(_ error: any Error) -> String? {
        (error as? PSQLError)?.serverInfo?[.sqlState]
    }
}
