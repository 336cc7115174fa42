import AsyncHTTPClient
import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import PaymentProtocols
import PaymentSandbox
import ServiceLifecycle
import StoreModel
import Synchronization
import Testing

@testable import OrderService

#if canImport(Glibc)
import Glibc
#endif

/// The order API and the payment sandbox as two real HTTP servers on loopback, a client that
/// behaves like a browser (no automatic redirects), and a second connection to the API's SQLite
/// file for assertions on the database.
///
/// Each world is alone: its servers listen on a loopback address no other world of this process
/// uses (see `LoopbackAddress`), and it has its own ECPay merchant, keys and Stripe secrets, so a
/// message meant for one world can neither reach nor be accepted by another. The sandbox's resends
/// run in the world's service group and end with it.
struct PaymentWorld: Sendable {
    let shop: TestShop
    let clock: TestClock
    let api: String
    let sandbox: String
    let http: HTTPClient
    let store: any OrderStore
    let secrets: Secrets
    /// Every API instance's base URL (`api` is the first); more than one shares a PostgreSQL database.
    var apis: [String] = []

    /// The gateway credentials of one world.
    struct Secrets: Sendable {
        var merchantID = String(Int.random(in: 1_000_000...9_999_999))
        var hashKey = Secrets.token(16)
        var hashIV = Secrets.token(16)
        var stripeKey = "sk_test_" + Secrets.token(24)
        var webhookSecret = "whsec_" + Secrets.token(32)

        static func token(_ count: Int) -> String {
            let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
            return String((0..<count).map { _ in alphabet.randomElement()! })
        }
    }

    var webhookSecret: String { secrets.webhookSecret }

    /// Starts both servers, runs `body`, stops them and removes the shop. With `instances` above 1,
    /// that many APIs share one PostgreSQL database (the gateway notifies the first).
    static func run(
        allowSimulatePaid: Bool = false, apiReachable: Bool = true, extraProducts: [String: String] = [:], instances: Int = 1,
        _ body: @escaping @Sendable (PaymentWorld) async throws -> Void
    ) async throws {
        if instances > 1 {
            try await StoreKind.postgres.withDatabase { database in
                try await run(
                    shop: try TestShop(database: database), allowSimulatePaid: allowSimulatePaid, apiReachable: apiReachable, extraProducts: extraProducts,
                    instances: instances, body)
            }
        } else {
            try await run(
                shop: try TestShop(), allowSimulatePaid: allowSimulatePaid, apiReachable: apiReachable, extraProducts: extraProducts, instances: 1, body)
        }
    }

