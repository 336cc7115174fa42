import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import ServiceLifecycle
import StoreModel

/// Builds the order API: opens the database, loads the catalog and site status, and wires the
/// routes, middleware and background services. `order-api serve` and the tests both call this.
///
/// - Parameters:
///   - configuration: where things are and how the API behaves.
///   - logger: the root logger; every request logs with its request id.
///   - paymentSteps: replaces the payment step provider built from `configuration.payments` (tests).
///   - clock: the current time (tests move it to exercise expiry).
public func buildApplication(
    configuration: OrderAPIConfiguration,
    logger: Logger,
    paymentSteps: (any PaymentStepProvider)? = nil,
    clock: @escaping @Sendable () -> Date = { Date() }
) async throws -> some ApplicationProtocol {
    let api = try await OrderAPI(configuration: configuration, logger: logger, paymentSteps: paymentSteps, clock: clock)
    return api.application(logger: logger)
}

/// Builds the order API and runs it until `SIGTERM` or `SIGINT` (`order-api serve`): on `socket`
/// when the process was given one (`InheritedSocket.take()`, systemd socket activation), else on
/// `configuration.host` and `configuration.port`.
public func runOrderAPI(configuration: OrderAPIConfiguration, logger: Logger, socket: InheritedSocket?) async throws {
    let api = try await OrderAPI(configuration: configuration, logger: logger)
    try await api.application(logger: logger).runService(on: socket, http1: api.http1)
}

/// The order API as parts, for a host that mounts it under a path prefix beside other routes
/// (`storefront serve` puts it at `/api` on the shop's own origin).
public struct OrderAPI: Sendable {
    let components: AppComponents

    /// Opens the database and loads the catalog and site status, as `buildApplication` does.
    /// Throws `PaymentConfigurationError` when the payment configuration is unusable.
    public init(
        configuration: OrderAPIConfiguration,
        logger: Logger,
        paymentSteps: (any PaymentStepProvider)? = nil,
        clock: @escaping @Sendable () -> Date = { Date() }
    ) async throws {
        components = try await AppComponents.make(configuration: configuration, logger: logger, paymentSteps: paymentSteps, clock: clock)
    }

    /// The whole API as a Hummingbird application on `configuration.host` and `configuration.port`.
    func application(logger: Logger) -> some ApplicationProtocol {
        let configuration = components.configuration
        return Application(
            router: buildRouter(components),
            server: .http1(configuration: http1),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "order-api"),
            services: services,
            logger: logger)
    }

    /// HTTP/1 guarded by `configuration.connections`, counted in `connectionCounter`.
    public var http1: HTTP1Channel.Configuration {
        .guarded(components.configuration.connections, counter: components.connections, logger: components.logger)
    }

    /// The open connections, counted against `configuration.connections` (per address unless behind a proxy).
    public var connectionCounter: ConnectionCounter { components.connections }

    /// Adds every route and its middleware to `group` (for example `router.group("api")`).
    public func addRoutes(to group: RouterGroup<AppRequestContext>) {
        var group = group
        for middleware in edgeMiddleware(components) { group = group.add(middleware: middleware) }
        OrderService.addRoutes(components, to: group)
    }

    /// The background services the API needs running: database open (PostgreSQL unreachable at
    /// start) and close, catalog reload on SIGHUP, expiry sweep, content cache writes, the
    /// content-change command.
    public var services: [any Service] {
        [
            DatabaseService(store: components.store, catalog: components.catalog, logger: components.logger),
            ContentCacheWriteService(catalog: components.catalog),
            CatalogReloadSignalService(catalog: components.catalog, logger: components.logger),
            ExpirySweepService(book: components.book, interval: components.configuration.expirySweepInterval, logger: components.logger),
            DescriptorWatch(logger: components.logger),
            components.contentChangeHook,
        ] + components.notifications.services
    }

    /// Reloads the catalog from the content directory (after a rebuild, for example).
    public func reloadCatalog() async throws {
        _ = try await components.catalog.reload()
    }
}

/// The long-lived parts of the API, built once.
struct AppComponents: Sendable {
    let configuration: OrderAPIConfiguration
    let store: any OrderStore
    let catalog: CatalogProvider
    let siteStatus: SiteStatusProvider
    let book: OrderBook
    let metrics: AppMetrics
    let openAPIDocument: Data
    let contentChangeHook: ContentChangeHook
    let payments: PaymentComponents
    let notifications: NotificationComponents
    /// The open HTTP connections (`ConnectionLimits`), also shown in `/metrics`.
    let connections: ConnectionCounter
    let logger: Logger

    static func make(
        configuration: OrderAPIConfiguration, logger: Logger, paymentSteps: (any PaymentStepProvider)?, clock: @escaping @Sendable () -> Date
    ) async throws -> AppComponents {
        try PaymentComponents.validate(configuration)
        let store = try await openStore(configuration: configuration, logger: logger)
        let catalog = try await CatalogProvider(
            contentDirectory: configuration.contentDirectory, store: store, contentCacheFile: configuration.effectiveContentCacheFile, logger: logger)
        let siteStatus = try SiteStatusProvider(path: configuration.siteStatusPath, logger: logger)
        let metrics = AppMetrics()
        let payments = PaymentComponents.make(
            configuration: configuration, store: store, catalog: catalog, paymentSteps: paymentSteps, logger: logger, clock: clock)
        let book = OrderBook(
            store: store, catalog: catalog, siteStatus: siteStatus, payments: payments.steps, expiry: configuration.orderExpiry,
            metrics: metrics, answerCacheCapacity: configuration.orderAnswerCacheEntries, clock: clock)
        let notifications = try NotificationComponents.make(configuration: configuration, store: store, catalog: catalog, logger: logger, clock: clock)
        if configuration.adminTokens.isEmpty {
            logger.warning("admin API is off: set ADMIN_TOKEN to enable it")
        }
        return AppComponents(
            configuration: configuration, store: store, catalog: catalog, siteStatus: siteStatus, book: book, metrics: metrics,
            openAPIDocument: try OpenAPIDocument.load(),
            contentChangeHook: ContentChangeHook(
                command: configuration.contentChangeCommand, workingDirectory: FileManager.default.currentDirectoryPath, logger: logger),
            payments: payments, notifications: notifications,
            connections: ConnectionCounter(limits: configuration.connections, perAddress: !configuration.trustProxy, logger: logger), logger: logger)
    }
}

