import Foundation
import GRDB
import Logging
import PostgresNIO

/// `order-api migrate-store`: copies every table of a SQLite shop into an empty PostgreSQL database.
///
/// The PostgreSQL migrations are applied first (by opening a `PostgresOrderStore`). The SQLite file is
/// read in ONE read transaction (a WAL snapshot, as `backup` reads it) while its lock is held shared,
/// so it is safe beside a running server and a restore cannot swap the file meanwhile; but orders
/// taken after that snapshot are not copied, so stop the API for the real cut-over. The copy is one
/// PostgreSQL transaction that first locks every table and refuses a target holding any row, then
/// inserts in batches of multi-row INSERTs, moves the identity sequences past the copied ids, and
/// compares row counts and the stock invariant on both sides before it commits: a failure leaves
/// the target empty, and the command can simply run again.
public enum StoreMigration {
    /// The tables the copier knows, parents before children (foreign keys): every table of
    /// `Migrations`. A table missing here, on either side, stops the copy.
    public static let tables = [
        "orders", "order_lines", "stock", "order_events", "idempotency_keys", "payment_attempts", "payment_notifications",
        "payment_events_seen", "outbox_events", "deliveries", "webhook_endpoints", "admin_auth_failures",
    ]

    /// Columns only PostgreSQL has (what instances sharing it need); copied rows take their defaults.
    static let postgresOnlyColumns: [String: Set<String>] = ["orders": ["version"]]

    /// Most bind parameters in one INSERT (PostgreSQL allows 65,535).
    static let parametersPerInsert = 30_000
    /// Most rows in one INSERT, by default.
    public static let rowsPerInsert = 1_000

    /// What a copy did: rows per table, in `tables` order.
    public struct Report: Sendable, Hashable {
        /// One table's rows.
        public struct Table: Sendable, Hashable {
            /// The table's name.
            public var table: String
            /// Rows copied.
            public var count: Int
        }

        /// The tables copied, in `tables` order.
        public var rows: [Table]
        /// Rows copied in all.
        public var total: Int { rows.reduce(0) { $0 + $1.count } }

        /// One line per table and a total, for the operator.
        public var summary: String {
            let width = rows.map(\.table.count).max() ?? 0
            let lines = rows.map { $0.table.padding(toLength: width, withPad: " ", startingAt: 0) + "  \($0.count)" }
            return (lines + ["\(rows.count) tables, \(total) rows"]).joined(separator: "\n")
        }
    }

    /// Why the copy stopped; the target holds no copied row.
    public struct Failure: Error, CustomStringConvertible, Equatable {
        /// What is wrong, for the operator (never a password).
        public var description: String

        /// A failure explained by `description`.
        public init(_ description: String) { self.description = description }
    }

    /// Copies the SQLite database at `path` into the PostgreSQL database `target`, at most
    /// `batchRows` rows per INSERT.
    public static func migrate(sqlite path: String, to target: PostgresSettings, batchRows: Int = rowsPerInsert, logger: Logger) async throws -> Report {
        guard FileManager.default.fileExists(atPath: path) else { throw Failure("\(path) does not exist") }
        let lock: DatabaseLock
        do {
            lock = try DatabaseLock(databasePath: path, exclusive: false)
        } catch let busy as DatabaseLock.Busy {
            throw Failure(busy.description)
        }
        defer { lock.release() }
        let source = try SQLiteSnapshot(path: path)
        defer { source.close() }

        let store: PostgresOrderStore
        do {
            // A copy may take long: no request deadline here.
            store = try await PostgresOrderStore(settings: target, poolSize: 1, logger: logger, requestDeadline: .seconds(24 * 3600))
        } catch {
            throw Failure("cannot open \(target): \(describe(error))")
        }
        do {
            let report = try await store.client.withConnection { connection in
                try await PostgresTransaction.run(on: connection, logger: logger) { connection in
                    try await copy(from: source, to: connection, target: target, batchRows: batchRows, logger: logger)
                }
            }
            try await store.close()
            return report
        } catch {
            try? await store.close()
            if let failure = error as? Failure { throw failure }
            throw Failure("copy into \(target) failed, nothing was kept: \(describe(error))")
        }
    }

