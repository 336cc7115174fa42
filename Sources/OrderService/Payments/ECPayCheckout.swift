import Foundation
import PaymentProtocols
import StoreModel

/// Creates the ECPay AioCheckOut/V5 form for credit-card and ATM orders: a fresh `MerchantTradeNo`
/// per attempt (recorded against the order), Taiwan time, integer TWD, cleaned item names, the
/// callback URLs and the `CheckMacValue`.
struct ECPayCheckout: Sendable {
    let configuration: ECPayConfiguration
    let store: any OrderStore
    let urls: @Sendable () -> PaymentURLs
    /// Days an ATM account stays open (`ExpireDate`, 1 to 60).
    let atmDays: Int
    let clock: @Sendable () -> Date

    struct UnsupportedCurrency: Error, CustomStringConvertible {
        var code: String
        var description: String { "ECPay charges TWD only; the shop's currency is \(code)" }
    }

    func paymentStep(for order: Order, catalog: Catalog) async throws -> PaymentStep? {
        guard order.paymentMethod == .creditCard || order.paymentMethod == .atm else { return nil }
        guard order.currency.code == "TWD", order.currency.exponent == 0 else { throw UnsupportedCurrency(code: order.currency.code) }
        let now = clock()
        let reference = Self.tradeNumber()
        try await store.recordPaymentAttempt(
            PaymentAttempt(reference: reference, orderID: order.id, gateway: .ecpay, amountMinor: order.total.minorUnits, createdAt: now))
        let urls = urls()
        var fields: [String: String] = [
            "MerchantID": configuration.merchantID,
            "MerchantTradeNo": reference,
            "MerchantTradeDate": ECPayProtocol.tradeDate(now),
            "PaymentType": "aio",
            "TotalAmount": String(order.total.minorUnits),
            "TradeDesc": String(ECPayProtocol.cleanItemName(catalog.store.name).prefix(200)),
            "ItemName": ECPayProtocol.itemName(order.lines.map { "\($0.title) x \($0.quantity)" }),
            "ReturnURL": urls.ecpayNotify,
            "ClientBackURL": urls.orderPage(order.id),
            "EncryptType": "1",
            "CustomField1": order.id,
            "NeedExtraPaidInfo": "N",
        ]
        if order.paymentMethod == .atm {
            fields["ChoosePayment"] = "ATM"
            fields["ExpireDate"] = String(atmDays)
            fields["PaymentInfoURL"] = urls.ecpayPaymentInfo
            fields["ClientRedirectURL"] = urls.ecpayResult
        } else {
            fields["ChoosePayment"] = "Credit"
            fields["OrderResultURL"] = urls.ecpayResult
        }
        let signed = ECPayCheckMac.signed(fields, hashKey: configuration.hashKey, hashIV: configuration.hashIV)
        return PaymentStep(method: "POST", url: configuration.environment.checkoutURL, fields: signed)
    }

    /// 20 letters and digits from the system's secure generator: a trade number is never reused.
    static func tradeNumber() -> String {
        var generator = SystemRandomNumberGenerator()
        let alphabet = OrderID.alphabet
        let bytes = (0..<ECPayProtocol.tradeNumberLimit).map { _ in alphabet[Int(generator.next(upperBound: UInt64(alphabet.count)))] }
        return String(decoding: bytes, as: UTF8.self)
    }
}