/// Opens the store `configuration.database` names. PostgreSQL is opened once here; when it cannot
/// be reached the API starts anyway, answering 503 (and `/readyz` 503) while `DatabaseService`
/// keeps trying with backoff.
public func openStore(configuration: OrderAPIConfiguration, logger: Logger) async throws -> any OrderStore {
    let routing = configuration.notifications.routing
    switch configuration.database {
    case .sqlite(let path):
        return try SQLiteOrderStore(path: path, logger: logger, notifications: routing)
    case .postgres(let settings):
        let store = try PostgresOrderStore(
            unopened: settings, poolSize: configuration.databasePoolSize, logger: logger, notifications: routing,
            requestDeadline: configuration.databaseDeadline)
        do {
            try await store.open()
        } catch StoreError.databaseUnavailable {
            logger.error("PostgreSQL is not reachable; starting anyway and retrying (orders answer 503 until it is)", metadata: ["database": "\(settings)"])
        } catch {
            try? await store.close()
            throw error
        }
        return store
    }
}

/// The bundled OpenAPI document (a copy of the repository's `openapi.yaml`, kept equal by a test).
enum OpenAPIDocument {
    struct Missing: Error {}

    static func load() throws -> Data {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "yaml") else { throw Missing() }
        return try Data(contentsOf: url)
    }
}

/// Wires every route and middleware. The OpenAPI test compares `router.routes` with the document.
func buildRouter(_ components: AppComponents) -> Router<AppRequestContext> {
    let router = Router(context: AppRequestContext.self)
    // On the router itself, so unknown routes and CORS preflights get them too.
    for middleware in edgeMiddleware(components) { router.add(middleware: middleware) }
    addRoutes(components, to: router.group())
    return router
}

/// Security headers, request ids, metrics and CORS: the middleware in front of every API answer.
func edgeMiddleware(_ components: AppComponents) -> [any MiddlewareProtocol<Request, Response, AppRequestContext>] {
    let origins = components.configuration.effectiveOrigins(shopBaseURL: components.catalog.current.store.baseURL)
    return [EdgeMiddleware(), RequestMetricsMiddleware(metrics: components.metrics), AllowedOriginsMiddleware(origins: Set(origins))]
}

/// Adds the API's routes to `router`, a group at the API's root path.
func addRoutes(_ components: AppComponents, to router: RouterGroup<AppRequestContext>) {
    let configuration = components.configuration
    let addresses = ClientAddressResolver(trustProxy: configuration.trustProxy)
    let origins = configuration.effectiveOrigins(shopBaseURL: components.catalog.current.store.baseURL)

    HealthController(
        store: components.store, catalog: components.catalog, metrics: components.metrics, openAPIDocument: components.openAPIDocument,
        connections: components.connections
    )
    .addRoutes(to: router)

    let orders = router.group("order")
        .add(
            middleware: RateLimitMiddleware(
                limiter: RateLimiter(capacity: configuration.rateLimitPerMinute), addresses: addresses,
                lookups: configuration.orderLookupLimitPerMinute > 0 ? RateLimiter(capacity: configuration.orderLookupLimitPerMinute) : nil))
    OrderController(book: components.book, bodyLimit: configuration.orderBodyLimit).addRoutes(to: orders)

    let admin = router.group("admin")
        .add(
            middleware: AdminAuthMiddleware(
                tokens: configuration.adminTokens, store: components.store, failureLimit: configuration.adminFailureLimit, window: .seconds(15 * 60),
                addresses: addresses, clock: components.book.clock))
    AdminOrderController(book: components.book, bodyLimit: configuration.adminBodyLimit).addRoutes(to: admin)
    AdminSiteStatusController(siteStatus: components.siteStatus, bodyLimit: configuration.adminBodyLimit).addRoutes(to: admin)
    AdminProductController(
        catalog: components.catalog, store: components.store, bodyLimit: configuration.adminBodyLimit, contentChanged: components.contentChangeHook
    ).addRoutes(to: admin)
    AdminCatalogController(catalog: components.catalog).addRoutes(to: admin)
    AdminWebhookController(
        store: components.store, policy: components.notifications.urlPolicy, bodyLimit: configuration.adminBodyLimit, clock: components.book.clock,
        doorbell: components.notifications.dispatcher.doorbell
    )
    .addRoutes(to: admin)
    AdminDeliveryController(store: components.store, clock: components.book.clock, doorbell: components.notifications.dispatcher.doorbell).addRoutes(to: admin)
    AdminEmailController(notifications: components.notifications, catalog: components.catalog).addRoutes(to: admin)

    PaymentController(payments: components.payments, bodyLimit: configuration.paymentBodyLimit).addRoutes(to: router.group("payment"))
    components.logger.info("routes ready", metadata: ["origins": "\(origins.joined(separator: " "))"])
}