    private static func run(
        shop: TestShop, allowSimulatePaid: Bool, apiReachable: Bool, extraProducts: [String: String], instances: Int,
        _ body: @escaping @Sendable (PaymentWorld) async throws -> Void
    ) async throws {
        var shop = shop
        defer { shop.cleanUp() }
        for (name, text) in extraProducts { try Data(text.utf8).write(to: URL(fileURLWithPath: shop.contentPath).appendingPathComponent("products/\(name)")) }
        let host = LoopbackAddress.unique()
        let api = "http://\(host):8081", sandbox = "http://\(host):8090/sandbox"
        let secrets = Secrets()
        shop.configuration.host = host
        shop.configuration.port = 8081
        // With the API unreachable the gateway's notifications are lost (for reconciliation): nothing
        // listens on this world's port 8082.
        shop.configuration.publicURL = apiReachable ? api : "http://\(host):8082"
        shop.configuration.storefrontURL = "https://shop.test.example"
        shop.configuration.payments = PaymentConfiguration(
            ecpay: ECPayConfiguration(
                merchantID: secrets.merchantID, hashKey: secrets.hashKey, hashIV: secrets.hashIV, environment: .sandbox(baseURL: sandbox),
                allowSimulatePaid: allowSimulatePaid),
            stripe: StripeConfiguration(secretKey: secrets.stripeKey, webhookSecret: secrets.webhookSecret, apiBase: sandbox + "/stripe"))
        var logger = Logger(label: "payment-world")
        logger.logLevel = .critical
        let clock = TestClock(start: Date())
        let apiApp = try await buildApplication(configuration: shop.configuration, logger: logger, clock: { clock.now })
        let paymentSandbox = PaymentSandbox(
            configuration: SandboxConfiguration(
                publicBaseURL: sandbox, ecpayMerchantID: secrets.merchantID, ecpayHashKey: secrets.hashKey, ecpayHashIV: secrets.hashIV,
                stripeSecretKey: secrets.stripeKey, stripeWebhookURL: api + "/payment/stripe/webhook", stripeWebhookSecret: secrets.webhookSecret,
                resendAttempts: apiReachable ? 3 : 1, resendInterval: .milliseconds(100)),
            logger: logger)
        let router = Router()
        paymentSandbox.addRoutes(to: router.group("sandbox"))
        let sandboxApp = Application(
            router: router, configuration: .init(address: .hostname(host, port: 8090)), services: paymentSandbox.services, logger: logger)
        var services: [any Service] = [apiApp, sandboxApp]
        var apis = [api]
        for index in 1..<max(1, instances) {
            var other = shop.configuration
            other.port = 8083 + index
            services.append(try await buildApplication(configuration: other, logger: logger, clock: { clock.now }))
            apis.append("http://\(host):\(other.port)")
        }
        let group = ServiceGroup(configuration: .init(services: services, logger: logger))
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        let store = try await shop.openStore(logger: logger)
        let world = PaymentWorld(shop: shop, clock: clock, api: api, sandbox: sandbox, http: http, store: store, secrets: secrets, apis: apis)
        // The servers run in a child task of this one: whatever happens in `body`, they are shut
        // down and awaited before `run` returns.
        let outcome: Result<Void, any Error> = await withTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try? await group.run() }
            let outcome: Result<Void, any Error>
            do {
                try await world.waitUntilUp()
                try await body(world)
                outcome = .success(())
            } catch {
                outcome = .failure(error)
            }
            await group.triggerGracefulShutdown()
            await tasks.waitForAll()
            return outcome
        }
        try? await store.close()
        try await http.shutdown()
        try outcome.get()
    }

    func waitUntilUp() async throws {
        for url in apis.map { $0 + "/healthz" } + [sandbox] {
            var up = false
            for _ in 0..<200 where !up {
                up = (try? await get(url).status) == 200
                if !up { try await Task.sleep(for: .milliseconds(50)) }
            }
            try #require(up, "\(url) did not come up")
        }
    }

    // MARK: HTTP like a browser

    struct Page: Sendable {
        var status: Int
        var location: String?
        var body: String
    }

    func get(_ url: String) async throws -> Page {
        try await send(HTTPClientRequest(url: url))
    }

    func post(_ url: String, form: [String: String]) async throws -> Page {
        try await post(url, body: FormEncoding.encode(form), contentType: "application/x-www-form-urlencoded")
    }

    func post(_ url: String, body: String, contentType: String, headers: [(String, String)] = []) async throws -> Page {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: contentType)
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(string: body))
        return try await send(request)
    }

    private func send(_ request: HTTPClientRequest) async throws -> Page {
        let response = try await http.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 1 << 22)
        return Page(status: Int(response.status.code), location: response.headers.first(name: "Location"), body: String(buffer: body))
    }

    /// The forms of a sandbox page: action, hidden fields and the submit button's id.
    struct Form: Sendable {
        var action: String
        var fields: [String: String]
        var button: String
    }

    static func forms(_ html: String) -> [Form] {
        html.components(separatedBy: "<form ").dropFirst().compactMap { chunk in
            guard let action = attribute("action", in: chunk) else { return nil }
            let inputs = chunk.components(separatedBy: "<input ").dropFirst()
            var fields: [String: String] = [:]
            for input in inputs {
                if let name = attribute("name", in: input) { fields[name] = attribute("value", in: input) ?? "" }
            }
            let button = chunk.components(separatedBy: "<button ").dropFirst().first.flatMap { attribute("id", in: $0) } ?? ""
            return Form(action: action, fields: fields, button: button)
        }
    }

    static func attribute(_ name: String, in tag: String) -> String? {
        guard let start = tag.range(of: " \(name)=\"") ?? tag.range(of: "\(name)=\"") else { return nil }
        let rest = tag[start.upperBound...]
        guard let end = rest.firstIndex(of: "\"") else { return nil }
        return String(rest[..<end]).replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'")
            .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&amp;", with: "&")
    }

    /// Submits the form with this button id on `page`.
    func press(_ button: String, on page: Page) async throws -> Page {
        let form = try #require(Self.forms(page.body).first { $0.button == button }, "no #\(button) on the page: \(page.body.prefix(400))")
        return try await post(form.action, form: form.fields)
    }

    // MARK: the shop

    /// Places an order through the API; returns its id and the payment step.
    func placeOrder(method: String, items: [(String, Int)] = [("APPLE-1", 2)]) async throws -> (id: String, step: JSON) {
        let body = String(buffer: Body.order(items: items, method: method))
        let page = try await post(api + "/order", body: body, contentType: "application/json")
        try #require(page.status == 201, "\(page.body)")
        let answer = JSON(ByteBuffer(string: page.body))
        return (try #require(answer["order"]["id"].string), answer["payment"])
    }

    /// `GET /order` as the shopper's order page asks it.
    func lookup(_ id: String) async throws -> JSON {
        let page = try await get(api + "/order?id=\(id)&contact=alice@example.com")
        try #require(page.status == 200, "\(page.body)")
        return JSON(ByteBuffer(string: page.body))["order"]
    }

    /// The step's form fields as a dictionary.
    static func fields(_ step: JSON) -> [String: String] {
        (step["fields"].object ?? [:]).compactMapValues { $0 as? String }
    }

    // MARK: gateway messages signed as the gateway signs them

    /// A ReturnURL notification for an attempt.
    func ecpayPaid(_ trade: String, amount: String, overrides: [String: String] = [:]) -> [String: String] {
        var fields = [
            "MerchantID": secrets.merchantID, "MerchantTradeNo": trade, "StoreID": "", "RtnCode": "1", "RtnMsg": "交易成功",
            "TradeNo": "2506151200001234", "TradeAmt": amount, "PaymentDate": "2025/06/15 12:01:00", "PaymentType": "Credit_CreditCard",
            "PaymentTypeChargeFee": "10", "TradeDate": "2025/06/15 12:00:00", "SimulatePaid": "0",
            "CustomField1": "", "CustomField2": "", "CustomField3": "", "CustomField4": "",
        ]
        fields.merge(overrides) { $1 }
        return ECPayCheckMac.signed(fields, hashKey: secrets.hashKey, hashIV: secrets.hashIV)
    }

    /// A PaymentInfoURL notification (ATM account issued).
    func ecpayPaymentInfo(_ trade: String, amount: String) -> [String: String] {
        ECPayCheckMac.signed(
            [
                "MerchantID": secrets.merchantID, "MerchantTradeNo": trade, "StoreID": "", "RtnCode": "2",
                "RtnMsg": "Get VirtualAccount Succeeded", "TradeNo": "2506151200009999", "TradeAmt": amount, "PaymentType": "ATM_TAISHIN",
                "TradeDate": "2025/06/15 12:00:00", "BankCode": "812", "vAccount": "9103522175887271", "ExpireDate": "2025/06/18",
                "CustomField1": "", "CustomField2": "", "CustomField3": "", "CustomField4": "",
            ],
            hashKey: secrets.hashKey, hashIV: secrets.hashIV)
    }

    func notify(_ fields: [String: String], path: String = "/payment/ecpay/notify", to instance: Int = 0) async throws -> String {
        try await post(apis[instance] + path, form: fields).body
    }

    /// Posts a Stripe event for a session, signed at `signedAt` (now by default).
    func stripeEvent(
        type: String, session: String, orderID: String, amount: Int64, paymentStatus: String = "paid", eventID: String = "evt_" + UUID().uuidString,
        signedAt: Date? = nil, header: ((String) -> String)? = nil, to instance: Int = 0
    ) async throws -> Page {
        let event: [String: Any] = [
            "id": eventID, "object": "event", "type": type,
            "data": [
                "object": [
                    "id": session, "object": "checkout.session", "amount_total": amount, "currency": "twd", "client_reference_id": orderID,
                    "metadata": ["order_id": orderID], "payment_status": paymentStatus,
                ] as [String: Any]
            ],
        ]
        let body = String(decoding: try JSONSerialization.data(withJSONObject: event, options: [.sortedKeys]), as: UTF8.self)
        var signature = StripeSignature.header(
            payload: Array(body.utf8), secret: secrets.webhookSecret, timestamp: Int64((signedAt ?? clock.now).timeIntervalSince1970))
        if let header { signature = header(signature) }
        return try await post(
            apis[instance] + "/payment/stripe/webhook", body: body, contentType: "application/json", headers: [("Stripe-Signature", signature)])
    }

    /// The order as stored, with its events and audit.
    func stored(_ id: String) async throws -> (order: Order, events: [OrderEvent], audit: [PaymentAuditEntry]) {
        (try await store.order(id: id), try await store.events(orderID: id), try await store.paymentAudit(orderID: id))
    }
}

/// Loopback addresses for test servers, one per call and never the same twice in a process:
/// `127.<p>.<n>.<m>`, where `<p>` comes from the process id (two test processes on one machine
/// differ) and `<n>.<m>` counts up. A server bound to its own address needs no free-port search,
/// and nothing sent to an earlier test's address can reach a later test's server.
enum LoopbackAddress {
    private static let issued = Atomic<Int>(0)

    static func unique() -> String {
        let count = issued.wrappingAdd(1, ordering: .relaxed).newValue
        let prefix = 2 + Int(getpid()) % 250
        return "127.\(prefix).\(count / 250 % 250).\(2 + count % 250)"
    }
}
