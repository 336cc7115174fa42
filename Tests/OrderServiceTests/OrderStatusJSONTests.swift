import Foundation
import StoreModel
import Testing

@testable import OrderService

/// The `GET /order` answer is written by hand (`StatusAnswer.jsonBytes`); it must be the very bytes
/// Foundation's `JSONEncoder` makes of the `Encodable` form, whatever the text in the order.
@Suite("GET /order answer bytes", .timeLimit(.minutes(2)))
struct OrderStatusJSONTests {
    /// Text that JSON escaping treats differently: quotes, backslashes, slashes, every kind of
    /// control character, DEL, accents precomposed and combining, CJK, emoji, line separators.
    static let pieces = [
        "", "a", "Z", "0", " ", "\"", "\\", "/", "\u{0}", "\u{1}", "\u{7}", "\u{8}", "\t", "\n", "\u{B}", "\u{C}", "\r", "\u{E}",
        "\u{1A}", "\u{1F}", "\u{7F}", "é", "e\u{301}", "王小明", "台南市大內區", "😀", "👩‍👩‍👧", "\u{2028}", "\u{2029}", "\u{FEFF}",
        "<script>", "NT$", "&amp;", "'", "\r\n", "ｱ",
    ]

    /// A fixed sequence of choices (Knuth's MMIX linear congruential generator), so every run
    /// checks the same orders.
    struct Seeded: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state ^ (state >> 29)
        }
    }

    static func text(_ random: inout Seeded, most: Int = 6) -> String {
        (0..<Int.random(in: 0...most, using: &random)).map { _ in pieces.randomElement(using: &random)! }.joined()
    }

    static func order(_ random: inout Seeded) -> (Order, [OrderEvent]) {
        let currency = Currency(code: "TWD")!
        func money() -> Money { Money(minorUnits: Int64.random(in: -5...2_000_000_000, using: &random), currency: currency) }
        func date() -> Date { Date(millis: Int64.random(in: 0...4_000_000_000_000, using: &random)) }
        let statuses = OrderStatus.allCases
        let lines = (0..<Int.random(in: 0...3, using: &random)).map { _ in
            PricedLine(
                sku: text(&random, most: 2), title: text(&random), quantity: Int.random(in: 1...999, using: &random), unitPrice: money(), lineTotal: money(),
                options: (0..<Int.random(in: 0...2, using: &random)).map { _ in ChosenOption(name: text(&random), value: text(&random)) })
        }
        let atm =
            Bool.random(using: &random)
            ? ATMInstructions(bankCode: text(&random, most: 2), vAccount: text(&random, most: 3), expireDate: text(&random, most: 2)) : nil
        let order = Order(
            id: OrderID.make(), status: statuses.randomElement(using: &random)!, paymentMethod: PaymentMethod.allCases.randomElement(using: &random)!,
            lines: lines, subtotal: money(), shipping: money(), total: money(), catalogVersion: text(&random, most: 2),
            customer: Customer(name: text(&random), email: text(&random) + "@" + text(&random, most: 2), phone: text(&random, most: 4) + "0912345678"),
            shippingAddress: ShippingAddress(postalCode: "", city: text(&random), address: text(&random)), note: text(&random),
            createdAt: date(), updatedAt: date(), expiresAt: Bool.random(using: &random) ? date() : nil,
            trackingNumber: Bool.random(using: &random) ? text(&random, most: 3) : nil, needsReview: Bool.random(using: &random),
            paymentInstructions: atm.map { PaymentInstructions(atm: $0) } ?? (Bool.random(using: &random) ? PaymentInstructions(atm: nil) : nil),
            paymentState: [PaymentState.onDelivery, .pending, .awaitingTransfer, .processing, .paid, .failed, .late].randomElement(using: &random)!,
            paymentReference: nil, reviewReason: nil)
        let events = (0..<Int.random(in: 0...4, using: &random)).map { _ in
            let to = statuses.randomElement(using: &random)!
            return OrderEvent(
                at: date(), actor: text(&random, most: 2), from: Bool.random(using: &random) ? to : statuses.randomElement(using: &random), to: to,
                note: text(&random))
        }
        return (order, events)
    }

    @Test("2,000 orders full of awkward text: the hand-written answer equals JSONEncoder's, byte for byte")
    func sameBytes() throws {
        var random = Seeded(state: 20_261_201)
        for _ in 0..<2_000 {
            let (order, events) = Self.order(&random)
            let answer = OrderJSON.StatusAnswer(order: .init(order, events: events))
            let expected = Array(try JSONResponse.data(answer))
            let written = answer.jsonBytes
            #expect(written == expected, "\(String(decoding: written, as: UTF8.self))\n\(String(decoding: expected, as: UTF8.self))")
            if written != expected { return }
        }
    }

    @Test("2,000 new orders full of awkward text: the hand-written first POST /order answer equals JSONEncoder's, byte for byte")
    func sameCreatedBytes() throws {
        var random = Seeded(state: 20_261_205)
        for _ in 0..<2_000 {
            let created = OrderJSON.Created(Self.order(&random).0)
            let expected = Array(try JSONResponse.data(OrderJSON.CreatedAnswer(order: created, payment: nil)))
            let written = created.answerWithoutPaymentBytes
            #expect(written == expected, "\(String(decoding: written, as: UTF8.self))\n\(String(decoding: expected, as: UTF8.self))")
            if written != expected { return }
        }
    }
}
