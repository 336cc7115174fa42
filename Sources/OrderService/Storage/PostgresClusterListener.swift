import Logging
import NIOCore
import NIOSSL
import PostgresNIO
import Synchronization

/// One connection of its own that LISTENs to what the other instances on the database announce:
/// `storefront_orders` (an order's id, sent by the `orders` trigger when a change commits) and
/// `storefront_catalog` (an instance reloaded its catalog). It reconnects by itself, with backoff,
/// and after a gap (when announcements may have been missed) tells the catalog observers, since a
/// reload may have been missed. Missed order changes need nothing: cached answers are checked
/// against the orders' versions before use (`OrderVersionChecker`); these ids only evict early.
final class PostgresClusterListener: Sendable {
    /// The channel of order changes; the payload is the order id.
    static let ordersChannel = "storefront_orders"
    /// The channel of catalog reloads; the payload is the announcing instance's id and what changed (`CatalogChange`).
    static let catalogChannel = "storefront_catalog"

    /// This instance's id, so it can ignore its own catalog announcements.
    let instanceID = RandomID.make(prefix: "inst_")
    private let configuration: PostgresConnection.Configuration
    private let logger: Logger
    private let task = Mutex<Task<Void, Never>?>(nil)
    private let catalogObservers = Mutex<[@Sendable (CatalogChange) -> Void]>([])
    /// Whether the listening connection is up.
    private let listening = Atomic<Bool>(false)

    init(settings: PostgresSettings, tls: TLSConfiguration?, logger: Logger) throws {
        var configuration: PostgresConnection.Configuration
        switch settings.endpoint {
        case .tcp(let host, let port):
            let connectionTLS: PostgresConnection.Configuration.TLS = try tls.map { .require(try NIOSSLContext(configuration: $0)) } ?? .disable
            configuration = .init(
                host: host, port: port, username: settings.username, password: settings.password, database: settings.database, tls: connectionTLS)
        case .unixSocket:
            configuration = .init(
                unixSocketPath: settings.unixSocketPath ?? "", username: settings.username, password: settings.password, database: settings.database)
        }
        configuration.options.connectTimeout = .seconds(3)
        self.configuration = configuration
        self.logger = logger
    }

    /// Whether announcements are being heard now.
    var isListening: Bool { listening.load(ordering: .relaxed) }

    /// Calls `observer` when another instance reloaded its catalog, or after a gap in listening.
    func observeCatalogChanges(_ observer: @escaping @Sendable (CatalogChange) -> Void) {
        catalogObservers.withLock { $0.append(observer) }
    }

    /// Starts listening (once): `onOrders` gets the ids of orders changed on any instance.
    func start(onOrders: @escaping @Sendable ([String]) -> Void) {
        task.withLock { task in
            guard task == nil else { return }
            task = Task { await self.listen(onOrders: onOrders) }
        }
    }

    /// Stops listening and waits for the connection to close.
    func stop() async {
        let running = task.withLock { task -> Task<Void, Never>? in
            defer { task = nil }
            return task
        }
        running?.cancel()
        await running?.value
    }

    private func listen(onOrders: @escaping @Sendable ([String]) -> Void) async {
        var pause: Duration = .milliseconds(100)
        var resumed = false
        while !Task.isCancelled {
            do {
                let connection = try await PostgresConnection.connect(configuration: configuration, id: 0, logger: logger)
                let afterGap = resumed
                resumed = true
                pause = .milliseconds(100)
                defer { Task { try? await connection.close() } }
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        try await connection.listen(on: Self.catalogChannel) { notifications in
                            for try await notification in notifications {
                                let (instance, change) = CatalogChange.parse(payload: notification.payload)
                                if instance != self.instanceID { self.catalogChanged(change) }
                            }
                        }
                    }
                    group.addTask {
                        try await connection.listen(on: Self.ordersChannel) { notifications in
                            // Heard from now on; anything before (a first start or a gap) may have been missed.
                            self.listening.store(true, ordering: .relaxed)
                            if afterGap { self.catalogChanged(.all) }
                            for try await notification in notifications { onOrders([notification.payload]) }
                        }
                    }
                    try await group.next()
                    group.cancelAll()
                }
            } catch {
                if Task.isCancelled { break }
                logger.warning("not hearing other instances; reconnecting", metadata: ["error": "\(error)", "retry_in": "\(pause)"])
            }
            listening.store(false, ordering: .relaxed)
            try? await Task.sleep(for: pause)
            pause = min(pause * 2, .seconds(5))
        }
        listening.store(false, ordering: .relaxed)
    }

    private func catalogChanged(_ change: CatalogChange) {
        for observer in catalogObservers.withLock({ $0 }) { observer(change) }
    }
}
