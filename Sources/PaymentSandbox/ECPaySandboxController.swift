import Foundation
import HTTPTypes
import Hummingbird
import Logging
import PaymentProtocols

/// The sandbox's ECPay: the AioCheckOut/V5 form post (verified like the gateway verifies it),
/// hosted credit-card and ATM pages, the signed notifications, and QueryTradeInfo/V5.
struct ECPaySandboxController<Context: RequestContext>: Sendable {
    let configuration: SandboxConfiguration
    let ledger: SandboxLedger
    let notifier: Notifier
    let logger: Logger

    func addRoutes(to group: RouterGroup<Context>) {
        group.post("ecpay/Cashier/AioCheckOut/V5", use: checkout)
        group.post("ecpay/Cashier/QueryTradeInfo/V5", use: query)
        group.get("ecpay/credit/:trade", use: creditPage)
        group.post("ecpay/credit/:trade/pay", use: pay)
        group.post("ecpay/credit/:trade/decline", use: decline)
        group.get("ecpay/atm/:trade", use: atmPage)
        group.post("ecpay/atm/:trade/transfer", use: transfer)
    }

    var base: String { configuration.publicBaseURL + "/ecpay" }

    // MARK: checkout

    @Sendable func checkout(_ request: Request, context: Context) async throws -> Response {
        guard let form = try await Self.readForm(request) else { return errorPage("10200050", "Parameter Error: the body is not a form") }
        if let error = checkoutError(form) { return errorPage(error.code, error.message) }
        let kind: SandboxTrade.Kind = form["ChoosePayment"] == "ATM" ? .atm : .credit
        var trade = SandboxTrade(form: form, kind: kind, tradeNo: Self.tradeNumber(), tradeDate: Date())
        if kind == .atm {
            let days = Int(form["ExpireDate"] ?? "") ?? 3
            trade.bankCode = "812"
            trade.vAccount = "9103" + SandboxIDs.digits(10)
            trade.expireDate = ECPayProtocol.day(Date().addingTimeInterval(TimeInterval(days) * 86400))
        }
        guard await ledger.addTrade(trade) else { return errorPage("10200047", "MerchantTradeNo is duplicate: \(trade.merchantTradeNo)") }
        logger.info("ecpay checkout", metadata: ["trade": "\(trade.merchantTradeNo)", "kind": "\(kind.rawValue)", "amount": "\(trade.amount)"])
        if kind == .atm {
            if let url = form["PaymentInfoURL"], !url.isEmpty {
                await notifier.deliver(ecpayMessage(url: url, fields: paymentInfoFields(trade)))
            }
            return HTML.redirect("\(base)/atm/\(trade.merchantTradeNo)")
        }
        return HTML.redirect("\(base)/credit/\(trade.merchantTradeNo)")
    }

    /// The gateway's checks on a checkout form, in its order; `nil` when the form is acceptable.
    func checkoutError(_ form: [String: String]) -> (code: String, message: String)? {
        let required = [
            "MerchantID", "MerchantTradeNo", "MerchantTradeDate", "PaymentType", "TotalAmount", "TradeDesc", "ItemName", "ReturnURL", "ChoosePayment",
            "EncryptType", "CheckMacValue",
        ]
        if let missing = required.first(where: { (form[$0] ?? "").isEmpty }) { return ("10200050", "Parameter Error: \(missing) is required") }
        if form["MerchantID"] != configuration.ecpayMerchantID { return ("10200052", "MerchantID Error") }
        if form["EncryptType"] != "1" { return ("10200050", "Parameter Error: EncryptType must be 1") }
        if !ECPayCheckMac.verify(form, hashKey: configuration.ecpayHashKey, hashIV: configuration.ecpayHashIV) {
            return ("10200073", "CheckMacValue Error")
        }
        if !ECPayProtocol.isValidTradeNumber(form["MerchantTradeNo"]!) { return ("10200050", "Parameter Error: MerchantTradeNo") }
        if ECPayProtocol.parseDate(form["MerchantTradeDate"]!) == nil { return ("10200050", "Parameter Error: MerchantTradeDate") }
        if form["PaymentType"] != "aio" { return ("10200050", "Parameter Error: PaymentType must be aio") }
        guard let amount = Int(form["TotalAmount"]!), amount > 0 else { return ("10200050", "Parameter Error: TotalAmount must be a positive integer") }
        if form["ItemName"]!.count > ECPayProtocol.itemNameLimit { return ("10200050", "Parameter Error: ItemName is longer than 400 characters") }
        switch form["ChoosePayment"] {
        case "Credit": break
        case "ATM":
            if let days = form["ExpireDate"], !days.isEmpty, !(Int(days).map { (1...60).contains($0) } ?? false) {
                return ("10200050", "Parameter Error: ExpireDate must be 1 to 60 days")
            }
        default: return ("10200050", "Parameter Error: the sandbox offers ChoosePayment Credit or ATM")
        }
        return nil
    }

