import Foundation
import Logging
import Testing

@testable import OrderService

/// The stores the contract tests run against: every store test takes a `StoreKind` argument, so
/// SQLite and PostgreSQL keep the same behaviour.
enum StoreKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite
    case postgres

    var testDescription: String { rawValue }

    /// A fresh, empty database of this kind for `body`: the path of a new SQLite file or the URL
    /// of a new PostgreSQL database. Removed afterwards, whatever `body` did.
    func withDatabase<T>(_ body: (String) async throws -> T) async throws -> T {
        switch self {
        case .sqlite:
            let root = FileManager.default.temporaryDirectory.appendingPathComponent("store-test-" + UUID().uuidString)
            defer { try? FileManager.default.removeItem(at: root) }
            return try await body(root.appendingPathComponent("orders.sqlite").path)
        case .postgres:
            return try await PostgresTestCluster.with { cluster in try await body(cluster.url) }
        }
    }

    /// Opens a store of this kind on `database` (from `withDatabase`).
    static func open(_ database: String, notifications: NotificationRouting = .webhooksOnly, poolSize: Int = 4) async throws -> any OrderStore {
        var logger = Logger(label: "store-test")
        logger.logLevel = .warning
        switch try DatabaseLocation.parse(database, setting: "test") {
        case .sqlite(let path): return try SQLiteOrderStore(path: path, logger: logger, notifications: notifications)
        case .postgres(let settings):
            return try await PostgresOrderStore(
                settings: settings, poolSize: poolSize, logger: logger, notifications: notifications, requestDeadline: .seconds(30))
        }
    }

    /// A fresh store of this kind for `body`, closed and removed afterwards.
    func withStore<T>(notifications: NotificationRouting = .webhooksOnly, _ body: (any OrderStore) async throws -> T) async throws -> T {
        try await withDatabase { database in
            let store = try await Self.open(database, notifications: notifications)
            do {
                let value = try await body(store)
                try await store.close()
                return value
            } catch {
                try? await store.close()
                throw error
            }
        }
    }

    /// A fresh `TestShop` on a fresh database of this kind for `body`, removed afterwards.
    func withShop<T>(
        adminTokens: [String] = [TestShop.adminToken], rateLimit: Int = 0, _ body: (TestShop) async throws -> T
    ) async throws -> T {
        try await withDatabase { database in
            let shop = try TestShop(adminTokens: adminTokens, rateLimit: rateLimit, database: self == .postgres ? database : nil)
            defer { shop.cleanUp() }
            return try await body(shop)
        }
    }
}
