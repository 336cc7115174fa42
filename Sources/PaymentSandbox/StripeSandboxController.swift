import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import PaymentProtocols

/// The sandbox's Stripe: `POST /v1/checkout/sessions` (secret key, idempotency keys), a hosted
/// page that pays or cancels, and signed webhook events.
struct StripeSandboxController<Context: RequestContext>: Sendable {
    let configuration: SandboxConfiguration
    let ledger: SandboxLedger
    let notifier: Notifier
    let logger: Logger

    func addRoutes(to group: RouterGroup<Context>) {
        group.post("stripe/v1/checkout/sessions", use: createSession)
        group.get("stripe/v1/checkout/sessions/:session", use: retrieveSession)
        group.get("stripe/pay/:session", use: hostedPage)
        group.post("stripe/pay/:session", use: pay)
        group.post("stripe/sessions/:session/expire", use: expire)
    }

    // MARK: API

    @Sendable func createSession(_ request: Request, context: Context) async throws -> Response {
        guard authenticated(request) else { return Self.error(.unauthorized, "Invalid API Key provided.") }
        let raw = String(buffer: try await request.body.collect(upTo: 64 * 1024))
        guard let pairs = FormEncoding.decodePairs(raw) else { return Self.error(.badRequest, "The body is not form-encoded.") }
        let key = request.headers[HTTPField.Name("Idempotency-Key")!]
        let requestHash = SHA256.hash(data: Data(raw.utf8)).map { String(format: "%02x", $0) }.joined()
        if let key, let previous = await ledger.idempotentResponse(key: key) {
            guard previous.requestHash == requestHash else {
                return Self.error(
                    .badRequest, "Keys for idempotent requests can only be used with the same parameters they were first used with.", type: "idempotency_error")
            }
            return Self.json(previous.response, replayed: true)
        }
        let parameters = Dictionary(pairs, uniquingKeysWith: { $1 })
        guard parameters["mode"] == "payment" else { return Self.error(.badRequest, "mode must be payment.", param: "mode") }
        guard let success = parameters["success_url"], !success.isEmpty else {
            return Self.error(.badRequest, "Missing required param: success_url.", param: "success_url")
        }
        var total: Int64 = 0
        var currency: String?
        var index = 0
        while parameters["line_items[\(index)][quantity]"] != nil || parameters["line_items[\(index)][price_data][unit_amount]"] != nil {
            let prefix = "line_items[\(index)]"
            guard let amount = parameters["\(prefix)[price_data][unit_amount]"].flatMap(Int64.init), amount >= 0 else {
                return Self.error(.badRequest, "Invalid integer: unit_amount.", param: "\(prefix)[price_data][unit_amount]")
            }
            guard let quantity = parameters["\(prefix)[quantity]"].flatMap(Int64.init), quantity > 0 else {
                return Self.error(.badRequest, "Invalid integer: quantity.", param: "\(prefix)[quantity]")
            }
            guard let lineCurrency = parameters["\(prefix)[price_data][currency]"], currency == nil || currency == lineCurrency else {
                return Self.error(.badRequest, "All line items must have one currency.", param: "\(prefix)[price_data][currency]")
            }
            guard !(parameters["\(prefix)[price_data][product_data][name]"] ?? "").isEmpty else {
                return Self.error(.badRequest, "Missing required param: product_data[name].", param: "\(prefix)[price_data][product_data][name]")
            }
            currency = lineCurrency
            total += amount * quantity
            index += 1
        }
        guard let currency, index > 0 else { return Self.error(.badRequest, "Missing required param: line_items.", param: "line_items") }
        let session = SandboxSession(
            id: "cs_test_" + SandboxIDs.alphanumeric(24), parameters: parameters, amountTotal: total, currency: currency.lowercased(), createdAt: Date())
        await ledger.addSession(session)
        let body = Self.encode(sessionObject(session))
        if let key { await ledger.storeIdempotentResponse(key: key, requestHash: requestHash, response: body) }
        logger.info("stripe session created", metadata: ["session": "\(session.id)", "amount": "\(total)", "currency": "\(currency)"])
        return Self.json(body, replayed: false)
    }

    @Sendable func retrieveSession(_ request: Request, context: Context) async throws -> Response {
        guard authenticated(request) else { return Self.error(.unauthorized, "Invalid API Key provided.") }
        guard let session = await session(context) else { return Self.error(.notFound, "No such checkout.session.") }
        return Self.json(Self.encode(sessionObject(session)), replayed: false)
    }

    // MARK: hosted page