    /// Everything inside the PostgreSQL transaction.
    private static func copy(
        from source: SQLiteSnapshot, to connection: PostgresConnection, target: PostgresSettings, batchRows: Int, logger: Logger
    ) async throws
        -> Report
    {
        let targetColumns = try await columns(connection, logger: logger)
        let unknownTargets = Set(targetColumns.keys).subtracting(tables).subtracting(["schema_migrations"]).sorted()
        guard unknownTargets.isEmpty else {
            throw Failure("\(target) has tables this copier does not know: \(unknownTargets.joined(separator: ", ")); use the order-api that made them")
        }
        try source.checkSchema(against: targetColumns)

        // Nothing may write while we copy (a server started on the target too early waits).
        try await connection.query(PostgresQuery(unsafeSQL: "LOCK TABLE \(tables.joined(separator: ", ")) IN EXCLUSIVE MODE"), logger: logger)
        var occupied: [String] = []
        for table in tables {
            let count = try await count(connection, "SELECT count(*) FROM \(table)", logger)
            if count > 0 { occupied.append("\(table) (\(count) rows)") }
        }
        guard occupied.isEmpty else {
            throw Failure("\(target) is not empty: \(occupied.joined(separator: ", ")); migrate-store only fills an empty database")
        }
        let sourceStockProblems = try source.count(stockProblemsSQL)
        guard sourceStockProblems == 0 else {
            throw Failure("\(source.path): \(sourceStockProblems) stock rows break received = available + reserved + sold or available >= 0; fix them first")
        }

        var report = Report(rows: [])
        for table in tables {
            let columns = (targetColumns[table] ?? []).filter { !(Self.postgresOnlyColumns[table] ?? []).contains($0.name) }
            let copied = try await copyTable(table, columns: columns, batchRows: batchRows, from: source, to: connection, logger: logger)
            report.rows.append(Report.Table(table: table, count: copied))
            for column in columns where column.isIdentity {
                let floor = try source.sequenceFloor(table)
                try await connection.query(
                    PostgresQuery(
                        unsafeSQL: """
                            SELECT setval(pg_get_serial_sequence('\(table)', '\(column.name)'), GREATEST(COALESCE(max(\(column.name)), 0), \(floor)) + 1, false) \
                            FROM \(table)
                            """), logger: logger)
            }
        }

        // The check: the same rows on both sides, and stock conserved on both.
        for (table, copied) in report.rows.map({ ($0.table, $0.count) }) {
            let expected = try source.count("SELECT count(*) FROM \(table)")
            let stored = try await count(connection, "SELECT count(*) FROM \(table)", logger)
            guard expected == copied, stored == copied else {
                throw Failure("\(table): \(expected) rows in SQLite, \(copied) copied, \(stored) in PostgreSQL; nothing was kept")
            }
        }
        let targetStockProblems = try await count(connection, stockProblemsSQL, logger)
        guard targetStockProblems == 0 else { throw Failure("\(targetStockProblems) stock rows break the invariant after the copy; nothing was kept") }
        return report
    }

    static let stockProblemsSQL = "SELECT count(*) FROM stock WHERE received != available + reserved + sold OR available < 0"

    /// Copies one table in batches of multi-row INSERTs, in rowid order; returns the rows copied.
    private static func copyTable(
        _ table: String, columns: [Column], batchRows: Int, from source: SQLiteSnapshot, to connection: PostgresConnection, logger: Logger
    )
        async throws -> Int
    {
        let names = columns.map(\.name).joined(separator: ", ")
        let overriding = columns.contains(where: \.isIdentity) ? " OVERRIDING SYSTEM VALUE" : ""
        let batch = max(1, min(batchRows, parametersPerInsert / max(1, columns.count)))
        var after: Int64 = .min
        var copied = 0
        while true {
            let (rows, last) = try source.rows(table, columns: columns.map(\.name), after: after, limit: batch)
            guard !rows.isEmpty else { break }
            var bindings = PostgresBindings(capacity: rows.count * columns.count)
            var tuples: [String] = []
            tuples.reserveCapacity(rows.count)
            for row in rows {
                let start = bindings.count
                for (column, value) in zip(columns, row) {
                    try column.kind.bind(value, to: &bindings, table: table, column: column.name)
                }
                tuples.append("(" + (start + 1...start + columns.count).map { "$\($0)" }.joined(separator: ", ") + ")")
            }
            try await connection.query(
                PostgresQuery(unsafeSQL: "INSERT INTO \(table) (\(names))\(overriding) VALUES \(tuples.joined(separator: ", "))", binds: bindings),
                logger: logger)
            copied += rows.count
            after = last
        }
        return copied
    }