    func errorPage(_ code: String, _ message: String) -> Response {
        logger.warning("ecpay checkout refused", metadata: ["code": "\(code)", "message": "\(message)"])
        return HTML.response(HTML.page(title: "ECPay error", body: #"<h1>Error</h1><p id="error">\#(HTML.escape(code)) \#(HTML.escape(message))</p>"#))
    }

    // MARK: credit card

    @Sendable func creditPage(_ request: Request, context: Context) async throws -> Response {
        guard let trade = await trade(context), trade.kind == .credit else { throw HTTPError(.notFound) }
        let action = "\(base)/credit/\(trade.merchantTradeNo)"
        let controls =
            trade.state == .pending
            ? HTML.form(action: action + "/pay", buttonID: "pay", label: "Pay") + HTML.form(action: action + "/decline", buttonID: "decline", label: "Decline")
            : #"<p id="state">\#(trade.state.rawValue)</p>"#
        return HTML.response(HTML.page(title: "Credit card payment", body: "<h1>Credit card payment</h1>" + summary(trade) + controls))
    }

    @Sendable func pay(_ request: Request, context: Context) async throws -> Response {
        guard let before = await trade(context), before.kind == .credit else { throw HTTPError(.notFound) }
        guard
            let trade = await ledger.updateTrade(
                before.merchantTradeNo,
                { trade in
                    if trade.state == .pending {
                        trade.state = .paid
                        trade.paymentDate = Date()
                    }
                })
        else { throw HTTPError(.notFound) }
        guard trade.state == .paid else { return resultPage(trade, fields: resultFields(trade, code: "10100058", message: "Card declined")) }
        let fields = resultFields(trade, code: "1", message: "Succeeded", paymentType: "Credit_CreditCard")
        if before.state == .pending {
            logger.info("ecpay credit paid", metadata: ["trade": "\(trade.merchantTradeNo)"])
            await notifier.deliver(ecpayMessage(url: trade.form["ReturnURL"]!, fields: fields))
        }
        return resultPage(trade, fields: fields)
    }

    @Sendable func decline(_ request: Request, context: Context) async throws -> Response {
        guard let before = await trade(context), before.kind == .credit else { throw HTTPError(.notFound) }
        let trade = await ledger.updateTrade(before.merchantTradeNo) { if $0.state == .pending { $0.state = .declined } } ?? before
        logger.info("ecpay credit declined", metadata: ["trade": "\(trade.merchantTradeNo)"])
        return resultPage(trade, fields: resultFields(trade, code: "10100058", message: "Card declined", paymentType: "Credit_CreditCard"))
    }

    /// Sends the browser back: a form to OrderResultURL (submitted by script), else a ClientBackURL link.
    func resultPage(_ trade: SandboxTrade, fields: [String: String]) -> Response {
        var body = "<h1>\(trade.state == .paid ? "Payment complete" : "Payment declined")</h1>" + summary(trade)
        if let url = trade.form["OrderResultURL"], !url.isEmpty {
            body += HTML.form(action: url, fields: signed(fields), buttonID: "continue", label: "Back to the shop", autoSubmit: true)
            body += #"<script src="\#(HTML.escape(configuration.publicBaseURL))/assets/autosubmit.js"></script>"#
        } else if let url = trade.form["ClientBackURL"], !url.isEmpty {
            body += #"<p><a id="continue" href="\#(HTML.escape(url))">Back to the shop</a></p>"#
        }
        return HTML.response(HTML.page(title: "Payment result", body: body))
    }

    // MARK: ATM

    @Sendable func atmPage(_ request: Request, context: Context) async throws -> Response {
        guard let trade = await trade(context), trade.kind == .atm else { throw HTTPError(.notFound) }
        var body =
            "<h1>ATM transfer</h1>" + summary(trade) + """
                <dl><dt>Bank code</dt><dd id="bank-code">\(HTML.escape(trade.bankCode ?? ""))</dd>
                <dt>Virtual account</dt><dd id="v-account" class="mono">\(HTML.escape(trade.vAccount ?? ""))</dd>
                <dt>Pay by</dt><dd id="expire-date">\(HTML.escape(trade.expireDate ?? ""))</dd>
                <dt>Status</dt><dd id="state">\(trade.state == .paid ? "paid" : "waiting for the transfer")</dd></dl>
                """
        if trade.state == .pending {
            body += HTML.form(action: "\(base)/atm/\(trade.merchantTradeNo)/transfer", buttonID: "simulate-transfer", label: "Simulate transfer")
        }
        if let url = trade.form["ClientRedirectURL"], !url.isEmpty {
            body += HTML.form(action: url, fields: signed(paymentInfoFields(trade)), buttonID: "back-to-shop", label: "Back to the shop")
        } else if let url = trade.form["ClientBackURL"], !url.isEmpty {
            body += #"<p><a id="back-to-shop" href="\#(HTML.escape(url))">Back to the shop</a></p>"#
        }
        return HTML.response(HTML.page(title: "ATM transfer", body: body))
    }

    @Sendable func transfer(_ request: Request, context: Context) async throws -> Response {
        guard let before = await trade(context), before.kind == .atm else { throw HTTPError(.notFound) }
        guard
            let trade = await ledger.updateTrade(
                before.merchantTradeNo,
                { trade in
                    if trade.state == .pending {
                        trade.state = .paid
                        trade.paymentDate = Date()
                    }
                })
        else { throw HTTPError(.notFound) }
        if before.state == .pending {
            logger.info("ecpay atm transfer", metadata: ["trade": "\(trade.merchantTradeNo)"])
            let fields = resultFields(trade, code: "1", message: "Succeeded", paymentType: "ATM_TAISHIN")
            await notifier.deliver(ecpayMessage(url: trade.form["ReturnURL"]!, fields: fields))
        }
        return HTML.redirect("\(base)/atm/\(trade.merchantTradeNo)")
    }

    // MARK: QueryTradeInfo

    @Sendable func query(_ request: Request, context: Context) async throws -> Response {
        guard let form = try await Self.readForm(request) else { return HTML.text("Parameter Error") }
        guard form["MerchantID"] == configuration.ecpayMerchantID else { return HTML.text("MerchantID Error") }
        guard ECPayCheckMac.verify(form, hashKey: configuration.ecpayHashKey, hashIV: configuration.ecpayHashIV) else {
            return HTML.text("CheckMacValue Error")
        }
        guard let stamp = form["TimeStamp"].flatMap(TimeInterval.init), abs(Date().timeIntervalSince1970 - stamp) <= 180 else {
            return HTML.text("TimeStamp Error")
        }
        let number = form["MerchantTradeNo"] ?? ""
        var answer: [String: String] = ["MerchantID": configuration.ecpayMerchantID, "MerchantTradeNo": number]
        if let trade = await ledger.trade(number) {
            answer.merge(resultFields(trade, code: "", message: "", paymentType: trade.kind == .atm ? "ATM_TAISHIN" : "Credit_CreditCard")) { $1 }
            answer["RtnCode"] = nil
            answer["RtnMsg"] = nil
            answer["SimulatePaid"] = nil
            answer["HandlingCharge"] = "0"
            answer["ItemName"] = trade.form["ItemName"] ?? ""
            answer["TradeStatus"] = trade.state == .paid ? "1" : "0"
        } else {
            answer["TradeStatus"] = "10200047"
        }
        return HTML.text(FormEncoding.encode(signed(answer)))
    }

    // MARK: fields

    func summary(_ trade: SandboxTrade) -> String {
        let items = (trade.form["ItemName"] ?? "").split(separator: "#").map { "<li>\(HTML.escape(String($0)))</li>" }.joined()
        return """
            <dl><dt>Merchant</dt><dd>\(HTML.escape(trade.form["MerchantID"] ?? ""))</dd>
            <dt>Trade number</dt><dd id="merchant-trade-no" class="mono">\(HTML.escape(trade.merchantTradeNo))</dd>
            <dt>Amount</dt><dd id="amount">TWD \(HTML.escape(trade.amount))</dd></dl><ul id="items">\(items)</ul>
            """
    }

    /// The ReturnURL / OrderResultURL fields for a trade.
    func resultFields(_ trade: SandboxTrade, code: String, message: String, paymentType: String = "Credit_CreditCard") -> [String: String] {
        var fields = [
            "MerchantID": configuration.ecpayMerchantID, "MerchantTradeNo": trade.merchantTradeNo, "StoreID": trade.form["StoreID"] ?? "",
            "RtnCode": code, "RtnMsg": message, "TradeNo": trade.tradeNo, "TradeAmt": trade.amount,
            "PaymentDate": trade.paymentDate.map(ECPayProtocol.tradeDate) ?? "", "PaymentType": paymentType,
            "PaymentTypeChargeFee": "0", "TradeDate": ECPayProtocol.tradeDate(trade.tradeDate), "SimulatePaid": "0",
        ]
        for index in 1...4 { fields["CustomField\(index)"] = trade.form["CustomField\(index)"] ?? "" }
        return fields
    }

    /// The PaymentInfoURL / ClientRedirectURL fields (`RtnCode=2`) for an ATM trade.
    func paymentInfoFields(_ trade: SandboxTrade) -> [String: String] {
        var fields = [
            "MerchantID": configuration.ecpayMerchantID, "MerchantTradeNo": trade.merchantTradeNo, "StoreID": trade.form["StoreID"] ?? "",
            "RtnCode": "2", "RtnMsg": "Get VirtualAccount Succeeded", "TradeNo": trade.tradeNo, "TradeAmt": trade.amount,
            "PaymentType": "ATM_TAISHIN", "TradeDate": ECPayProtocol.tradeDate(trade.tradeDate),
            "BankCode": trade.bankCode ?? "", "vAccount": trade.vAccount ?? "", "ExpireDate": trade.expireDate ?? "",
        ]
        for index in 1...4 { fields["CustomField\(index)"] = trade.form["CustomField\(index)"] ?? "" }
        return fields
    }

    func signed(_ fields: [String: String]) -> [String: String] {
        ECPayCheckMac.signed(fields, hashKey: configuration.ecpayHashKey, hashIV: configuration.ecpayHashIV)
    }

    func ecpayMessage(url: String, fields: [String: String]) -> Notifier.Message {
        Notifier.Message(url: url, body: FormEncoding.encode(signed(fields)), contentType: "application/x-www-form-urlencoded", acknowledgement: .ecpay)
    }

    func trade(_ context: Context) async -> SandboxTrade? {
        guard let number = context.parameters.get("trade") else { return nil }
        return await ledger.trade(number)
    }

    static func readForm(_ request: Request) async throws -> [String: String]? {
        let buffer = try await request.body.collect(upTo: 64 * 1024)
        return FormEncoding.decode(String(buffer: buffer))
    }

    /// ECPay's own trade numbers: 16 digits starting with the date.
    static func tradeNumber() -> String {
        let day = ECPayProtocol.tradeDate(Date()).filter(\.isNumber)
        return String(day.dropFirst(2).prefix(10)) + SandboxIDs.digits(6)
    }
}
