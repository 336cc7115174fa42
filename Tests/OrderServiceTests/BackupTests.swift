import Foundation
import GRDB
import Logging
import StoreModel
import Testing

@testable import OrderService

@Suite("Backups, restores and the database lock", .timeLimit(.minutes(2)))
struct BackupTests {
    static func order(_ quantity: Int) -> NewOrder {
        .sample(quantity: quantity, unitMinor: 250, method: .cashOnDelivery)
    }

    @Test("a backup of an open database holds its orders, passes the checks and is one file; restore refuses while it is open")
    func backupThenRestore() async throws {
        let shop = try TestShop()
        defer { shop.cleanUp() }
        let path = shop.path("data/orders.sqlite")
        let store = try SQLiteOrderStore(path: path, logger: Logger(label: "test"))
        try await store.seedStock(["X": 100])
        for quantity in 1...5 { _ = try await store.createOrder(Self.order(quantity), idempotency: nil) }

        let backup = shop.path("backup.sqlite")
        let report = try DatabaseBackup.backup(database: path, to: backup)
        #expect(report.orders == 5)
        #expect(report.migrations == Migrations.migrator.migrations && report.pendingMigrations.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: backup + "-wal"))
        #expect(throws: DatabaseBackup.Failure.self) { try DatabaseBackup.backup(database: path, to: backup) }

        _ = try await store.createOrder(Self.order(1), idempotency: nil)
        let refused = #expect(throws: DatabaseBackup.Failure.self) { try DatabaseBackup.restore(from: backup, database: path) }
        #expect(refused?.description.contains("stop the server first") == true)
        try await store.close()

        let restored = try DatabaseBackup.restore(from: backup, database: path, now: Date(timeIntervalSince1970: 1_750_000_000))
        #expect(restored.restored.orders == 5)
        #expect(restored.previousKeptAt == path + ".before-restore-20250615T150640Z")
        #expect(try DatabaseBackup.check(try #require(restored.previousKeptAt)).orders == 6, "the replaced database is kept whole")
        let reopened = try SQLiteOrderStore(path: path, logger: Logger(label: "test"))
        let level = try #require(try await reopened.stockLevels()["X"])
        #expect(level.reserved == 15 && level.available == 85)
        try await reopened.close()
    }

    @Test("a server cannot open a database that a restore holds")
    func lockKeepsServersOut() throws {
        let shop = try TestShop()
        defer { shop.cleanUp() }
        let path = shop.path("data/orders.sqlite")
        try FileManager.default.createDirectory(atPath: shop.path("data"), withIntermediateDirectories: true)
        let restoreLock = try DatabaseLock(databasePath: path, exclusive: true)
        #expect(throws: DatabaseLock.Busy.self) { _ = try SQLiteOrderStore(path: path, logger: Logger(label: "test")) }
        restoreLock.release()
        #expect(throws: Never.self) { _ = try SQLiteOrderStore(path: path, logger: Logger(label: "test")) }
    }

    @Test("failed admin logins are held back longer from the fourth on, up to 3 s")
    func adminPenalty() {
        #expect((0...3).map(AdminAuthMiddleware.penalty(afterFailures:)) == [.zero, .zero, .zero, .zero])
        #expect(AdminAuthMiddleware.penalty(afterFailures: 4) == .milliseconds(200))
        #expect(AdminAuthMiddleware.penalty(afterFailures: 6) == .milliseconds(800))
        #expect(AdminAuthMiddleware.penalty(afterFailures: 9) == .milliseconds(3_000))
        #expect(AdminAuthMiddleware.penalty(afterFailures: 1_000) == .milliseconds(3_000))
    }
}
