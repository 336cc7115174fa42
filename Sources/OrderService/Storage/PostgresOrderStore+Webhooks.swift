import Foundation
import Logging
import PostgresNIO
import StoreModel

// Webhook endpoints on PostgreSQL, as `SQLiteOrderStore+Outbox.swift` keeps them on SQLite.
// Endpoints are listed by creation time, then id in byte order (`COLLATE "C"`, as SQLite compares).

extension PostgresOrderStore {
    public func addWebhookEndpoint(_ endpoint: WebhookEndpoint) async throws {
        endpointsSeen.withLock { $0 = true }
        let events = try endpoint.eventsColumn()
        try await changing([]) {
            try await transaction { [logger] connection in
                try await connection.query(
                    """
                    INSERT INTO webhook_endpoints (id, url, events, secret, enabled, created_at)
                    VALUES (\(endpoint.id), \(endpoint.url), \(events), \(endpoint.secret), TRUE, \(endpoint.createdAt.millis))
                    """, logger: logger)
            }
        }
    }

    public func webhookEndpoints() async throws -> [WebhookEndpoint] {
        try await client.withConnection { [logger] connection in
            try await Self.endpoints(connection, "WHERE deleted_at IS NULL ORDER BY created_at, id COLLATE \"C\"", logger)
        }
    }

    public func webhookEndpoint(id: String) async throws -> WebhookEndpoint? {
        try await client.withConnection { [logger] connection in try await Self.endpoint(connection, id: id, logger) }
    }

    public func deleteWebhookEndpoint(id: String, at: Date) async throws -> Bool {
        try await changing([]) {
            try await transaction { [logger] connection in
                let rows = try await connection.query(
                    "UPDATE webhook_endpoints SET deleted_at = \(at.millis), enabled = FALSE WHERE id = \(id) AND deleted_at IS NULL RETURNING id",
                    logger: logger)
                var deleted = false
                for try await _ in rows { deleted = true }
                guard deleted else { return false }
                try await Self.failPending(endpoint: id, reason: NotificationRules.deletedEndpointReason, connection, logger)
                return true
            }
        }
    }

    public func enqueueWebhookTest(endpointID: String, at: Date) async throws -> Int64? {
        let outbox = outboxContext
        return try await changing([]) {
            try await transaction { [logger] connection in
                guard let endpoint = try await Self.endpoint(connection, id: endpointID, logger) else { return nil }
                return try await Self.recordEvent(
                    .webhookTest, data: NotificationRules.testMessage, orderID: nil, shopper: nil, at: at, outbox, connection, logger, onlyEndpoint: endpoint
                ).first
            }
        }
    }

    /// The endpoints that are on and not deleted: those events are fanned out to.
    static func activeEndpoints(_ connection: PostgresConnection, _ logger: Logger) async throws -> [WebhookEndpoint] {
        try await endpoints(connection, "WHERE enabled AND deleted_at IS NULL", logger)
    }

    /// One endpoint, unless deleted.
    static func endpoint(_ connection: PostgresConnection, id: String, _ logger: Logger) async throws -> WebhookEndpoint? {
        let rows = try await connection.query(
            "SELECT id, url, events, secret, enabled, disabled_reason, created_at FROM webhook_endpoints WHERE id = \(id) AND deleted_at IS NULL",
            logger: logger)
        for try await row in rows.decode((String, String, String?, String, Bool, String?, Int64).self) { return endpoint(row) }
        return nil
    }

    /// The endpoints selected by `clause`, a fixed `WHERE … [ORDER BY …]` without parameters.
    private static func endpoints(_ connection: PostgresConnection, _ clause: String, _ logger: Logger) async throws -> [WebhookEndpoint] {
        let rows = try await connection.query(
            "SELECT id, url, events, secret, enabled, disabled_reason, created_at FROM webhook_endpoints \(unescaped: clause)", logger: logger)
        var endpoints: [WebhookEndpoint] = []
        for try await row in rows.decode((String, String, String?, String, Bool, String?, Int64).self) { endpoints.append(endpoint(row)) }
        return endpoints
    }

    private static func endpoint(_ row: (String, String, String?, String, Bool, String?, Int64)) -> WebhookEndpoint {
        WebhookEndpoint.stored(
            id: row.0, url: row.1, events: row.2, secret: row.3, enabled: row.4, disabledReason: row.5, createdAtMillis: row.6)
    }
}