    @Sendable func hostedPage(_ request: Request, context: Context) async throws -> Response {
        guard let session = await session(context) else { throw HTTPError(.notFound) }
        var body = """
            <h1>Stripe Checkout</h1><dl><dt>Session</dt><dd class="mono">\(HTML.escape(session.id))</dd>
            <dt>Amount</dt><dd id="amount">\(session.amountTotal) \(HTML.escape(session.currency.uppercased())) (minor units)</dd></dl>
            """
        if session.state == .open {
            body += HTML.form(action: "\(configuration.stripeAPIBase)/pay/\(session.id)", buttonID: "pay", label: "Pay")
            if let cancel = session.parameters["cancel_url"] { body += #"<p><a id="cancel" href="\#(HTML.escape(cancel))">Cancel</a></p>"# }
        } else {
            body += #"<p id="state">\#(session.state.rawValue)</p>"#
        }
        return HTML.response(HTML.page(title: "Stripe Checkout", body: body))
    }

    @Sendable func pay(_ request: Request, context: Context) async throws -> Response {
        guard let before = await session(context) else { throw HTTPError(.notFound) }
        let session = await ledger.updateSession(before.id) { if $0.state == .open { $0.state = .complete } } ?? before
        guard session.state == .complete else { throw HTTPError(.conflict, message: "This session is \(session.state.rawValue).") }
        if before.state == .open { await send(event: "checkout.session.completed", session: session) }
        let success = (session.parameters["success_url"] ?? "").replacingOccurrences(of: "{CHECKOUT_SESSION_ID}", with: session.id)
        return HTML.redirect(success)
    }

    /// A sandbox control: expires an open session and sends `checkout.session.expired`.
    @Sendable func expire(_ request: Request, context: Context) async throws -> Response {
        guard let before = await session(context) else { throw HTTPError(.notFound) }
        let session = await ledger.updateSession(before.id) { if $0.state == .open { $0.state = .expired } } ?? before
        if before.state == .open { await send(event: "checkout.session.expired", session: session) }
        return Self.json(Self.encode(sessionObject(session)), replayed: false)
    }

    // MARK: events

    func send(event type: String, session: SandboxSession) async {
        guard let url = configuration.stripeWebhookURL else {
            logger.warning("no Stripe webhook URL configured; event not sent", metadata: ["type": "\(type)"])
            return
        }
        let event: [String: Any] = [
            "id": "evt_" + SandboxIDs.alphanumeric(24), "object": "event", "type": type, "livemode": false,
            "created": Int(Date().timeIntervalSince1970), "api_version": "2024-06-20", "data": ["object": sessionObject(session)],
        ]
        let body = Self.encode(event)
        let header = StripeSignature.header(
            payload: Array(body.utf8), secret: configuration.stripeWebhookSecret, timestamp: Int64(Date().timeIntervalSince1970))
        logger.info("stripe event", metadata: ["type": "\(type)", "session": "\(session.id)"])
        await notifier.deliver(
            .init(url: url, body: body, contentType: "application/json", headers: [(StripeSignature.headerName, header)], acknowledgement: .stripe))
    }

    func sessionObject(_ session: SandboxSession) -> [String: Any] {
        let metadata = session.parameters.filter { $0.key.hasPrefix("metadata[") && $0.key.hasSuffix("]") }
            .reduce(into: [String: String]()) { $0[String($1.key.dropFirst(9).dropLast())] = $1.value }
        let paid = session.state == .complete
        return [
            "id": session.id, "object": "checkout.session", "mode": "payment", "amount_total": session.amountTotal, "currency": session.currency,
            "client_reference_id": Self.nullable(session.parameters["client_reference_id"]), "metadata": metadata,
            "payment_status": paid ? "paid" : "unpaid", "status": session.state.rawValue,
            "url": Self.nullable(session.state == .open ? "\(configuration.stripeAPIBase)/pay/\(session.id)" : nil),
            "success_url": session.parameters["success_url"] ?? "", "cancel_url": Self.nullable(session.parameters["cancel_url"]),
            "created": Int(session.createdAt.timeIntervalSince1970), "livemode": false,
        ]
    }

    // MARK: helpers

    func authenticated(_ request: Request) -> Bool {
        guard let header = request.headers[.authorization] else { return false }
        var key: String?
        if header.hasPrefix("Bearer ") {
            key = String(header.dropFirst(7))
        } else if header.hasPrefix("Basic "), let data = Data(base64Encoded: String(header.dropFirst(6))), let text = String(data: data, encoding: .utf8) {
            key = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init)
        }
        return key.map { ConstantTime.equals($0, configuration.stripeSecretKey) } ?? false
    }

    func session(_ context: Context) async -> SandboxSession? {
        guard let id = context.parameters.get("session") else { return nil }
        return await ledger.session(id)
    }

    /// A string, or JSON `null`.
    static func nullable(_ value: String?) -> Any {
        value.map { $0 as Any } ?? NSNull()
    }

    static func encode(_ object: [String: Any]) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    static func json(_ body: String, replayed: Bool, status: HTTPResponse.Status = .ok) -> Response {
        var headers: HTTPFields = [.contentType: "application/json"]
        if replayed { headers[HTTPField.Name("Idempotent-Replayed")!] = "true" }
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
    }

    static func error(_ status: HTTPResponse.Status, _ message: String, type: String = "invalid_request_error", param: String? = nil) -> Response {
        var error: [String: Any] = ["type": type, "message": message]
        if let param { error["param"] = param }
        return json(encode(["error": error]), replayed: false, status: status)
    }
}