    /// A column of the target, as `information_schema` describes it.
    struct Column: Sendable, Hashable {
        var name: String
        var kind: Kind
        var isIdentity: Bool
    }

    /// The PostgreSQL types the schema uses, and how a SQLite value becomes one.
    enum Kind: String, Sendable, Hashable {
        case text
        case bigint
        case boolean
        case bytea

        func bind(_ value: DatabaseValue, to bindings: inout PostgresBindings, table: String, column: String) throws {
            if value.isNull {
                bindings.appendNull()
                return
            }
            switch self {
            case .text:
                guard let text = String.fromDatabaseValue(value) else { throw mismatch(value, table, column) }
                bindings.append(text)
            case .bigint:
                guard case .int64(let number) = value.storage else { throw mismatch(value, table, column) }
                bindings.append(Int(number))
            case .boolean:
                guard case .int64(let number) = value.storage, number == 0 || number == 1 else { throw mismatch(value, table, column) }
                bindings.append(number == 1)
            case .bytea:
                guard let data = Data.fromDatabaseValue(value) else { throw mismatch(value, table, column) }
                try bindings.append(data)
            }
        }

        private func mismatch(_ value: DatabaseValue, _ table: String, _ column: String) -> Failure {
            Failure("\(table).\(column) holds a value that is not \(rawValue) (\(value.storage.kindName)); nothing was kept")
        }
    }

    /// The target's tables and their columns, in column order.
    static func columns(_ connection: PostgresConnection, logger: Logger) async throws -> [String: [Column]] {
        let rows = try await connection.query(
            """
            SELECT table_name::text, column_name::text, data_type::text, is_identity::text FROM information_schema.columns
            WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position
            """, logger: logger)
        var result: [String: [Column]] = [:]
        for try await (table, name, type, identity) in rows.decode((String, String, String, String).self) {
            guard let kind = Kind(rawValue: type) else {
                if table == "schema_migrations" { continue }
                throw Failure("\(table).\(name) has the type \(type), which the copier does not know")
            }
            result[table, default: []].append(Column(name: name, kind: kind, isIdentity: identity == "YES"))
        }
        return result
    }

    private static func count(_ connection: PostgresConnection, _ sql: String, _ logger: Logger) async throws -> Int {
        for try await value in try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger).decode(Int.self) { return value }
        return 0
    }

    /// An error without its connection details: PostgreSQL's own message when it sent one.
    static func describe(_ error: any Error) -> String {
        if let failure = error as? Failure { return failure.description }
        if let psql = error as? PSQLError {
            if let message = psql.serverInfo?[.message] {
                let detail = psql.serverInfo?[.detail].map { " (\($0))" } ?? ""
                return "\(message)\(detail)"
            }
            return "\(psql.code)"
        }
        return "\(error)"
    }
}

extension DatabaseValue.Storage {
    /// SQLite's name for the value's storage class.
    fileprivate var kindName: String {
        switch self {
        case .null: "NULL"
        case .int64: "INTEGER"
        case .double: "REAL"
        case .string: "TEXT"
        case .blob: "BLOB"
        }
    }
}

/// One read transaction on a SQLite file, held open across the copy's batches.
final class SQLiteSnapshot: @unchecked Sendable {
    let path: String
    private let queue: DatabaseQueue

