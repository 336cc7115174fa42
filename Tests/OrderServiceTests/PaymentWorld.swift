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
import Testing

#if canImport(Glibc)
import Glibc
#endif

@testable import OrderService

/// The order API and the payment sandbox as two real HTTP servers on loopback, a client that
/// behaves like a browser (no automatic redirects), and a second connection to the API's SQLite
/// file for assertions on the database.
struct PaymentWorld: Sendable {
    let shop: TestShop
    let clock: TestClock
    let api: String
    let sandbox: String
    let http: HTTPClient
    let store: SQLiteOrderStore
    static let webhookSecret = "whsec_world_secret"
    static let hashKey = ECPayProtocol.stageHashKey
    static let hashIV = ECPayProtocol.stageHashIV

    /// Starts both servers, runs `body`, stops them and removes the shop.
    static func run(
        allowSimulatePaid: Bool = false, apiReachable: Bool = true, extraProducts: [String: String] = [:],
        _ body: @escaping @Sendable (PaymentWorld) async throws -> Void
    ) async throws {
        var shop = try TestShop()
        defer { shop.cleanUp() }
        for (name, text) in extraProducts { try Data(text.utf8).write(to: URL(fileURLWithPath: shop.contentPath).appendingPathComponent("products/\(name)")) }
        let ports = try freePorts(3)
        let api = "http://127.0.0.1:\(ports[0])", sandbox = "http://127.0.0.1:\(ports[1])/sandbox"
        shop.configuration.port = ports[0]
        // With the API unreachable the gateway's notifications are lost (for reconciliation).
        shop.configuration.publicURL = apiReachable ? api : "http://127.0.0.1:\(ports[2])"
        shop.configuration.storefrontURL = "https://shop.test.example"
        shop.configuration.payments = PaymentConfiguration(
            ecpay: ECPayConfiguration(environment: .sandbox(baseURL: sandbox), allowSimulatePaid: allowSimulatePaid),
            stripe: StripeConfiguration(secretKey: "sk_test_world", webhookSecret: webhookSecret, apiBase: sandbox + "/stripe"))
        var logger = Logger(label: "payment-world")
        logger.logLevel = .critical
        let clock = TestClock(start: Date())
        let apiApp = try await buildApplication(configuration: shop.configuration, logger: logger, clock: { clock.now })
        let paymentSandbox = PaymentSandbox(
            configuration: SandboxConfiguration(
                publicBaseURL: sandbox, stripeSecretKey: "sk_test_world", stripeWebhookURL: api + "/payment/stripe/webhook",
                stripeWebhookSecret: webhookSecret, resendAttempts: apiReachable ? 3 : 1, resendInterval: .milliseconds(100)),
            logger: logger)
        let router = Router()
        paymentSandbox.addRoutes(to: router.group("sandbox"))
        let sandboxApp = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: ports[1])), logger: logger)
        let group = ServiceGroup(configuration: .init(services: [apiApp, sandboxApp], logger: logger))
        let running = Task { try await group.run() }
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        var store: SQLiteOrderStore?
        do {
            let world0 = PaymentWorld(shop: shop, clock: clock, api: api, sandbox: sandbox, http: http, store: try SQLiteOrderStore(path: shop.configuration.databasePath, logger: logger))
            store = world0.store
            try await world0.waitUntilUp()
            try await body(world0)
        } catch {
            try? await store?.close()
            await group.triggerGracefulShutdown()
            _ = await running.result
            try? await http.shutdown()
            throw error
        }
        try? await store?.close()
        await group.triggerGracefulShutdown()
        _ = await running.result
        try await http.shutdown()
    }

    func waitUntilUp() async throws {
        for url in [api + "/healthz", sandbox] {
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
            "MerchantID": ECPayProtocol.stageMerchantID, "MerchantTradeNo": trade, "StoreID": "", "RtnCode": "1", "RtnMsg": "交易成功",
            "TradeNo": "2506151200001234", "TradeAmt": amount, "PaymentDate": "2025/06/15 12:01:00", "PaymentType": "Credit_CreditCard",
            "PaymentTypeChargeFee": "10", "TradeDate": "2025/06/15 12:00:00", "SimulatePaid": "0",
            "CustomField1": "", "CustomField2": "", "CustomField3": "", "CustomField4": "",
        ]
        fields.merge(overrides) { $1 }
        return ECPayCheckMac.signed(fields, hashKey: Self.hashKey, hashIV: Self.hashIV)
    }

    /// A PaymentInfoURL notification (ATM account issued).
    func ecpayPaymentInfo(_ trade: String, amount: String) -> [String: String] {
        ECPayCheckMac.signed(
            [
                "MerchantID": ECPayProtocol.stageMerchantID, "MerchantTradeNo": trade, "StoreID": "", "RtnCode": "2",
                "RtnMsg": "Get VirtualAccount Succeeded", "TradeNo": "2506151200009999", "TradeAmt": amount, "PaymentType": "ATM_TAISHIN",
                "TradeDate": "2025/06/15 12:00:00", "BankCode": "812", "vAccount": "9103522175887271", "ExpireDate": "2025/06/18",
                "CustomField1": "", "CustomField2": "", "CustomField3": "", "CustomField4": "",
            ],
            hashKey: Self.hashKey, hashIV: Self.hashIV)
    }

    func notify(_ fields: [String: String], path: String = "/payment/ecpay/notify") async throws -> String {
        try await post(api + path, form: fields).body
    }

    /// Posts a Stripe event for a session, signed at `signedAt` (now by default).
    func stripeEvent(
        type: String, session: String, orderID: String, amount: Int64, paymentStatus: String = "paid", eventID: String = "evt_" + UUID().uuidString,
        signedAt: Date? = nil, header: ((String) -> String)? = nil
    ) async throws -> Page {
        let event: [String: Any] = [
            "id": eventID, "object": "event", "type": type,
            "data": ["object": [
                "id": session, "object": "checkout.session", "amount_total": amount, "currency": "twd", "client_reference_id": orderID,
                "metadata": ["order_id": orderID], "payment_status": paymentStatus,
            ] as [String: Any]],
        ]
        let body = String(decoding: try JSONSerialization.data(withJSONObject: event, options: [.sortedKeys]), as: UTF8.self)
        var signature = StripeSignature.header(payload: Array(body.utf8), secret: Self.webhookSecret, timestamp: Int64((signedAt ?? clock.now).timeIntervalSince1970))
        if let header { signature = header(signature) }
        return try await post(api + "/payment/stripe/webhook", body: body, contentType: "application/json", headers: [("Stripe-Signature", signature)])
    }

    /// The order as stored, with its events and audit.
    func stored(_ id: String) async throws -> (order: Order, events: [OrderEvent], audit: [PaymentAuditEntry]) {
        (try await store.order(id: id), try await store.events(orderID: id), try await store.paymentAudit(orderID: id))
    }
}

/// Free TCP ports on 127.0.0.1 (bound, read, released).
func freePorts(_ count: Int) throws -> [Int] {
    var sockets: [Int32] = []
    defer { for socket in sockets { close(socket) } }
    var ports: [Int] = []
    for _ in 0..<count {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        sockets.append(fd)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        try #require(bound, "could not bind a loopback port")
        ports.append(Int(UInt16(bigEndian: address.sin_port)))
    }
    return ports
}
