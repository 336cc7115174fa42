import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import StoreModel
import Synchronization
import Testing

@testable import OrderService

/// A throw-away shop: a copy of the fixture content, a fresh SQLite file and a site-status file in
/// a temporary directory.
struct TestShop {
    let root: URL
    var configuration: OrderAPIConfiguration
    let clock = TestClock()

    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/content")
    static let adminToken = "test-admin-token-0123456789"

    /// A shop on `database` (a PostgreSQL URL from `StoreKind.withDatabase`), or on a fresh SQLite file in its folder.
    init(
        adminTokens: [String] = [TestShop.adminToken], rateLimit: Int = 0, siteStatus: String = #"{"status": "open", "message": "", "announcement": ""}"#,
        database: String? = nil
    ) throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("order-api-test-" + UUID().uuidString)
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: Self.fixtures, to: root.appendingPathComponent("content"))
        try Data(siteStatus.utf8).write(to: root.appendingPathComponent("site-status.json"))
        var configuration = OrderAPIConfiguration()
        configuration.host = "127.0.0.1"
        configuration.port = 0
        configuration.contentDirectory = root.appendingPathComponent("content").path
        configuration.siteStatusPath = root.appendingPathComponent("site-status.json").path
        configuration.database = try DatabaseLocation.parse(database ?? root.appendingPathComponent("data/orders.sqlite").path, setting: "test")
        configuration.contentCacheFile = root.appendingPathComponent("data/content.cache").path
        configuration.databaseDeadline = .seconds(30)  // the suite runs in parallel on a small machine
        configuration.adminTokens = adminTokens
        configuration.rateLimitPerMinute = rateLimit
        configuration.trustProxy = true
        configuration.allowedOrigins = ["https://shop.test.example"]
        self.configuration = configuration
    }

    var contentPath: String { configuration.contentDirectory }

    func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }

    func app(paymentSteps: any PaymentStepProvider = NoPaymentStepProvider()) async throws -> some ApplicationProtocol {
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        let clock = self.clock
        return try await buildApplication(configuration: configuration, logger: logger, paymentSteps: paymentSteps, clock: { clock.now })
    }

    /// Runs `body` against the router (no sockets).
    func withRouter<T: Sendable>(
        paymentSteps: any PaymentStepProvider = NoPaymentStepProvider(), _ body: @escaping @Sendable (any TestClientProtocol) async throws -> T
    ) async throws -> T {
        let app = try await app(paymentSteps: paymentSteps)
        return try await app.test(.router) { client in try await body(client) }
    }

    /// Another store on the shop's database, as a second process or instance would open it.
    func openStore(logger: Logger = Logger(label: "test")) async throws -> any OrderStore {
        try await OrderService.openStore(configuration: configuration, logger: logger)
    }

    func cleanUp() {
        try? FileManager.default.removeItem(at: root)
    }
}

/// A clock the tests move by hand.
final class TestClock: Sendable {
    private let current: Mutex<Date>
    init(start: Date = Date(timeIntervalSince1970: 1_750_000_000)) { current = Mutex(start) }
    var now: Date { current.withLock { $0 } }
    func advance(by seconds: TimeInterval) { current.withLock { $0 = $0.addingTimeInterval(seconds) } }
}

/// A decoded JSON answer.
struct JSON: @unchecked Sendable {
    let value: Any?

    init(_ buffer: ByteBuffer) {
        value = try? JSONSerialization.jsonObject(with: Data(buffer: buffer), options: [.fragmentsAllowed])
    }

    init(any: Any?) { value = any }

    subscript(key: String) -> JSON { JSON(any: (value as? [String: Any])?[key]) }
    subscript(index: Int) -> JSON {
        guard let array = value as? [Any], index < array.count else { return JSON(any: nil) }
        return JSON(any: array[index])
    }

    var string: String? { value as? String }
    var int: Int? { (value as? NSNumber).map { $0.intValue } }
    var bool: Bool? { (value as? NSNumber).map { $0.boolValue } }
    var array: [JSON] { (value as? [Any])?.map { JSON(any: $0) } ?? [] }
    var object: [String: Any]? { value as? [String: Any] }
    var isNull: Bool { value is NSNull }
    var exists: Bool { value != nil }
}

extension ByteBuffer {
    var text: String { String(buffer: self) }
}

/// Request bodies.
enum Body {
    static func order(
        items: [(String, Int)] = [("APPLE-1", 2)], method: String = "cash_on_delivery", email: String = "Alice@Example.com",
        phone: String = "0912-345-678", name: String = "王小明", catalogVersion: String? = nil, extra: [String: Any] = [:]
    ) -> ByteBuffer {
        var object: [String: Any] = [
            "items": items.map { ["sku": $0.0, "quantity": $0.1] },
            "customer": ["name": name, "email": email, "phone": phone],
            "shipping": ["postalCode": "742", "city": "台南市", "address": "大內區頭社里 88 號"],
            "paymentMethod": method,
            "note": "請放門口",
        ]
        if let catalogVersion { object["catalogVersion"] = catalogVersion }
        for (key, value) in extra { object[key] = value }
        return json(object)
    }

    static func json(_ object: Any) -> ByteBuffer {
        ByteBuffer(data: try! JSONSerialization.data(withJSONObject: object))
    }
}

extension HTTPFields {
    static var admin: HTTPFields { [.authorization: "Bearer \(TestShop.adminToken)", .contentType: "application/json"] }
    static var json: HTTPFields { [.contentType: "application/json"] }

    static func from(_ address: String) -> HTTPFields { [HTTPField.Name("X-Forwarded-For")!: address, .contentType: "application/json"] }
}

extension TestClientProtocol {
    /// Places an order and returns the decoded answer, expecting 201.
    @discardableResult
    func placeOrder(_ body: ByteBuffer = Body.order(), headers: HTTPFields = .json, sourceLocation: SourceLocation = #_sourceLocation) async throws -> JSON {
        try await execute(uri: "/order", method: .post, headers: headers, body: body) { response in
            #expect(response.status == .created, "\(response.body.text)", sourceLocation: sourceLocation)
            return JSON(response.body)
        }
    }

    /// The live stock of a SKU from the admin products list (`nil` when untracked).
    func available(_ sku: String) async throws -> Int? {
        try await execute(uri: "/admin/products?q=\(sku)", method: .get, headers: .admin) { response in
            let product = JSON(response.body)["products"].array.first { $0["sku"].string == sku }
            return product?["stock"]["available"].int
        }
    }
}

extension NewOrder {
    /// An order of `quantity` units of SKU `X` at `unitMinor` TWD minor units, for store-level tests.
    static func sample(quantity: Int, unitMinor: Int64, method: PaymentMethod, expiresAt: Date? = nil) -> NewOrder {
        let twd = Currency(code: "TWD")!
        let price = Money(minorUnits: unitMinor, currency: twd)
        let cart = PricedCart(
            lines: [PricedLine(sku: "X", title: "X", quantity: quantity, unitPrice: price, lineTotal: price * quantity)],
            subtotal: price * quantity, shipping: .zero(twd), total: price * quantity, catalogVersion: "v")
        return NewOrder(
            id: OrderID.make(), paymentMethod: method, cart: cart, customer: Customer(name: "n", email: "e@example.com", phone: "0912345678"),
            shippingAddress: ShippingAddress(postalCode: "", city: "c", address: "a"), note: "", createdAt: Date(millis: 1_000), expiresAt: expiresAt)
    }
}
