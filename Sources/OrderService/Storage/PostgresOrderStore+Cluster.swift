import Foundation
import PostgresNIO

extension PostgresOrderStore: InstanceCoordination {
    public var coordination: (any InstanceCoordination)? { self }

    public func orderVersions(_ ids: [String]) async throws -> [String: Int64] {
        guard !ids.isEmpty else { return [:] }
        let logger = self.logger
        return try await client.withConnection { [self] connection in
            var versions: [String: Int64] = [:]
            for try await (id, version) in try await connection.query("SELECT id, version FROM orders WHERE id = ANY(\(ids))", logger: logger)
                .decode((String, Int64).self)
            {
                versions[id] = version
            }
            return versions
        }
    }

    public func announceCatalogChange(_ change: CatalogChange) async throws {
        let payload = change.payload(instance: listener.instanceID)
        try await client.query("SELECT pg_notify(\(PostgresClusterListener.catalogChannel), \(payload))", logger: logger)
    }

    public func observeCatalogChanges(_ observer: @escaping @Sendable (CatalogChange) -> Void) {
        listener.observeCatalogChanges(observer)
    }

    public var isListening: Bool { listener.isListening }

    public func recordAdminFailure(address: String, at: Date, since: Date) async throws -> Int {
        try await transaction { [logger] connection in
            try await connection.query("DELETE FROM admin_auth_failures WHERE address = \(address) AND at < \(since.millis)", logger: logger)
            try await connection.query("INSERT INTO admin_auth_failures (address, at) VALUES (\(address), \(at.millis))", logger: logger)
            for try await count in try await connection.query("SELECT count(*) FROM admin_auth_failures WHERE address = \(address)", logger: logger)
                .decode(Int.self)
            {
                return count
            }
            return 0
        }
    }

    public func adminFailures(address: String, since: Date) async throws -> [Date] {
        var failures: [Date] = []
        for try await at in try await client.query(
            "SELECT at FROM admin_auth_failures WHERE address = \(address) AND at >= \(since.millis) ORDER BY at", logger: logger
        ).decode(Int64.self) {
            failures.append(Date(millis: at))
        }
        return failures
    }
}
