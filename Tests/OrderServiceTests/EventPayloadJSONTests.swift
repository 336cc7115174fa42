import Foundation
import StoreModel
import Testing

@testable import OrderService

/// `EventPayload.encoded()` (bytes written by hand, paid for by every order) against its reference,
/// `JSONEncoder` (`referenceEncoded()`): the same bytes for awkward text, every event shape and the size limit.
@Suite("Event payload JSON", .timeLimit(.minutes(2)))
struct EventPayloadJSONTests {
    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let pieces: [String] = [
        "", "a", "王小明", "\"", "\\", "/", "</script>", "\n", "\r\n", "\t", "\u{0}", "\u{1f}", "\u{7f}", "\u{8}", "\u{c}", "é", "e\u{301}", "👩‍👩‍👧",
        "\u{2028}", "\u{feff}", "NT$1,280", "{\"x\":1}", " ",
    ]

    static func text(_ random: inout SplitMix, most: Int = 6) -> String {
        (0..<Int.random(in: 0...most, using: &random)).map { _ in pieces.randomElement(using: &random)! }.joined()
    }

    static func order(_ random: inout SplitMix, lines: Int) -> Order {
        var order = StatusRulesTests.order([PaymentMethod.atm, .creditCard, .cashOnDelivery, .stripe].randomElement(using: &random)!)
        let unit = Money(minorUnits: Int64.random(in: 0...9_999_999, using: &random), currency: Currency(code: "USD")!)
        order.lines = (0..<lines).map { _ in
            PricedLine(
                sku: text(&random, most: 2), title: text(&random), quantity: Int.random(in: 1...99, using: &random), unitPrice: unit, lineTotal: unit * 3,
                options: (0..<Int.random(in: 0...2, using: &random)).map { _ in ChosenOption(name: text(&random), value: text(&random)) })
        }
        order.customer = Customer(name: text(&random), email: text(&random), phone: text(&random))
        order.shippingAddress = ShippingAddress(postalCode: text(&random, most: 2), city: text(&random), address: text(&random))
        order.note = text(&random)
        order.trackingNumber = Bool.random(using: &random) ? text(&random, most: 3) : nil
        order.needsReview = Bool.random(using: &random)
        if Bool.random(using: &random) {
            order.paymentInstructions = PaymentInstructions(atm: ATMInstructions(bankCode: text(&random), vAccount: text(&random), expireDate: text(&random)))
        }
        return order
    }

    @Test("2,000 awkward events of every shape give the reference's bytes")
    func sameBytesAsJSONEncoder() throws {
        var random = SplitMix(state: 19)
        for index in 0..<2_000 {
            var data = EventData()
            switch index % 5 {
            case 0: data.order = OrderData(Self.order(&random, lines: Int.random(in: 0...4, using: &random)))
            case 1:
                data.order = OrderData(Self.order(&random, lines: 1))
                data.reviewReason = Self.text(&random)
            case 2:
                data.stock = StockData(
                    sku: Self.text(&random), title: Self.text(&random), available: Int.random(in: -5...500, using: &random),
                    threshold: Int.random(in: 0...9, using: &random))
            case 3:
                data.delivery = FailedDeliveryData(
                    deliveryId: Int64.random(in: 1...Int64.max, using: &random), eventId: Self.text(&random), eventType: "order.paid", channel: "webhook",
                    destination: Self.text(&random), attempts: Int.random(in: 0...30, using: &random), lastError: Self.text(&random))
            default: data.message = Self.text(&random)
            }
            let payload = EventPayload(type: Self.text(&random, most: 2), timestamp: EventPayload.timestamp(Date(millis: Int64(index) * 7_919)), data: data)
            let fast = try payload.encoded()
            let reference = try payload.referenceEncoded()
            #expect(fast == reference, "\(index): \(String(decoding: fast, as: UTF8.self)) vs \(String(decoding: reference, as: UTF8.self))")
            if fast != reference { return }
        }
    }

    @Test("timestamps are ISO 8601 in UTC with the stored millisecond")
    func timestamps() {
        var random = SplitMix(state: 3)
        for millis in [0, 1, 999, 1_000, 1_796_473_117_036, 4_102_444_800_000]
            + (0..<2_000).map({ _ in Int64.random(in: 0...4_102_444_800_000, using: &random) })
        {
            // The whole seconds as the format style writes them (exact), then the stored milliseconds:
            // the style itself reads 0.830 s back as .829, a binary fraction.
            let seconds = Date(timeIntervalSince1970: Double(millis / 1000)).formatted(Date.ISO8601FormatStyle())
            let fraction = String(millis % 1000 + 1000).dropFirst()
            #expect(EventPayload.timestamp(Date(millis: millis)) == seconds.dropLast() + ".\(fraction)Z", "\(millis)")
        }
    }

    @Test("an order too big for 20 KB keeps everything but its lines, which it counts")
    func sizeLimit() throws {
        var random = SplitMix(state: 7)
        var order = Self.order(&random, lines: 0)
        let unit = Money(minorUnits: 100, currency: Currency(code: "TWD")!)
        order.lines = (0..<400).map { PricedLine(sku: "SKU-\($0)", title: String(repeating: "酪梨", count: 20), quantity: 1, unitPrice: unit, lineTotal: unit) }
        let payload = EventPayload(type: "order.created", timestamp: "2026-12-05T00:00:00.000Z", data: EventData(order: OrderData(order)))
        let bytes = try payload.encoded()
        #expect(bytes.count <= EventPayload.maximumBytes)
        #expect(bytes == (try payload.referenceEncoded()))
        let decoded = try EventPayload.decode(bytes)
        #expect(decoded.data.order?.lines.isEmpty == true && decoded.data.order?.linesOmitted == 400 && decoded.data.order?.id == order.id)
    }
}
