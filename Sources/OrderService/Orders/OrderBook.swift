import Crypto
import Foundation
import Logging
import NIOCore
import StoreModel

/// The order rules: placing an order (pricing it from the catalog, reserving stock, idempotency),
/// looking one up for the shopper, and changing states. Controllers translate HTTP to these calls.
public final class OrderBook: Sendable {
    let store: any OrderStore
    let catalog: CatalogProvider
    let siteStatus: SiteStatusProvider
    let payments: any PaymentStepProvider
    let expiry: [PaymentMethod: Duration]
    let clock: @Sendable () -> Date
    let metrics: AppMetrics
    /// The encoded answers of recent lookups, kept exact by the store's change notifications.
    let answers: OrderAnswerCache
    /// Checks cached answers against the database when other instances share it.
    let versions: OrderVersionChecker?

    /// Creates the order rules over their collaborators, with room for `answerCacheCapacity`
    /// cached `GET /order` answers (0 turns the cache off).
    public init(
        store: any OrderStore, catalog: CatalogProvider, siteStatus: SiteStatusProvider, payments: any PaymentStepProvider,
        expiry: [PaymentMethod: Duration], metrics: AppMetrics, answerCacheCapacity: Int = 20_000, clock: @escaping @Sendable () -> Date
    ) {
        let answers = OrderAnswerCache(capacity: answerCacheCapacity)
        store.observeOrderChanges { ids in answers.invalidate(ids) }
        self.answers = answers
        versions = store.coordination.map(OrderVersionChecker.init(source:))
        self.store = store
        self.catalog = catalog
        self.siteStatus = siteStatus
        self.payments = payments
        self.expiry = expiry
        self.metrics = metrics
        self.clock = clock
    }

    /// The answer to a placement: status and JSON body (a replay returns the first answer's bytes).
    struct Placement: Sendable {
        var status: Int
        var body: Data
        var replayed: Bool
        var orderID: String?
    }

    /// Places an order from a raw `POST /order` body.
    func place(body: Data, idempotencyKey: String?, logger: Logger) async throws -> Placement {
        let requestHash = Hex.lowercase(SHA256.hash(data: body))
        if let key = idempotencyKey, let record = try await store.idempotencyRecord(key: key) {
            return try await replay(record, requestHash: requestHash, logger: logger)
        }
        let status = siteStatus.current
        if status.status == .closed { throw APIError.shopClosed(status.message) }

        let catalog = self.catalog.current
        let request = try OrderRequest.parse(body, enabledMethods: catalog.store.paymentMethods)
        let priced: PricedCart
        switch catalog.price(request.items) {
        case .success(let cart): priced = cart
        case .failure: throw try await cartChanged(request.items, catalog: catalog, message: "Some products in the cart cannot be ordered.")
        }
        if let version = request.catalogVersion, version != catalog.version {
            let old = self.catalog.prices(version: version)
            let changed = old.map { prices in priced.lines.contains { prices[$0.sku] != $0.unitPrice.minorUnits } } ?? true
            if changed {
                throw try await cartChanged(request.items, catalog: catalog, message: "Prices changed since the cart was filled; please check the new prices.")
            }
        }

        let now = Date(millis: clock().millis)
        let newOrder = NewOrder(
            id: OrderID.make(), paymentMethod: request.paymentMethod, cart: priced, customer: request.customer,
            shippingAddress: request.shipping, note: request.note, createdAt: now,
            expiresAt: request.paymentMethod.isOnline ? expiry[request.paymentMethod].map { now.addingTimeInterval($0.seconds) } : nil)
        let firstBody = Data(OrderJSON.Created(newOrder.order).answerWithoutPaymentBytes)
        let draft = idempotencyKey.map { IdempotencyDraft(key: $0, requestHash: requestHash, responseStatus: 201, responseBody: firstBody) }

        let order: Order
        do {
            switch try await store.createOrder(newOrder, idempotency: draft) {
            case .created(let created): order = created
            case .replay(let record): return try await replay(record, requestHash: requestHash, logger: logger)
            }
        } catch StoreError.insufficientStock {
            throw try await cartChanged(request.items, catalog: catalog, message: "Some products do not have enough stock left.")
        }
        metrics.orderCreated()
        logger.info("order created", metadata: ["order": "\(order.id)", "total": "\(order.total)", "method": "\(order.paymentMethod.rawValue)"])

        var responseBody = firstBody
        if order.paymentMethod.isOnline, let step = await paymentStep(for: order, catalog: catalog, logger: logger) {
            responseBody = try JSONResponse.data(OrderJSON.CreatedAnswer(order: .init(order), payment: step))
            if let key = idempotencyKey { try await store.updateIdempotencyResponse(key: key, body: responseBody) }
        }
        return Placement(status: 201, body: responseBody, replayed: false, orderID: order.id)
    }

