import Foundation
import GRDB

extension SQLiteOrderStore {
    /// One SQLite file has no other instances to hear: writers on the same machine share `foreignWrites`.
    public var coordination: (any InstanceCoordination)? { nil }

    public func recordAdminFailure(address: String, at: Date, since: Date) async throws -> Int {
        try await changing([]) {
            try await pool.write { db in
                try db.execute(sql: "DELETE FROM admin_auth_failures WHERE address = ? AND at < ?", arguments: [address, since.millis])
                try db.execute(sql: "INSERT INTO admin_auth_failures (address, at) VALUES (?, ?)", arguments: [address, at.millis])
                return try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM admin_auth_failures WHERE address = ?", arguments: [address]) ?? 0
            }
        }
    }

    public func adminFailures(address: String, since: Date) async throws -> [Date] {
        try await pool.read { db in
            try Int64.fetchAll(db, sql: "SELECT at FROM admin_auth_failures WHERE address = ? AND at >= ? ORDER BY at", arguments: [address, since.millis])
                .map(Date.init(millis:))
        }
    }
}
