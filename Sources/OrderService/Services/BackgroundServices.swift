import Foundation
import Logging
import ServiceLifecycle
import UnixSignals

/// Expires unpaid orders on a schedule and gives their stock back.
struct ExpirySweepService: Service {
    let book: OrderBook
    let interval: Duration
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    let expired = try await book.sweepExpired()
                    if !expired.isEmpty {
                        logger.info("expired unpaid orders", metadata: ["count": "\(expired.count)", "orders": "\(expired.joined(separator: ","))"])
                    }
                } catch {
                    logger.error("expiry sweep failed", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: interval)
            }
        }
    }
}

/// Reloads the catalog on `SIGHUP`.
struct CatalogReloadSignalService: Service {
    let catalog: CatalogProvider
    let logger: Logger

    func run() async throws {
        let signals = await UnixSignalsSequence(trapping: .sighup)
        await cancelWhenGracefulShutdown {
            for await _ in signals {
                do {
                    try await catalog.reload()
                } catch {
                    logger.error("catalog reload on SIGHUP failed; keeping the previous catalog", metadata: ["error": "\(error)"])
                }
            }
        }
    }
}

/// Opens a PostgreSQL store that could not be reached at start (retrying with backoff, from 0.25 s
/// to 5 s, then adding the catalog's stock rows), and closes the database after the server has
/// stopped (services shut down in reverse order, and the HTTP server is the last one started).
struct DatabaseService: Service {
    let store: any OrderStore
    let catalog: CatalogProvider
    let logger: Logger

    func run() async throws {
        if let postgres = store as? PostgresOrderStore, !postgres.isOpen {
            await cancelWhenGracefulShutdown { await open(postgres) }
        }
        try? await gracefulShutdown()
        do {
            try await store.close()
            logger.info("database closed")
        } catch {
            logger.error("database close failed", metadata: ["error": "\(error)"])
        }
    }
}

extension DatabaseService {
    private func open(_ store: PostgresOrderStore) async {
        var pause: Duration = .milliseconds(250)
        while !Task.isCancelled {
            do {
                try await store.open()
                try await catalog.seedStock()
                logger.info("PostgreSQL reachable; the API is ready")
                return
            } catch {
                logger.warning("PostgreSQL not reachable yet", metadata: ["error": "\(error)", "retry_in": "\(pause)"])
            }
            try? await Task.sleep(for: pause)
            pause = min(pause * 2, .seconds(5))
        }
    }
}

/// Writes the content cache after a catalog load returned (`CatalogProvider.cacheWrites`). On
/// graceful shutdown the writes already queued finish, so the next start still finds the cache.
struct ContentCacheWriteService: Service {
    let catalog: CatalogProvider

    func run() async throws {
        await withGracefulShutdownHandler {
            await catalog.cacheWrites.run()
        } onGracefulShutdown: {
            catalog.cacheWrites.finish()
        }
    }
}