    init(path: String) throws {
        self.path = path
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.label = "migrate-store"
        // The read transaction spans many `inDatabase` calls, with PostgreSQL writes between them.
        configuration.allowsUnsafeTransactions = true
        do {
            queue = try DatabaseQueue(path: path, configuration: configuration)
            try queue.inDatabase { db in
                try db.execute(sql: "BEGIN DEFERRED")
                // The first read fixes the snapshot every later read sees.
                _ = try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master")
            }
        } catch let error as DatabaseError {
            throw StoreMigration.Failure("cannot read \(path): \(error.message ?? error.description)")
        }
    }

    func close() {
        try? queue.inDatabase { db in try db.execute(sql: "ROLLBACK") }
        try? queue.close()
    }

    private func read<T>(_ body: (Database) throws -> T) throws -> T {
        do {
            return try queue.inDatabase(body)
        } catch let error as DatabaseError {
            throw StoreMigration.Failure("cannot read \(path): \(error.message ?? error.description)")
        }
    }

    /// Checks that the file is a complete order-api database whose tables and columns the target has.
    func checkSchema(against target: [String: [StoreMigration.Column]]) throws {
        try read { db in
            guard try db.tableExists("grdb_migrations") else { throw StoreMigration.Failure("\(path) is not an order-api database (no migration table)") }
            let applied = try Migrations.migrator.appliedIdentifiers(db)
            let known = Set(Migrations.migrator.migrations)
            guard applied == known else {
                let missing = known.subtracting(applied).sorted()
                let unknown = applied.subtracting(known).sorted()
                throw StoreMigration.Failure(
                    unknown.isEmpty
                        ? "\(path) lacks migrations \(missing.joined(separator: ", ")); start this order-api on it once to apply them"
                        : "\(path) was written by a newer order-api (migrations \(unknown.joined(separator: ", "))); use that version")
            }
            let names = try String.fetchAll(
                db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name != 'grdb_migrations' ORDER BY name")
            let unknownTables = Set(names).subtracting(StoreMigration.tables).sorted()
            guard unknownTables.isEmpty else {
                throw StoreMigration.Failure(
                    "\(path) has tables the copier does not know: \(unknownTables.joined(separator: ", ")); nothing was copied (add them to StoreMigration.tables)"
                )
            }
            for table in StoreMigration.tables {
                let sourceColumns = Set(try db.columns(in: table).map(\.name))
                let targetColumns = Set((target[table] ?? []).map(\.name)).subtracting(StoreMigration.postgresOnlyColumns[table] ?? [])
                guard sourceColumns == targetColumns else {
                    let onlySource = sourceColumns.subtracting(targetColumns).sorted().joined(separator: ", ")
                    let onlyTarget = targetColumns.subtracting(sourceColumns).sorted().joined(separator: ", ")
                    throw StoreMigration.Failure(
                        "\(table) differs between SQLite and PostgreSQL (only in SQLite: [\(onlySource)], only in PostgreSQL: [\(onlyTarget)]); nothing was copied"
                    )
                }
            }
        }
    }

    func count(_ sql: String) throws -> Int {
        try read { db in try Int.fetchOne(db, sql: sql) ?? 0 }
    }

    /// The highest id SQLite's AUTOINCREMENT ever gave in `table` (0 if none), so ids are never reused.
    func sequenceFloor(_ table: String) throws -> Int64 {
        try read { db in
            guard try db.tableExists("sqlite_sequence") else { return 0 }
            return try Int64.fetchOne(db, sql: "SELECT seq FROM sqlite_sequence WHERE name = ?", arguments: [table]) ?? 0
        }
    }

    /// Up to `limit` rows of `table` after `rowid` `after`, and the last rowid read.
    func rows(_ table: String, columns: [String], after: Int64, limit: Int) throws -> ([[DatabaseValue]], Int64) {
        try read { db in
            let rows = try Row.fetchAll(
                db, sql: "SELECT rowid, \(columns.joined(separator: ", ")) FROM \(table) WHERE rowid > ? ORDER BY rowid LIMIT ?", arguments: [after, limit])
            let values = rows.map { row in (1...columns.count).map { row[$0] as DatabaseValue } }
            let last = rows.last.map { $0[0] as Int64 } ?? after
            return (values, last)
        }
    }
}