    private func replay(_ record: IdempotencyRecord, requestHash: String, logger: Logger) async throws -> Placement {
        guard record.requestHash == requestHash else {
            throw APIError(
                .unprocessableContent, code: "idempotency_key_reused", message: "This Idempotency-Key was already used with a different request body.")
        }
        logger.info("idempotent replay", metadata: ["order": "\(record.orderID ?? "-")"])
        return Placement(status: record.responseStatus, body: record.responseBody, replayed: true, orderID: record.orderID)
    }

    private func paymentStep(for order: Order, catalog: Catalog, logger: Logger) async -> PaymentStep? {
        do {
            return try await payments.paymentStep(for: order, catalog: catalog)
        } catch {
            logger.error("payment step failed; the order stands without one", metadata: ["order": "\(order.id)", "error": "\(error)"])
            return nil
        }
    }

    /// A 409 naming the current price and availability of every requested line.
    func cartChanged(_ items: [CartItem], catalog: Catalog, message: String) async throws -> APIError {
        let levels = try await store.stockLevels(skus: items.map(\.sku))
        let wanted = items.reduce(into: [String: Int]()) { $0[$1.sku, default: 0] += $1.quantity }
        let lines = items.map { item -> CartLineStatus in
            guard let product = catalog.product(sku: item.sku) else {
                return CartLineStatus(sku: item.sku, title: nil, available: false, stock: nil, priceMinor: nil, price: nil)
            }
            let stock = levels[product.sku]?.available
            let available = !product.draft && (stock.map { $0 >= wanted[product.sku, default: item.quantity] } ?? true)
            return CartLineStatus(
                sku: product.sku, title: product.title, available: available, stock: stock,
                priceMinor: product.price.minorUnits, price: product.price.formatted)
        }
        return APIError(.conflict, code: "cart_changed", message: message, lines: lines, catalogVersion: catalog.version)
    }

    /// The answer to every lookup that names no order: the same bytes for an unknown id and a wrong contact.
    static var noMatch: APIError { APIError.notFound("No order matches this id and contact.") }

    /// The `GET /order` body (`{"order": …}`) of the order with this id when `contact` is its
    /// e-mail (any case) or phone (digits only); otherwise 404. Served from `answers` when it can
    /// be; an unpaid order past its deadline is expired first.
    func lookupAnswer(id: String, contact: String) async throws -> ByteBuffer {
        guard OrderID.isWellFormed(id) else { throw Self.noMatch }
        if let entry = answers.entry(id, foreignWrites: store.foreignWrites), !entry.isDue(at: clock()), try await isCurrent(entry, id: id) {
            metrics.orderLookup(fromMemory: true)
            guard entry.contact.matches(contact) else { throw Self.noMatch }
            return entry.body
        }
        var (entry, order) = try await readAnswer(id)
        guard entry.contact.matches(contact) else { throw Self.noMatch }
        if entry.isDue(at: clock()) {
            _ = try await expireIfDue(order)
            (entry, order) = try await readAnswer(id)
        }
        return entry.body
    }

    /// Whether a cached answer is still the order's: always on a database only this machine
    /// writes; with other instances, when the order's version has not moved since it was read.
    private func isCurrent(_ entry: OrderAnswerCache.Entry, id: String) async throws -> Bool {
        guard let versions else { return true }
        return try await versions.version(of: id) == entry.version
    }

    /// Reads the order and its events in one transaction and offers the encoded answer to `answers`.
    private func readAnswer(_ id: String) async throws -> (OrderAnswerCache.Entry, Order) {
        metrics.orderLookup(fromMemory: false)
        let ticket = answers.beginFill(id, foreignWrites: store.foreignWrites)
        do {
            // Read before the order, so a change in between makes the entry look old, never current.
            let version = try await versions?.version(of: id)
            let (order, events) = try await store.orderWithEvents(id: id)
            var entry = OrderAnswerCache.Entry(order: order, events: events)
            entry.version = version
            answers.finishFill(ticket, with: entry, foreignWrites: store.foreignWrites)
            return (entry, order)
        } catch StoreError.orderNotFound {
            answers.finishFill(ticket, with: nil, foreignWrites: store.foreignWrites)
            throw Self.noMatch
        } catch {
            answers.finishFill(ticket, with: nil, foreignWrites: store.foreignWrites)
            throw error
        }
    }

    /// Expires an unpaid order whose deadline passed (the lazy half of expiry; the sweep is the other).
    func expireIfDue(_ order: Order) async throws -> Order {
        guard order.status == .created, let deadline = order.expiresAt, deadline <= clock() else { return order }
        do {
            return try await store.transition(
                StatusChange(orderID: order.id, to: .expired, role: .system, actor: "system", note: "not paid in time", at: clock(), expectedFrom: .created))
        } catch StoreError.illegalTransition {
            return try await store.order(id: order.id)
        }
    }

    /// Expires every unpaid order whose deadline passed; returns their ids.
    public func sweepExpired() async throws -> [String] {
        try await store.expireDueOrders(now: clock())
    }
}

extension Duration {
    /// The duration in seconds as a `TimeInterval`.
    var seconds: TimeInterval {
        let parts = components
        return TimeInterval(parts.seconds) + TimeInterval(parts.attoseconds) / 1e18
    }
}
